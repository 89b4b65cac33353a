/**
 * Worker threads for the agent's file work (day-walker.ts, day-facts.ts, file-comparer.ts):
 * listing staging days and mounted discs, comparing files with the disc, summing a day's bytes,
 * reading directory times — with synchronous system calls off the event loop. The threads start
 * on first use and end after a few idle seconds, so an idle agent holds none.
 *
 * Small work is answered inline on the event loop when no thread of its kind is running
 * (inline-work.ts decides which, and why). Inline work answers exactly as a thread would (the
 * same code, the same messages). The unit tests also run everything inline: from the
 * TypeScript sources, where no compiled worker exists, or with a file system that fails on
 * purpose.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { NamedError } from '@cedar-store/domain';
import type { DayShape } from './day-facts.js';
import type { DayListing, ListedFile } from './day-walker.js';
import type { CompareTask, TaskOutcome } from './file-comparer.js';
import type { SyncFileSystem } from './sync-fs.js';
import { walkDayOn, type WalkHost, type WalkOptions } from './day-walk.js';
import {
  answer,
  failure,
  packTasks,
  type FinalMessage,
  type RequestBody,
  type ThreadMessage,
  type WorkerRequest,
} from './file-work-protocol.js';
import { dayHashedInline, dayInline, type StartsThread } from './inline-work.js';

export { HASH_BATCH_BYTES, WALK_BATCH, WalkUnreadableError } from './day-walk.js';

/** The thread a walk lives on (or the event loop, for a small day): its first request picks, every later one goes there. */
type Pin = { thread?: Thread; inline?: boolean };

type Job = {
  request: RequestBody;
  pin?: Pin | undefined;
  onBytes: (bytes: number) => void;
  resolve: (message: FinalMessage) => void;
  reject: (error: Error) => void;
};

/**
 * Comparisons hold a thread for a batch (up to 32 MiB, or one larger file: an hour on a slow
 * drive); listings and sizes are short and must not wait behind them — a store's staging
 * inspect on another device would run into its time limit. Each kind has its own threads.
 */
type Role = 'compare' | 'quick';

type Thread = {
  role: Role;
  worker: Worker;
  job: (Job & { id: number }) | undefined;
  idle: NodeJS.Timeout | undefined;
  /** Walks under way on this thread, and warm-ups keeping it (warmUp): it is not ended while any holds it. */
  holds: number;
};

/** A worker thread ended with a request unanswered (out of memory, killed): not a failure of the file work. */
export class WorkerExitError extends NamedError {
  constructor(message: string) {
    super(message);
  }
}

export type FileWorkersOptions = {
  /** Threads comparing at most (default: the cores, at least 2, at most 4); listings get up to QUICK_THREADS more. */
  size?: number;
  /** Runs every request inline with this file system: for tests that need a disk to fail. */
  inlineFileSystem?: SyncFileSystem;
  /** How long an idle thread is kept for the next request (default IDLE_MS). */
  idleMs?: number;
  /** The compiled worker; absent (running from sources), the work runs inline. */
  workerUrl?: URL;
};

/**
 * A thread kept longer holds the garbage of the files it compared (about 15 MiB each after a
 * day of 3 000 files: the agent's peak memory grew with every verify); one started per verify
 * costs a few dozen milliseconds, while xorriso lists the disc anyway. A verify's own requests
 * follow each other within this.
 */
const IDLE_MS = 2_000;

const QUICK_THREADS = 2;

/**
 * The parts a day's facts are summed in (dayFacts), one per quick thread: staging.inspect waits
 * for that walk, 0.55–0.8 s on one thread for a day of 100 000 small files, while a core idled.
 */
const DAY_PARTS = QUICK_THREADS;

/**
 * Each thread is a V8 heap of its own (about 9 MiB at rest). Its young generation would grow to
 * V8's default of tens of MiB, though what a thread allocates is short-lived (walk batches,
 * messages; the compare buffers are outside the heap): 2 MiB kept the agent's peak 10–15 MiB
 * lower on a verify of 100 000 files, at the same speed.
 */
const WORKER_YOUNG_GENERATION_MB = 2;

const DEFAULT_WORKER_URL = new URL('./file-worker.js', import.meta.url);

/** The unit tests run this module from its TypeScript source, where no compiled worker exists. */
const RUNNING_FROM_SOURCES = import.meta.url.endsWith('.ts');

/** Files per batch sent to a thread, and bytes: enough to make a message's cost vanish, few enough to spread the work. */
const BATCH_FILES = 256;

const BATCH_BYTES = 32 * 1024 * 1024;

