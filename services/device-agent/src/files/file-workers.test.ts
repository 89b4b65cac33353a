import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayFacts } from './day-facts.js';
import { compiledWorker } from '../testing/compiled-worker.js';
import { FileWorkers } from './file-workers.js';
import { SMALL_DAY_ENTRIES } from './inline-work.js';

const SECTOR = 2048;

describe('FileWorkers in worker threads', () => {
  let dir: string;
  let workers: FileWorkers;
  let image: string;
  let workerUrl: URL;
  const files = 700; // three batches of 256 and more

  /** Each file `n` holds `n` bytes of its own pattern at sector 10 + n·2 of the disc. */
  const bytesOf = (n: number) => Buffer.alloc(n + 1, n % 251);
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'file-workers-'));
    workerUrl = await compiledWorker(dir);
    workers = new FileWorkers({ workerUrl, size: 2, idleMs: 100 });
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
    expect((await workers.dayFacts(join(dir, 'day'))).bytes).toBe((files * (files + 1)) / 2);
  });

  it('walks a day a batch at a time from the thread that keeps its place, while other listings run', async () => {
    const walked: string[] = [];
    const sizes: number[] = [];
    const others: Promise<number>[] = [];
    for await (const batch of workers.walkDay(join(dir, 'day'), '2026/11/26', { batch: 64 })) {
      sizes.push(batch.length);
      walked.push(...batch.map((file) => file.path));
      // Another request for the quick threads between two batches of the walk.
      others.push(workers.dayFacts(join(dir, 'day')).then((facts) => facts.bytes));
    }
    const listing = await workers.listDay(join(dir, 'day'), '2026/11/26');
    if (!('files' in listing)) throw new Error('expected a listing');
    expect(walked).toEqual(listing.files.map((file) => file.path));
    expect(new Set(walked).size).toBe(files + 2);
    expect(Math.max(...sizes)).toBe(64);
    expect(new Set(await Promise.all(others))).toEqual(new Set([(files * (files + 1)) / 2]));
  });

  it('lists entries in tree order: a directory, then its entries by code point, then its next sibling', async () => {
    const tree = join(dir, 'tree');
    for (const name of ['a/x/1', 'a/x-1', 'a b', 'a-b', '\u{1F600}', '\uFF21']) {
      await mkdir(join(tree, name, '..'), { recursive: true });
      await writeFile(join(tree, name), '');
    }
    const walked: string[] = [];
    for await (const batch of workers.walkDay(tree, 'd', { batch: 2 })) walked.push(...batch.map((file) => file.path));
    expect(walked).toEqual(['d/a', 'd/a/x', 'd/a/x/1', 'd/a/x-1', 'd/a b', 'd/a-b', 'd/\uFF21', 'd/\u{1F600}']);
  });

  it('ends a walk left early, and walks again after', async () => {
    for await (const batch of workers.walkDay(join(dir, 'day'), '2026/11/26', { batch: 8 })) {
      expect(batch).toHaveLength(8);
      break;
    }
    let count = 0;
    for await (const batch of workers.walkDay(join(dir, 'day'), '2026/11/26', { batch: 500 })) count += batch.length;
    expect(count).toBe(files + 2);
  });

  it('says which staging directory a walk could not read', async () => {
    const walk = async () => {
      for await (const _batch of workers.walkDay(join(dir, 'no-such-day'), '2026/11/26'));
    };
    await expect(walk()).rejects.toMatchObject({ name: 'WalkUnreadableError', path: join(dir, 'no-such-day') });
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

  /** A day above the inline limit: files and a link at its top, an indicator, directories of files and links. */
  async function largerDay(name: string): Promise<string> {
    const day = join(dir, name);
    for (const sub of ['a', 'b', 'c/deeper', 'd', 'e']) await mkdir(join(day, sub), { recursive: true });
    await writeFile(join(day, 'cback.stage'), 'indicator');
    await writeFile(join(day, 'top'), 'x'.repeat(3000));
    await symlink('top', join(day, 'top-link'));
    for (const [index, sub] of ['a', 'b', 'c/deeper', 'd', 'e'].entries()) {
      for (let n = 0; n < 20; n++) await writeFile(join(day, sub, `f${n}`), 'y'.repeat(index * 1000 + n));
      await symlink('f0', join(day, sub, 'link'));
    }
    return day;
  }

  /**
   * A chain of directories under `at` whose deepest path is longer than Linux's PATH_MAX (4096):
   * no user can list it, root included. Returns its undoing (rm cannot remove it as it is).
   */
  async function tooDeep(at: string): Promise<() => Promise<void>> {
    const levels = 24;
    const long = 'n'.repeat(200);
    const short = (depth: number) => Array<string>(depth).fill('s');
    await mkdir(join(at, ...short(levels)), { recursive: true });
    for (let depth = levels; depth >= 1; depth--)
      await rename(join(at, ...short(depth)), join(at, ...short(depth - 1), long));
    return async () => {
      for (let depth = 1; depth <= levels; depth++)
        await rename(join(at, ...short(depth - 1), long), join(at, ...short(depth)));
    };
  }

  it('sums a day above the inline limit in two parts as the whole walk sums it, and keeps one thread', async () => {
    const day = await largerDay('larger');
    const pool = new FileWorkers({ workerUrl, size: 1, idleMs: 10_000 });
    try {
      const facts = await pool.dayFacts(day);
      expect(facts.shape.files + facts.shape.directories).toBeGreaterThan(SMALL_DAY_ENTRIES);
      expect(facts).toEqual(dayFacts(day));
      // The second summing thread ends at once, long before idleMs: it would hold its walk's garbage.
      expect(pool.threadCount).toBe(1);
    } finally {
      await pool.close();
    }
  });

  it('lets the threads that summed a day end once idle', async () => {
    const day = await largerDay('idle');
    const pool = new FileWorkers({ workerUrl, size: 1, idleMs: 50 });
    try {
      await pool.dayFacts(day);
      await sleep(300);
      expect(pool.threadCount).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it('hashes a day in a walk on one comparing thread, which ends once idle', async () => {
    const day = await largerDay('hashed');
    const pool = new FileWorkers({ workerUrl, size: 2, idleMs: 50 });
    try {
      const files: { path: string; size: number; sha256?: string }[] = [];
      for await (const batch of pool.walkDay(day, '2026/11/05', { hash: true, batch: 16 })) {
        files.push(...batch.filter((file) => file.kind === 'file'));
        expect(pool.threadCount).toBe(1);
      }
      // Every regular file once, hashed from its bytes; the size is the bytes read.
      expect(files).toHaveLength(2 + 5 * 20);
      const f7 = files.find((file) => file.path === '2026/11/05/d/f7');
      expect(f7).toMatchObject({ size: 3007, sha256: createHash('sha256').update('y'.repeat(3007)).digest('hex') });
      await sleep(300);
      expect(pool.threadCount).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it('fails a day’s sum whose part cannot list a directory with the error the whole walk gives', async () => {
    for (const host of ['a', 'b']) {
      // a is in the first part, b in the second.
      const day = await largerDay(`unreadable-${host}`);
      const undo = await tooDeep(join(day, host));
      const pool = new FileWorkers({ workerUrl, size: 1 });
      try {
        let whole: unknown;
        try {
          dayFacts(day);
        } catch (error) {
          whole = error;
        }
        expect(whole).toMatchObject({ code: 'ENAMETOOLONG', message: expect.stringContaining('scandir') });
        const { code, message } = whole as { code: string; message: string };
        await expect(pool.dayFacts(day)).rejects.toMatchObject({ code, message });
      } finally {
        await pool.close();
        await undo();
      }
    }
  });

  /** A stand-in worker speaking the protocol, whose behaviour each batch's first file names: `slow-…`, `die-…`, `hang-…`. */
  async function scriptedWorker(): Promise<URL> {
    const path = join(dir, 'scripted-worker.mjs');
    await writeFile(
      path,
      [
        "import { parentPort } from 'node:worker_threads';",
        "import { writeFileSync } from 'node:fs';",
        "import { basename, dirname, join } from 'node:path';",
        'parentPort.on("message", (request) => {',
        '  const shape = { files: 0, directories: 0, nameBytes: 0, dataSectors: 0 };',
        '  const bytes = (request.part?.index ?? 0) === 0 ? 42 : 0;',
        '  if (request.kind !== "compare") return parentPort.postMessage({ id: request.id, kind: "dataBytes", bytes, shape });',
        '  const first = request.tasks.expected[0];',
        '  const name = basename(first);',
        '  const answer = () => {',
        '    writeFileSync(join(dirname(first), `answered-${name}`), "");',
        '    parentPort.postMessage({ id: request.id, kind: "compare", outcomes: request.tasks.expected.map(() => "same") });',
        '  };',
        '  if (name.startsWith("hang-")) return;',
        '  if (name.startsWith("die-")) process.exit(9);',
        '  if (name.startsWith("slow-")) setTimeout(answer, 300);',
        '  else answer();',
        '});',
        '',
      ].join('\n'),
    );
    return pathToFileURL(path);
  }

  const named = (names: string[]) =>
    names.map((name) => ({ expectedPath: join(dir, 'scripted', name), actualPath: join(dir, 'x'), size: 1 }));

  it('answers a staging listing or size while every comparing thread is busy with a long batch', async () => {
    await mkdir(join(dir, 'scripted'), { recursive: true });
    const pool = new FileWorkers({ workerUrl: await scriptedWorker(), size: 2 });
    const comparing = pool.compare(named(['hang-1', ...Array(255).fill('x'), 'hang-2']), { concurrency: 2 });
    comparing.catch(() => {});
    // Both comparing threads hold a batch that never ends; the size still comes back.
    expect((await pool.dayFacts(join(dir, 'day'))).bytes).toBe(42);
    await pool.close();
    await expect(comparing).rejects.toThrow(/ended|closed/);
  });

  it('fails a compare whose thread dies mid-way only once the other running batch is done, and starts no more', async () => {
    await mkdir(join(dir, 'scripted'), { recursive: true });
    const pool = new FileWorkers({ workerUrl: await scriptedWorker(), size: 2 });
    const tasks = named(['slow-a', ...Array(255).fill('n'), 'die-b', ...Array(255).fill('n'), 'normal-c']);
    await expect(pool.compare(tasks, { concurrency: 2 })).rejects.toThrow(/exit code 9/);
    // The slow batch had answered before the failure was thrown: the disc was still open for it.
    expect(existsSync(join(dir, 'scripted', 'answered-slow-a'))).toBe(true);
    expect(existsSync(join(dir, 'scripted', 'answered-normal-c'))).toBe(false);
    await pool.close();
  });

  it('refuses to start without its compiled worker rather than compare on the event loop', () => {
    expect(() => new FileWorkers({ workerUrl: pathToFileURL(join(dir, 'no-such-worker.js')) })).toThrow(
      /file worker .*no-such-worker\.js is missing: reinstall the agent/,
    );
  });

  it('rejects the request of a thread that cannot start, and the pool serves the next one after', async () => {
    const broken = new FileWorkers({ workerUrl: pathToFileURL(join(dir, 'sync-fs.js')), size: 1 });
    // A module that is no worker answers nothing and ends: the request fails instead of waiting for ever.
    await expect(broken.dayFacts(join(dir, 'day'))).rejects.toThrow(/file worker thread ended/);
    await broken.close();
    expect((await workers.dayFacts(join(dir, 'day'))).bytes).toBe((files * (files + 1)) / 2);
  });

  it('keeps warmed-up comparing threads past their idle time until released, then ends them', async () => {
    const pool = new FileWorkers({ workerUrl, size: 2, idleMs: 50 });
    try {
      const release = pool.warmUp(4);
      expect(pool.threadCount).toBe(2);
      await sleep(300);
      expect(pool.threadCount).toBe(2);
      release();
      await sleep(300);
      expect(pool.threadCount).toBe(0);
    } finally {
      await pool.close();
    }
  });
});
