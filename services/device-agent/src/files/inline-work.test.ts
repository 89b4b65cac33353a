import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayFacts } from './file-work.js';
import { FileWorkers } from './file-workers.js';
import { holdsAtMost, SMALL_DAY_ENTRIES, SMALL_HASH_BYTES } from './inline-work.js';

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

describe('FileWorkers with no thread running', () => {
  let dir: string;
  let workerUrl: URL;
  const pools: FileWorkers[] = [];
  /** A pool whose threads outlive the test (no idle end within it): what runs on one stays observable. */
  const pool = () => {
    const workers = new FileWorkers({ workerUrl, size: 2, idleMs: 60_000 });
    pools.push(workers);
    return workers;
  };

  /** A day as a store of a few files has it: a subdirectory, files of several sizes, a link, an indicator. */
  async function smallDay(name: string): Promise<string> {
    const day = join(dir, name);
    await mkdir(join(day, 'host', 'etc'), { recursive: true });
    await writeFile(join(day, 'cback.stage'), '');
    for (let i = 0; i < 5; i++)
      await writeFile(join(day, 'host', i % 2 ? 'etc' : '', `f${i}.txt`), 'x'.repeat(i * 700));
    await symlink('host/f2.txt', join(day, 'link'));
    return day;
  }

  async function largeDay(name: string, entries: number): Promise<string> {
    const day = join(dir, name);
    await mkdir(day, { recursive: true });
    for (let i = 0; i < entries; i++) await writeFile(join(day, `f${i}`), 'y');
    return day;
  }

  const walked = async (workers: FileWorkers, root: string, batch: number) => {
    const batches: string[][] = [];
    for await (const files of workers.walkDay(root, '2026/11/05', { batch })) {
      batches.push(files.map((file) => `${file.path} ${file.kind} ${file.size} ${file.target ?? ''}`));
    }
    return batches;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'file-workers-inline-'));
    workerUrl = await compiledWorker(dir);
  });
  afterAll(async () => {
    await Promise.all(pools.map((workers) => workers.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it('sums and walks a small day without starting a thread, with what a thread answers', async () => {
    const day = await smallDay('small');
    const fresh = pool();
    const facts = await fresh.dayFacts(day);
    const inlineBatches = await walked(fresh, day, 3);
    expect(fresh.threadCount).toBe(0);
    expect(facts).toEqual(dayFacts(day));
    expect(facts.bytes).toBe(700 + 1400 + 2100 + 2800);

    // A thread running (started by a large day's sum) answers the same small day.
    const warm = pool();
    await warm.dayFacts(await largeDay('large', SMALL_DAY_ENTRIES + 1));
    expect(warm.threadCount).toBe(1);
    expect(await warm.dayFacts(day)).toEqual(facts);
    const threadBatches = await walked(warm, day, 3);
    expect(warm.threadCount).toBe(1);
    // The same batches in the same tree order.
    expect(inlineBatches).toEqual(threadBatches);
    expect(inlineBatches.map((batch) => batch.length)).toEqual([3, 3, 3]);
  });

  it('leaves a day of more entries than the limit to a thread', async () => {
    const day = await largeDay('over', SMALL_DAY_ENTRIES + 1);
    const fresh = pool();
    expect((await fresh.dayFacts(day)).shape.files).toBe(SMALL_DAY_ENTRIES + 1);
    expect(fresh.threadCount).toBe(1);
  });

  it('reports a small day it cannot read as a thread does', async () => {
    const fresh = pool();
    const walk = async () => {
      for await (const _batch of fresh.walkDay(join(dir, 'no-such-day'), '2026/11/05'));
    };
    await expect(walk()).rejects.toMatchObject({ name: 'WalkUnreadableError', path: join(dir, 'no-such-day') });
    await expect(fresh.dayFacts(join(dir, 'no-such-day'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('hashes a few small files without starting a thread, with what a thread answers, an unreadable one named alike', async () => {
    const day = await smallDay('hashed');
    const files = [
      { path: join(day, 'host', 'f0.txt'), size: 0 },
      { path: join(day, 'host', 'etc', 'f1.txt'), size: 700 },
      { path: join(day, 'host', 'gone.txt'), size: 10 },
      { path: join(day, 'host', 'f4.txt'), size: 2800 },
    ];
    const hashed = async (workers: FileWorkers, list: typeof files) => {
      const outcomes: unknown[] = [];
      await workers.hash(list, {
        concurrency: 2,
        onHashed: (start, batch) => outcomes.splice(start, batch.length, ...batch),
      });
      return outcomes;
    };
    const fresh = pool();
    const inline = await hashed(fresh, files);
    expect(fresh.threadCount).toBe(0);
    expect(inline[1]).toEqual({ sha256: createHash('sha256').update('x'.repeat(700)).digest('hex'), size: 700 });
    expect(inline[2]).toEqual({ unreadable: { code: 'ENOENT', message: expect.stringContaining('gone.txt') } });

    // More bytes than the limit start a comparing thread, which then hashes the same files.
    const warm = pool();
    const big = join(day, 'big');
    await writeFile(big, Buffer.alloc(SMALL_HASH_BYTES + 1, 7));
    await hashed(warm, [{ path: big, size: SMALL_HASH_BYTES + 1 }]);
    expect(warm.threadCount).toBe(1);
    expect(await hashed(warm, files)).toEqual(inline);
  });

  it('compares with the disc in a thread, however few the files: a drive may hold a read for minutes on a bad sector', async () => {
    const day = await smallDay('compared');
    const fresh = pool();
    const file = join(day, 'host', 'f2.txt');
    expect(await fresh.compare([{ expectedPath: file, actualPath: file, size: 1400 }], { concurrency: 1 })).toEqual([
      'same',
    ]);
    expect(fresh.threadCount).toBe(1);
  });

  it('counts entries at every depth and stops at the first one past the limit; a missing tree is not small', async () => {
    const day = await smallDay('counted');
    // cback.stage, host, link; host/etc, f0, f2, f4; etc/f1, f3: nine entries.
    expect(await holdsAtMost(day, 9)).toBe(true);
    expect(await holdsAtMost(day, 8)).toBe(false);
    expect(await holdsAtMost(join(dir, 'gone'), SMALL_DAY_ENTRIES)).toBe(false);
  });
});