export class FileWorkers {
  private readonly size: number;
  private readonly idleMs: number;
  private readonly workerPath: string | undefined;
  private readonly threads: Thread[] = [];
  private readonly queues: Record<Role, Job[]> = { compare: [], quick: [] };
  private nextId = 1;
  /** Whether work of a kind would start a thread now (inline-work.ts): none of its kind is running, busy or idle. */
  private readonly startsThread: StartsThread = (role) =>
    this.threaded && !this.threads.some((thread) => thread.role === role);
  /** What a walk needs of the pool: a small day walked inline, every later request on the thread its first picked. */
  private readonly walkHost: WalkHost<Pin> = {
    pin: async (root, hashing) => ({
      inline: await (hashing ? dayHashedInline : dayInline)(root, this.startsThread),
    }),
    send: (request, pin) => this.run(request, () => {}, { inline: pin.inline === true, pin }),
    unpin: (pin) => {
      if (!pin.thread) return;
      pin.thread.holds -= 1;
      if (pin.thread.job === undefined && this.threads.includes(pin.thread)) this.idle(pin.thread);
    },
  };

  constructor(private readonly options: FileWorkersOptions = {}) {
    this.size = Math.max(1, options.size ?? Math.min(4, Math.max(2, availableParallelism())));
    this.idleMs = options.idleMs ?? IDLE_MS;
    const path = fileURLToPath(options.workerUrl ?? DEFAULT_WORKER_URL);
    const present = existsSync(path);
    // Inline, a large file's comparison would hold the event loop for minutes and the controller
    // would lose the agent: only tests may have it, never an installed agent missing a file.
    if (!present && options.inlineFileSystem === undefined && !(RUNNING_FROM_SOURCES && !options.workerUrl)) {
      throw new Error(`the agent's file worker ${path} is missing: reinstall the agent (npm run build in a checkout)`);
    }
    this.workerPath = options.inlineFileSystem === undefined && present ? path : undefined;
  }

  /** How many threads compare at most. */
  get compareThreads(): number {
    return this.size;
  }

  /** Whether the work runs in worker threads (false: inline on the event loop). */
  get threaded(): boolean {
    return this.workerPath !== undefined;
  }

  /** The worker threads running now, busy or idle. */
  get threadCount(): number {
    return this.threads.length;
  }

  /** A day's tree (listDay in day-walker.ts); `keepGoing` for a mounted disc, where what cannot be read is a finding. */
  async listDay(root: string, graftPoint: string, keepGoing = false): Promise<DayListing> {
    const message = await this.run({ kind: 'listDay', root, graftPoint, keepGoing });
    if (message.kind !== 'listDay') throw failure(message);
    return message.listing;
  }

  /**
   * A day's tree a batch at a time, in tree order, walked by a thread that keeps its place
   * between batches (day-walk.ts). Throws WalkUnreadableError where the walk could not read
   * (never with `keepGoing`). With `hash`, each file is hashed as the walk comes to it, on a
   * comparing thread (a staging day's manifest: one read of each file, no path crossing threads).
   */
  walkDay(root: string, graftPoint: string, options: WalkOptions = {}): AsyncGenerator<ListedFile[], void, undefined> {
    return walkDayOn(this.walkHost, root, graftPoint, options);
  }

  /**
   * A day's bytes (indicators left out) and its shape for the image bound. A day for the threads
   * is walked in DAY_PARTS parts at once, one per quick thread, and their facts added; a small
   * day inline (or a pool without threads) in one walk. If a part fails, the call fails with its
   * error once every part has answered.
   */
  async dayFacts(root: string): Promise<{ bytes: number; shape: DayShape }> {
    const inline = await dayInline(root, this.startsThread);
    const parts = inline || !this.threaded ? [undefined] : Array.from({ length: DAY_PARTS }, (_, index) => index);
    const settled = await Promise.allSettled(
      parts.map((index) =>
        this.run(
          { kind: 'dataBytes', root, ...(index === undefined ? {} : { part: { index, of: DAY_PARTS } }) },
          () => {},
          { inline },
        ),
      ),
    );
    // One summing thread stays for the walk that usually follows (a verify's, the manifest's);
    // the other would keep its walk's garbage (about 10 MiB on 100 000 files) through it.
    if (parts.length > 1) this.endIdle('quick', 1);
    let bytes = 0;
    const shape: DayShape = { files: 0, directories: 0, nameBytes: 0, dataSectors: 0 };
    for (const result of settled) {
      if (result.status === 'rejected') throw result.reason;
      const message = result.value;
      if (message.kind !== 'dataBytes') throw failure(message);
      bytes += message.bytes;
      shape.files += message.shape.files;
      shape.directories += message.shape.directories;
      shape.nameBytes += message.shape.nameBytes;
      shape.dataSectors += message.shape.dataSectors;
    }
    return { bytes, shape };
  }

  async directoryTimes(root: string): Promise<number[]> {
    const message = await this.run({ kind: 'directoryTimes', root });
    if (message.kind !== 'directoryTimes') throw failure(message);
    return message.times;
  }

