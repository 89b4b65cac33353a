import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayFacts } from './day-facts.js';
import { compiledWorker } from '../testing/compiled-worker.js';
import { FileWorkers } from './file-workers.js';
import { holdsAtMost, SMALL_DAY_ENTRIES, SMALL_HASH_BYTES } from './inline-work.js';

/**
 * A stand-in thread whose answers no file work gives (-1 bytes, a hash 'from a thread'): what
 * it answers was run on a thread, what the real work answers was run inline.
 */
async function standInWorker(into: string): Promise<URL> {
  const path = join(into, 'stand-in-worker.mjs');
  await writeFile(
    path,
    [
      "import { parentPort } from 'node:worker_threads';",
      'const shape = { files: -1, directories: 0, nameBytes: 0, dataSectors: 0 };',
      "const file = { path: 'from a thread', kind: 'file', size: -1, absolutePath: '', sha256: 'hashed there' };",
      'parentPort.on("message", (request) => {',
      '  const answers = {',
      '    dataBytes: () => ({ kind: "dataBytes", bytes: -1, shape }),',
      '    hash: () => ({ kind: "hash", outcomes: request.paths.map(() => ({ sha256: "from a thread", size: -1 })) }),',
      '    walk: () => ({ kind: "walk", batch: { files: [file], done: true } }),',
      '    walkEnd: () => ({ kind: "walkEnd" }),',
      '  };',
      '  const answer = answers[request.kind]?.() ?? { kind: "failed", error: { message: "not scripted" } };',
      '  parentPort.postMessage({ id: request.id, ...answer });',
      '});',
      '',
    ].join('\n'),
  );
  return pathToFileURL(path);
}

