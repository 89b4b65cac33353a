// The agent's manifests: hashed from the bytes a verify compares, kept only when it passed,
// hashed from staging in one read when the disc is not read back, and read in bounded pages.
import { createHash } from 'node:crypto';
import * as nodeFs from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ManifestRecord } from '@cedar-store/ports';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileWorkers, WALK_BATCH } from '../files/file-workers.js';
import { ProgramRunner } from '../process/program-runner.js';
import { compareDays } from '../verify/compare-day.js';
import { compareDaysDirect } from '../verify/direct-verify.js';
import { ManifestStore } from './manifest-store.js';

const DAY = '2026-11-25';
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

let dir: string;
let staging: string;
let mount: string;
let workers: FileWorkers;
let store: ManifestStore;

const FILES: Record<string, string> = {
  'etc/hostname': 'backup-host\n',
  'docs/report.txt': 'x'.repeat(3 * 1024 * 1024 + 17),
  'docs/empty.txt': '',
};

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'manifest-store-'));
  staging = join(dir, 'stage', '2026', '11', '25');
  mount = join(dir, 'mount');
  for (const [path, text] of Object.entries(FILES)) {
    await mkdir(join(staging, path, '..'), { recursive: true });
    await writeFile(join(staging, path), text);
  }
  await writeFile(join(staging, 'cback.stage'), '');
  await cp(join(dir, 'stage'), mount, { recursive: true });
  workers = new FileWorkers();
  store = new ManifestStore({
    workingDir: join(dir, 'work'),
    maxFrameBytes: 1024,
    workers,
    resolveDays: async (days) => days.map((day) => ({ day, path: staging })),
  });
});

afterEach(async () => {
  await workers.close();
  await rm(dir, { recursive: true, force: true });
});

async function readAll(opId: string, maxRecords = 1000): Promise<{ records: ManifestRecord[]; pages: number }> {
  const records: ManifestRecord[] = [];
  let cursor: number | null = 0;
  let pages = 0;
  while (cursor !== null) {
    const page = await store.read(opId, cursor, maxRecords);
    records.push(...page.records);
    cursor = page.nextCursor;
    pages += 1;
  }
  return { records, pages };
}

const expected = (extra: Record<string, string> = {}) =>
  Object.entries({ ...FILES, 'cback.stage': '', ...extra })
    .map(([path, text]) => ({ day: DAY, path: `2026/11/25/${path}`, size: text.length, sha256: sha(text) }))
    .sort((a, b) => a.path.localeCompare(b.path));