  /**
   * Compares the files with their twins — at their extents on the opened disc `mediaFd`, or
   * on a mount — in batches of consecutive tasks, `concurrency` batches at a time. After a
   * staging file that cannot be read no new batch starts; the outcomes of files never compared
   * are left undefined. Always in threads, however few the files (unlike a small day's hash):
   * a drive or a mount can hold a read for minutes on a bad sector, which is what a verify
   * looks for.
   */
  async compare(
    tasks: readonly CompareTask[],
    options: {
      mediaFd?: number;
      concurrency: number;
      onBytes?: (bytes: number) => void;
      /** Hears each batch's SHA-256s (null for a file not found the same), by the index of its first task. */
      onHashes?: (start: number, hashes: readonly (string | null)[]) => void;
    },
  ): Promise<(TaskOutcome | undefined)[]> {
    const outcomes: (TaskOutcome | undefined)[] = new Array(tasks.length);
    const batches = batchesOf(tasks);
    let next = 0;
    let stopped = false;
    const lane = async (): Promise<void> => {
      while (!stopped && next < batches.length) {
        const { start, end } = batches[next++]!;
        try {
          const message = await this.run(
            {
              kind: 'compare',
              mediaFd: options.mediaFd,
              tasks: packTasks(tasks.slice(start, end)),
              ...(options.onHashes ? { hash: true } : {}),
            },
            options.onBytes ?? (() => {}),
          );
          if (message.kind !== 'compare') throw failure(message);
          message.outcomes.forEach((outcome, index) => (outcomes[start + index] = outcome));
          if (message.hashes) options.onHashes?.(start, message.hashes);
          if (message.outcomes.some((outcome) => typeof outcome === 'object')) stopped = true;
        } catch (error) {
          stopped = true;
          throw error;
        }
      }
    };
    const lanes = Array.from({ length: Math.max(1, Math.min(options.concurrency, batches.length)) }, lane);
    // Every lane settles before a failure is thrown: no read is left running on a disc about to close.
    const settled = await Promise.allSettled(lanes);
    const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
    return outcomes;
  }