describe('FileWorkers with no thread running (the inline shortcut)', () => {
  let dir: string;
  let workerUrl: URL;
  const pools: FileWorkers[] = [];
  /** A pool whose threads outlive the test (no idle end within it): what runs on one stays observable. */
  const pool = (url = workerUrl) => {
    const workers = new FileWorkers({ workerUrl: url, size: 2, idleMs: 60_000 });
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

  /** A day of exactly `entries` entries: a directory `sub` and files of `i` bytes, half of them in it. */
  async function dayOf(name: string, entries: number): Promise<string> {
    const day = join(dir, name);
    await mkdir(join(day, 'sub'), { recursive: true });
    for (let i = 1; i < entries; i++) await writeFile(join(day, i % 2 ? 'sub' : '', `f${i}`), 'z'.repeat(i));
    return day;
  }

  const walked = async (workers: FileWorkers, root: string, batch: number) => {
    const batches: string[][] = [];
    for await (const files of workers.walkDay(root, '2026/11/05', { batch })) {
      batches.push(files.map((file) => `${file.path} ${file.kind} ${file.size} ${file.target ?? ''}`));
    }
    return batches;
  };

  /** A day walked and hashed (a staging day's manifest): each file's path, size and hash, in walk order. */
  const hashed = async (workers: FileWorkers, root: string) => {
    const files: string[] = [];
    for await (const batch of workers.walkDay(root, '2026/11/05', { hash: true })) {
      for (const file of batch) if (file.kind === 'file') files.push(`${file.path} ${file.size} ${file.sha256}`);
    }
    return files;
  };

  /** A day of `count` files of `size` bytes each. */
  async function filesOf(name: string, count: number, size: number): Promise<string> {
    await mkdir(join(dir, name), { recursive: true });
    for (let i = 0; i < count; i++) await writeFile(join(dir, name, `h${i}`), Buffer.alloc(size, i % 251));
    return join(dir, name);
  }

  const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'inline-work-'));
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

    // A thread running (a large day's sum started two, one per part, and kept one) answers the same small day.
    const warm = pool();
    await warm.dayFacts(await largeDay('large', SMALL_DAY_ENTRIES + 1));
    expect(warm.threadCount).toBe(1);
    expect(await warm.dayFacts(day)).toEqual(facts);
    const threadBatches = await walked(warm, day, 3);
    expect(warm.threadCount).toBeGreaterThanOrEqual(1);
    // The same batches in the same tree order.
    expect(inlineBatches).toEqual(threadBatches);
    expect(inlineBatches.map((batch) => batch.length)).toEqual([3, 3, 3]);
  });

  it('sums and walks a day of 64 entries (a directory among them) inline, and starts a thread for 65', async () => {
    expect(SMALL_DAY_ENTRIES).toBe(64);
    const atLimit = await dayOf('entries-64', 64);
    const overLimit = await dayOf('entries-65', 65);

    const summing = pool();
    const facts = await summing.dayFacts(atLimit);
    expect(summing.threadCount).toBe(0);
    expect(facts).toEqual(dayFacts(atLimit));
    expect(facts.shape).toMatchObject({ files: 63, directories: 1 });
    expect(await summing.dayFacts(overLimit)).toEqual(dayFacts(overLimit));
    // Summed in two parts, one per thread; one of them stays.
    expect(summing.threadCount).toBe(1);

    const walking = pool();
    const inlineBatches = await walked(walking, atLimit, 10);
    expect(walking.threadCount).toBe(0);
    expect(inlineBatches.flat()).toHaveLength(64);
    expect((await walked(walking, overLimit, 10)).flat()).toHaveLength(65);
    expect(walking.threadCount).toBe(1);
    // The thread now running walks the 64 entries the same.
    expect(await walked(walking, atLimit, 10)).toEqual(inlineBatches);
  });

  it('walks and hashes a day of 64 entries inline and starts a comparing thread for 65, with the same outcomes', async () => {
    const atLimit = await filesOf('count-64', 64, 100);
    const overLimit = await filesOf('count-65', 65, 100);
    const fresh = pool();
    const inline = await hashed(fresh, atLimit);
    expect(fresh.threadCount).toBe(0);
    expect(inline).toHaveLength(64);
    expect(inline).toContain(`2026/11/05/h63 100 ${sha256(Buffer.alloc(100, 63))}`);

    const threaded = await hashed(fresh, overLimit);
    expect(fresh.threadCount).toBe(1);
    expect(threaded).toContain(`2026/11/05/h64 100 ${sha256(Buffer.alloc(100, 64))}`);
    // The thread now running hashes the 64 the same.
    expect(await hashed(fresh, atLimit)).toEqual(inline);
  });

  it('walks and hashes a day of 1 MiB in all inline and starts a thread for one byte more, with the same outcomes', async () => {
    expect(SMALL_HASH_BYTES).toBe(1024 * 1024);
    const half = SMALL_HASH_BYTES / 2;
    const atLimit = await filesOf('bytes', 2, half);
    const over = await filesOf('bytes-over', 2, half);
    await writeFile(join(over, 'h1'), Buffer.alloc(half + 1, 1));

    const fresh = pool();
    const inline = await hashed(fresh, atLimit);
    expect(fresh.threadCount).toBe(0);
    expect(inline).toEqual([
      `2026/11/05/h0 ${half} ${sha256(Buffer.alloc(half, 0))}`,
      `2026/11/05/h1 ${half} ${sha256(Buffer.alloc(half, 1))}`,
    ]);

    expect(await hashed(fresh, over)).toEqual([
      inline[0],
      `2026/11/05/h1 ${half + 1} ${sha256(Buffer.alloc(half + 1, 1))}`,
    ]);
    expect(fresh.threadCount).toBe(1);
    // The thread now running hashes the first day the same.
    expect(await hashed(fresh, atLimit)).toEqual(inline);
  });

  it('hashes a small day only on a comparing thread: a listing thread running leaves it inline', async () => {
    const day = await smallDay('hashed');
    const fresh = pool();
    const inline = await hashed(fresh, day);
    expect(fresh.threadCount).toBe(0);
    expect(inline).toContain(`2026/11/05/host/etc/f1.txt 700 ${sha256(Buffer.from('x'.repeat(700)))}`);
    expect(inline).toHaveLength(6);

    // A listing thread running (a large day's sum keeps one) does not take the hash.
    await fresh.dayFacts(await largeDay('hashed-large', SMALL_DAY_ENTRIES + 1));
    expect(fresh.threadCount).toBe(1);
    expect(await hashed(fresh, day)).toEqual(inline);
    expect(fresh.threadCount).toBe(1);
  });

  it('leaves small work to a thread of its kind once one is running, and only of its kind', async () => {
    const day = await smallDay('taken');
    const real = `2026/11/05/host/etc/f1.txt 700 ${sha256(Buffer.from('x'.repeat(700)))}`;
    const workers = pool(await standInWorker(dir));
    expect((await workers.dayFacts(day)).bytes).toBe(7000);
    expect(await hashed(workers, day)).toContain(real);
    expect(workers.threadCount).toBe(0);

    // A comparing thread running takes the small hash, not the small day.
    const release = workers.warmUp(1);
    try {
      expect(workers.threadCount).toBe(1);
      expect(await hashed(workers, day)).toEqual(['from a thread -1 hashed there']);
      expect((await workers.dayFacts(day)).bytes).toBe(7000);
      expect((await walked(workers, day, 100)).flat()).toHaveLength(9);
      expect(workers.threadCount).toBe(1);

      // A day over the limit starts two listing threads (-1 from each part) and keeps one, which
      // then takes the small day too (in two parts, now that a thread of its kind runs).
      expect((await workers.dayFacts(await largeDay('taken-large', SMALL_DAY_ENTRIES + 1))).bytes).toBe(-2);
      expect(workers.threadCount).toBe(2);
      expect((await workers.dayFacts(day)).bytes).toBe(-2);
      expect(await walked(workers, day, 100)).toEqual([['from a thread file -1 ']]);
    } finally {
      release();
    }
  });

  it('reports a small day it cannot read as a thread does', async () => {
    const fresh = pool();
    const walk = async () => {
      for await (const _batch of fresh.walkDay(join(dir, 'no-such-day'), '2026/11/05'));
    };
    await expect(walk()).rejects.toMatchObject({ name: 'WalkUnreadableError', path: join(dir, 'no-such-day') });
    await expect(fresh.dayFacts(join(dir, 'no-such-day'))).rejects.toMatchObject({ code: 'ENOENT' });
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
