import { closeSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileWorkers } from './file-workers.js';

const SECTOR = 2048;

/**
 * The worker thread runs compiled JavaScript, which the unit tests (running the TypeScript
 * sources) do not have: compile the worker's three modules into a temporary directory.
 */
async function compiledWorker(into: string): Promise<URL> {
  for (const name of ['file-worker', 'file-work-protocol', 'file-work']) {
    const source = await readFile(fileURLToPath(new URL(`./${name}.ts`, import.meta.url)), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
    });
    await writeFile(join(into, `${name}.js`), outputText);
  }
  return pathToFileURL(join(into, 'file-worker.js'));
}

describe('FileWorkers in worker threads', () => {
  let dir: string;
  let workers: FileWorkers;
  let image: string;
  const files = 700; // three batches of 256 and more

  /** Each file `n` holds `n` bytes of its own pattern at sector 10 + n·2 of the disc. */
  const bytesOf = (n: number) => Buffer.alloc(n + 1, n % 251);
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'file-workers-'));
    workers = new FileWorkers({ workerUrl: await compiledWorker(dir), size: 2, idleMs: 100 });
    await mkdir(join(dir, 'day', 'sub'), { recursive: true });
    const disc = Buffer.alloc((10 + files * 2) * SECTOR);
    for (let n = 0; n < files; n++) {
      await writeFile(join(dir, 'day', 'sub', `f${n}`), bytesOf(n));
      bytesOf(n).copy(disc, (10 + n * 2) * SECTOR);
    }
    image = join(dir, 'disc.iso');
    await writeFile(image, disc);
  });
  afterAll(async () => {
    await workers.close();
    await rm(dir, { recursive: true, force: true });
  });

  const tasks = () =>
    Array.from({ length: files }, (_, n) => ({
      expectedPath: join(dir, 'day', 'sub', `f${n}`),
      size: n + 1,
      extents: [{ byteOffset: (10 + n * 2) * SECTOR, bytes: SECTOR }],
    }));

  it('runs in threads here, not inline', () => {
    expect(workers.threaded).toBe(true);
  });

  it('lists a day and sums its bytes from a thread', async () => {
    await writeFile(join(dir, 'day', 'cback.stage'), 'indicator');
    const listing = await workers.listDay(join(dir, 'day'), '2026/11/26');
    if (!('files' in listing)) throw new Error('expected a listing');
    expect(listing.files).toHaveLength(files + 2); // sub/, the files, cback.stage
    expect(listing.files.find((file) => file.path === '2026/11/26/sub/f41')).toMatchObject({ kind: 'file', size: 42 });
    expect(await workers.dataBytes(join(dir, 'day'))).toBe((files * (files + 1)) / 2);
  });

  it('compares every file across threads, finds the one that differs, and hears every byte found equal', async () => {
    await writeFile(join(dir, 'day', 'sub', 'f500'), Buffer.alloc(501, 0x41));
    const mediaFd = openSync(image, 'r');
    let heard = 0;
    try {
      const outcomes = await workers.compare(tasks(), {
        mediaFd,
        concurrency: 4,
        onBytes: (bytes) => (heard += bytes),
      });
      expect(outcomes.filter((outcome) => outcome !== 'same')).toEqual(['differs']);
      expect(outcomes[500]).toBe('differs');
      expect(heard).toBe((files * (files + 1)) / 2 - 501);
    } finally {
      closeSync(mediaFd);
      await writeFile(join(dir, 'day', 'sub', 'f500'), bytesOf(500));
    }
  });

  it('stops handing out batches after a staging file that cannot be read, and says which', async () => {
    await rm(join(dir, 'day', 'sub', 'f3'));
    const mediaFd = openSync(image, 'r');
    try {
      const outcomes = await workers.compare(tasks(), {
        mediaFd,
        concurrency: 1,
      });
      expect(outcomes[3]).toEqual({ unreadable: { code: 'ENOENT', message: expect.stringContaining('f3') } });
      // One thread, one batch at a time: nothing after the first batch was compared.
      expect(outcomes.slice(256).every((outcome) => outcome === undefined)).toBe(true);
    } finally {
      closeSync(mediaFd);
      await writeFile(join(dir, 'day', 'sub', 'f3'), bytesOf(3));
    }
  });

  it('rejects the request of a thread that cannot start, and the pool serves the next one after', async () => {
    const broken = new FileWorkers({ workerUrl: pathToFileURL(join(dir, 'file-work.js')), size: 1 });
    // A module that is no worker answers nothing and ends: the request fails instead of waiting for ever.
    await expect(broken.dataBytes(join(dir, 'day'))).rejects.toThrow(/file worker thread ended/);
    await broken.close();
    expect(await workers.dataBytes(join(dir, 'day'))).toBe((files * (files + 1)) / 2);
  });
});