  /**
   * Starts up to `count` comparing threads ahead of their work (a verify's, while xorriso lists
   * the disc: a thread takes 70–470 ms to start on two loaded cores) and keeps them until the
   * answer is called; then they idle as ever. Inline, nothing starts.
   */
  warmUp(count: number): () => void {
    if (!this.workerPath) return () => {};
    const held = this.threads.filter((thread) => thread.role === 'compare').slice(0, count);
    while (held.length < Math.min(count, this.size)) {
      const thread = this.startThread('compare');
      if (!thread) break;
      this.idle(thread);
      held.push(thread);
    }
    for (const thread of held) thread.holds += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const thread of held) {
        thread.holds -= 1;
        if (thread.job === undefined && this.threads.includes(thread)) this.idle(thread);
      }
    };
  }

  /** Ends every thread now, failing what still waits (an idle pool ends its threads by itself). */
  async close(): Promise<void> {
    for (const queue of Object.values(this.queues)) {
      for (const job of queue.splice(0)) job.reject(new WorkerExitError('the file workers were closed'));
    }
    await Promise.all(this.threads.splice(0).map((thread) => thread.worker.terminate()));
  }

  /**
   * Runs a request inline (`inline`) or on a thread of its kind. Only a walk passes a `pin`: the
   * thread its first request gets is held for it (unpin releases it), and every later one goes there.
   */
  private run(
    request: RequestBody,
    onBytes: (bytes: number) => void = () => {},
    how: { inline?: boolean; pin?: Pin } = {},
  ): Promise<FinalMessage> {
    const { inline = false, pin } = how;
    if (!this.workerPath || inline) return this.runInline(request, onBytes);
    return new Promise((resolve, reject) => {
      this.queues[roleOf(request)].push({ request, pin, onBytes, resolve, reject });
      this.dispatch();
    });
  }

  private async runInline(request: RequestBody, onBytes: (bytes: number) => void): Promise<FinalMessage> {
    // A turn of the event loop between requests, as a thread would give.
    await new Promise((resolve) => setImmediate(resolve));
    const message = answer({ ...request, id: 0 } as WorkerRequest, onBytes, this.options.inlineFileSystem);
    return message as FinalMessage;
  }

  private dispatch(): void {
    for (const role of ['quick', 'compare'] as const) this.dispatchRole(role);
  }

  private dispatchRole(role: Role): void {
    const queue = this.queues[role];
    for (let i = 0; i < queue.length;) {
      const job = queue[i]!;
      const pinned = job.pin?.thread;
      let thread: Thread | undefined;
      if (pinned) {
        if (!this.threads.includes(pinned)) {
          queue.splice(i, 1);
          job.reject(new WorkerExitError('the file worker thread walking a day ended'));
          continue;
        }
        thread = pinned.job === undefined ? pinned : undefined;
      } else {
        thread =
          this.threads.find((candidate) => candidate.role === role && candidate.job === undefined) ??
          this.startThread(role);
        if (thread && job.pin) {
          job.pin.thread = thread;
          thread.holds += 1;
        }
      }
      if (!thread) {
        // A pinned job waits for its thread; others wait for any (they may still pass it).
        i += 1;
        continue;
      }
      queue.splice(i, 1);
      if (thread.idle) clearTimeout(thread.idle);
      thread.idle = undefined;
      thread.job = { ...job, id: this.nextId++ };
      thread.worker.ref();
      thread.worker.postMessage({ ...job.request, id: thread.job.id });
    }
  }

  private startThread(role: Role): Thread | undefined {
    const limit = role === 'compare' ? this.size : QUICK_THREADS;
    if (!this.workerPath || this.threads.filter((thread) => thread.role === role).length >= limit) return undefined;
    const worker = new Worker(this.workerPath, {
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
    });
    const thread: Thread = { role, worker, job: undefined, idle: undefined, holds: 0 };
    thread.worker.on('message', (message: ThreadMessage) => this.onMessage(thread, message));
    thread.worker.on('error', (error) => this.onExit(thread, new WorkerExitError(error.message)));
    thread.worker.on('exit', (code) =>
      this.onExit(thread, new WorkerExitError(`a file worker thread ended (exit code ${code})`)),
    );
    this.threads.push(thread);
    return thread;
  }

  private onMessage(thread: Thread, message: ThreadMessage): void {
    const job = thread.job;
    if (!job || message.id !== job.id) return;
    if (message.kind === 'bytes') {
      job.onBytes(message.bytes);
      return;
    }
    if (message.progress) job.onBytes(message.progress);
    thread.job = undefined;
    job.resolve(message);
    this.dispatch();
    if (thread.job === undefined) this.idle(thread);
  }

  /** An idle thread does not keep the agent running, and ends after idleMs. */
  private idle(thread: Thread): void {
    if (thread.idle) clearTimeout(thread.idle);
    thread.worker.unref();
    thread.idle = setTimeout(() => {
      if (this.threads.includes(thread) && thread.job === undefined && thread.holds === 0) this.end(thread);
    }, this.idleMs);
    thread.idle.unref();
  }

  /** Ends the idle threads of `role` beyond the first `keep` now, rather than after idleMs. */
  private endIdle(role: Role, keep: number): void {
    const idle = this.threads.filter(
      (thread) => thread.role === role && thread.job === undefined && thread.holds === 0,
    );
    for (const thread of idle.slice(keep)) this.end(thread);
  }

  /** Takes an idle thread out of the pool and ends it. */
  private end(thread: Thread): void {
    this.threads.splice(this.threads.indexOf(thread), 1);
    if (thread.idle) clearTimeout(thread.idle);
    void thread.worker.terminate();
  }

  private onExit(thread: Thread, error: Error): void {
    const index = this.threads.indexOf(thread);
    if (index >= 0) this.threads.splice(index, 1);
    if (thread.idle) clearTimeout(thread.idle);
    const job = thread.job;
    thread.job = undefined;
    job?.reject(error);
    this.dispatch();
  }
}

/** Walks are quick: a batch is a few milliseconds of directory reads. A hashing walk reads every file: a comparing thread's work. */
function roleOf(request: RequestBody): Role {
  return request.kind === 'compare' || (request.kind === 'walk' && request.hashBytes !== undefined)
    ? 'compare'
    : 'quick';
}

/** Consecutive runs of tasks, each at most BATCH_FILES files and BATCH_BYTES bytes (a larger file alone). */
function batchesOf(tasks: readonly { size: number }[]): { start: number; end: number }[] {
  const batches: { start: number; end: number }[] = [];
  let start = 0;
  let bytes = 0;
  tasks.forEach((task, index) => {
    if (index > start && (index - start >= BATCH_FILES || bytes + task.size > BATCH_BYTES)) {
      batches.push({ start, end: index });
      start = index;
      bytes = 0;
    }
    bytes += task.size;
  });
  if (start < tasks.length) batches.push({ start, end: tasks.length });
  return batches;
}

/**
 * Runs `work` on the pool the caller injected (the agent's one pool, built by its composition
 * root), or on a pool of its own, closed afterwards, when none was given.
 */
export async function withFileWorkers<T>(
  workers: FileWorkers | undefined,
  work: (workers: FileWorkers) => Promise<T>,
): Promise<T> {
  if (workers) return work(workers);
  const own = new FileWorkers();
  try {
    return await work(own);
  } finally {
    await own.close();
  }
}
