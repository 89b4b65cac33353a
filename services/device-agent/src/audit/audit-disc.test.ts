// Audits of real ISO images written by xorriso: every file of every session is read and hashed
// (as plain sha256sum sees it), the records come out in the catalog's order (UTF-8 bytes, as
// SQLite's BINARY collation), a flipped byte changes exactly one hash, a file the disc cannot
// hold whole is named unreadable, and xorriso's MD5 check is reported.
import { mkdir, mkdtemp, open, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProgramRunner } from '../process/program-runner.js';
import { auditDisc, type AuditedFile } from './audit-disc.js';

let dir: string;
let staging: string;
const runner = new ProgramRunner();

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'audit-disc-'));
  staging = join(dir, 'stage');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const FIRST = {
  'a/x': 'in a directory\n',
  'a-b/y': 'a dash sorts before a slash\n',
  'a.txt': 'and a dot too\n',
  'n\u00fc.txt': 'umlaut\n',
  '\u{1F600}.txt': 'above U+FFFF\n',
  '\uFF21.txt': 'below it, but above a surrogate\n',
  empty: '',
  'big.bin': 'x'.repeat(3 * 1024 * 1024 + 5),
  'cback.store': '',
};
const SECOND = { 'c.txt': 'the next day\n' };

async function stage(day: string, files: Record<string, string>): Promise<string> {
  const root = join(staging, ...day.split('-'));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}

/** Two sessions, one day each, and a file outside the days; MD5s as real drives write them, or none. */
async function twoSessionDisc(md5: 'on' | 'off'): Promise<string> {
  const path = join(dir, 'disc.iso');
  const first = await stage('2026-11-25', FIRST);
  await writeFile(join(dir, 'README'), 'not a day\n');
  await execa('xorriso', [
    '-md5',
    md5,
    '-outdev',
    path,
    '-volid',
    'CEDAR BACKUP 25-NOV-2026',
    '-map',
    first,
    '/2026/11/25',
    '-map',
    join(dir, 'README'),
    '/README',
    '-commit',
  ]);
  const second = await stage('2026-11-26', SECOND);
  await execa('xorriso', ['-md5', md5, '-dev', path, '-map', second, '/2026/11/26', '-commit']);
  return path;
}

/** `sha256sum` of every staged file, as `path on the disc → hash`: plain tools, not project code. */
async function sums(): Promise<Map<string, string>> {
  const { stdout } = await execa('sh', ['-c', 'find . -type f -print0 | xargs -0 sha256sum'], { cwd: staging });
  return new Map(
    stdout.split('\n').map((line) => {
      const [hash, path] = [line.slice(0, 64), line.slice(66).replace(/^\.\//, '')];
      return [path, hash];
    }),
  );
}

async function audit(disc: string, extra: Partial<Parameters<typeof auditDisc>[2]> = {}) {
  const files: AuditedFile[] = [];
  const result = await auditDisc(
    runner,
    { source: disc, isImageFile: true },
    {
      scratchDir: join(dir, 'scratch'),
      runSize: 3,
      onFile: (file) => {
        files.push(file);
      },
      ...extra,
    },
  );
  return { result, files };
}

/** Where a file's data starts in the image, as xorriso reports it. */
async function lbaOf(disc: string, path: string): Promise<number> {
  const { stdout } = await execa('xorriso', ['-indev', disc, '-find', `/${path}`, '-exec', 'report_lba', '--']);
  return Number(/File data lba:\s*0\s*,\s*(\d+)/.exec(stdout)![1]);
}

describe('auditDisc', { timeout: 60_000 }, () => {
  it('hashes every file of every session, in the catalog order, skipping what no manifest holds', async () => {
    const disc = await twoSessionDisc('off');
    const { result, files } = await audit(disc);

    const expected = await sums();
    expected.delete('2026/11/25/cback.store');
    expect(files.map((file) => [file.path, file.sha256])).toEqual(
      [...expected].sort(([a], [b]) => Buffer.compare(Buffer.from(a!), Buffer.from(b!))),
    );
    expect(files.find((file) => file.path === '2026/11/26/c.txt')).toMatchObject({ day: '2026-11-26', size: 13 });
    expect(files.filter((file) => file.day === '2026-11-25')).toHaveLength(8);
    expect(result).toMatchObject({ files: 9, unreadable: [], unreadableCount: 0, skipped: 2 });
    expect(result.bytes).toBe(files.reduce((sum, file) => sum + file.size, 0));
    expect(result.md5.verdict).toBe('absent');
    // The bounded sort's runs are gone.
    expect(await readdir(join(dir, 'scratch'))).toEqual([]);
  });

  it('gives a different hash for exactly the file whose byte was flipped, and the MD5 check says so', async () => {
    const disc = await twoSessionDisc('on');
    const before = await audit(disc);
    expect(before.result.md5).toEqual({ verdict: 'ok', words: 'File contents and their MD5 checksums match.' });

    const handle = await open(disc, 'r+');
    await handle.write(Buffer.from('Z'), 0, 1, (await lbaOf(disc, '2026/11/25/a.txt')) * 2048);
    await handle.close();
    const after = await audit(disc);

    const changed = after.files.filter((file, i) => file.sha256 !== before.files[i]!.sha256);
    expect(changed.map((file) => file.path)).toEqual(['2026/11/25/a.txt']);
    expect(after.result.md5.verdict).toBe('mismatch');
    expect(after.result.md5.words).toContain("MD5 MISMATCH: '/2026/11/25/a.txt'");
  });

  it('names a file the disc does not hold whole as unreadable, and reads the others', async () => {
    const disc = await twoSessionDisc('off');
    // The image ends where the second session's file data begins.
    await truncate(disc, (await lbaOf(disc, '2026/11/26/c.txt')) * 2048);
    const { result, files } = await audit(disc);

    expect(result.unreadable).toEqual([{ path: '2026/11/26/c.txt', error: 'the disc ends inside the file' }]);
    expect(result.unreadableCount).toBe(1);
    expect(files.map((file) => file.path)).not.toContain('2026/11/26/c.txt');
    expect(result.files).toBe(8);
  });

  it('reports the read error of a drive that fails in the middle of a file', async () => {
    const disc = await twoSessionDisc('off');
    const bigAt = (await lbaOf(disc, '2026/11/25/big.bin')) * 2048;
    const { result } = await audit(disc, {
      openMedia: async (path) => {
        const handle = await open(path, 'r');
        const read = handle.read.bind(handle);
        return Object.assign(handle, {
          read: (buffer: Buffer, offset: number, length: number, position: number) => {
            if (position > bigAt && position < bigAt + 3 * 1024 * 1024) {
              const error = Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
              return Promise.reject(error);
            }
            return read(buffer, offset, length, position);
          },
        }) as typeof handle;
      },
    });
    expect(result.unreadable).toEqual([{ path: '2026/11/25/big.bin', error: 'EIO: i/o error, read' }]);
    expect(result.files).toBe(8);
  });
});