describe('ManifestStore', () => {
  it('records each file a passed verify compared, hashed from the bytes it compared', async () => {
    const result = await store.during(
      'run-1:verify',
      (writer) =>
        compareDays([{ day: DAY, stagingPath: staging }], mount, { workers, onFileHashed: writer.add.bind(writer) }),
      (comparison) => comparison.mismatches.length === 0,
    );
    expect(result.mismatches).toEqual([]);
    const { records } = await readAll('run-1:verify', 2);
    expect(records.sort((a, b) => a.path.localeCompare(b.path))).toEqual(expected());
  });

  it('the direct method (no mount) hashes the bytes it reads from the image the same way', async () => {
    const image = join(dir, 'disc.iso');
    await execa('xorriso', ['-outdev', `stdio:${image}`, '-volid', 'TEST', '-map', staging, '/2026/11/25', '-commit']);
    const media = { source: image, isImageFile: true };
    await store.during(
      'run-5:verify',
      (writer) =>
        compareDaysDirect(new ProgramRunner(), media, [{ day: DAY, stagingPath: staging }], {
          workers,
          onFileHashed: writer.add.bind(writer),
        }),
      (comparison) => comparison.mismatches.length === 0,
    );
    const { records } = await readAll('run-5:verify');
    expect(records.sort((a, b) => a.path.localeCompare(b.path))).toEqual(expected());
  });

  it('keeps no manifest of a verify that found a difference', async () => {
    await writeFile(join(mount, '2026', '11', '25', 'etc', 'hostname'), 'another-host\n');
    const result = await store.during(
      'run-2:verify',
      (writer) =>
        compareDays([{ day: DAY, stagingPath: staging }], mount, { workers, onFileHashed: writer.add.bind(writer) }),
      (comparison) => comparison.mismatches.length === 0,
    );
    expect(result.mismatches).toEqual([{ path: '2026/11/25/etc/hostname', kind: 'content' }]);
    await expect(store.read('run-2:verify', 0, 10)).rejects.toThrow('no manifest for operation run-2:verify');
  });

  it('hashes the staging days in one read when the disc is not read back', async () => {
    expect(await store.hashStaging('run-3:manifest', [DAY])).toEqual({
      files: 4,
      bytes: FILES['docs/report.txt']!.length + FILES['etc/hostname']!.length,
    });
    const { records } = await readAll('run-3:manifest');
    expect(records.sort((a, b) => a.path.localeCompare(b.path))).toEqual(expected());
  });

  it('hashes a day of many walk batches: every file once, with its own hash', async () => {
    // More files than several walk batches hold, in directories of their own.
    const many: Record<string, string> = {};
    for (let i = 0; i < WALK_BATCH * 4 + 7; i += 1)
      many[`dir-${i % 5}/file-${String(i).padStart(4, '0')}`] = `content ${i}\n`;
    for (const [path, text] of Object.entries(many)) {
      await mkdir(join(staging, path, '..'), { recursive: true });
      await writeFile(join(staging, path), text);
    }
    const result = await store.hashStaging('run-7:manifest', [DAY]);
    expect(result.files).toBe(Object.keys(many).length + 4);
    const { records } = await readAll('run-7:manifest');
    expect(records.sort((a, b) => a.path.localeCompare(b.path))).toEqual(expected(many));
  });

  it('a file that cannot be read in a later batch leaves no manifest and names the file', async () => {
    for (let i = 0; i < WALK_BATCH * 3; i += 1) {
      await mkdir(join(staging, 'many'), { recursive: true });
      await writeFile(join(staging, 'many', `file-${String(i).padStart(4, '0')}`), `content ${i}\n`);
    }
    const broken = join(staging, 'many', `file-${String(WALK_BATCH * 2 + 3).padStart(4, '0')}`);
    const failing: typeof nodeFs = Object.create(nodeFs);
    failing.openSync = ((path: nodeFs.PathLike, flags: nodeFs.OpenMode, mode?: nodeFs.Mode | null) => {
      if (path === broken) throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
      return nodeFs.openSync(path, flags, mode);
    }) as typeof nodeFs.openSync;
    const failingWorkers = new FileWorkers({ inlineFileSystem: failing });
    const failingStore = new ManifestStore({
      workingDir: join(dir, 'work'),
      maxFrameBytes: 1024,
      workers: failingWorkers,
      resolveDays: async (days) => days.map((day) => ({ day, path: staging })),
    });
    await expect(failingStore.hashStaging('run-8:manifest', [DAY])).rejects.toThrow(
      `could not read ${broken} in the staging directory (EIO: i/o error), so no manifest was recorded`,
    );
    await expect(failingStore.read('run-8:manifest', 0, 10)).rejects.toThrow(
      'no manifest for operation run-8:manifest',
    );
    expect(await readdir(join(dir, 'work', 'manifests'))).toEqual([]);
    await failingWorkers.close();
  });

  it('a record longer than a page comes alone in its own page', async () => {
    // Control characters JSON writes as \u0001: six bytes each, so the record exceeds 8 KiB.
    const long = `${`${'\u0001'.repeat(250)}/`.repeat(6)}end.txt`;
    await mkdir(join(staging, long, '..'), { recursive: true });
    await writeFile(join(staging, long), 'deep\n');
    await store.hashStaging('run-6:manifest', [DAY]);
    const { records } = await readAll('run-6:manifest');
    expect(records.map((record) => record.path)).toContain(`2026/11/25/${long}`);
    expect(records).toHaveLength(5);
  });

  it('pages stay within the frame limit (at least 8 KiB), each record once', async () => {
    const many: Record<string, string> = {};
    for (let i = 0; i < 300; i += 1) many[`many/file-${String(i).padStart(3, '0')}.txt`] = `file ${i}\n`;
    for (const [path, text] of Object.entries(many)) {
      await mkdir(join(staging, path, '..'), { recursive: true });
      await writeFile(join(staging, path), text);
    }
    await store.hashStaging('run-4:manifest', [DAY]);
    const sizes: number[] = [];
    let cursor: number | null = 0;
    const records: ManifestRecord[] = [];
    while (cursor !== null) {
      const page = await store.read('run-4:manifest', cursor, 5000);
      sizes.push(JSON.stringify(page).length);
      records.push(...page.records);
      cursor = page.nextCursor;
    }
    expect(sizes.length).toBeGreaterThan(2);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(8 * 1024 + 64);
    expect(records.sort((a, b) => a.path.localeCompare(b.path))).toEqual(expected(many));
  });
});
