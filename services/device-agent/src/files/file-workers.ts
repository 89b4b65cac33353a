/**
 * Worker threads for the verify's file work (file-work.ts): listing staging days and comparing
 * files with their extents on the disc, with synchronous system calls off the event loop. The
 * threads start on first use and end after a few idle seconds, so an idle agent holds none.
 *
 * Where the compiled worker is absent (the unit tests run the TypeScript sources), or a test
 * hands in a file system that fails on purpose, the same work runs inline on the event loop.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CompareTask, DayListing, SyncFileSystem, TaskOutcome } from './file-work.js';
import { answer, type WorkerMessage, type WorkerRequest } from './file-work-protocol.js';

/** Request without its id: the pool numbers them. */
type Request = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, 'id'> : never) : never;
type Final = Exclude<WorkerMessage, { kind: 'bytes' }>;

type Job = {
  request: Request;
  onBytes: (bytes: number) => void;
  resolve: (message: Final) => void;
  reject: (error: Error) => void;
};

type Thread = { worker: Worker; job: (Job & { id: number }) | undefined; idle: NodeJS.Timeout | undefined };

export type FileWorkersOptions = {
  /** Threads at most (default: the cores, at least 2, at most 4). */
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

const DEFAULT_WORKER_URL = new URL('./file-worker.js', import.meta.url);

/** Files per batch sent to a thread, and bytes: enough to make a message's cost vanish, few enough to spread the work. */
const BATCH_FILES = 256;
const BATCH_BYTES = 32 * 1024 * 1024;

export class FileWorkers {
  private readonly size: number;
  private readonly idleMs: number;
  private readonly workerPath: string | undefined;
  private readonly threads: Thread[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;

  constructor(private readonly options: FileWorkersOptions = {}) {
    this.size = Math.max(1, options.size ?? Math.min(4, Math.max(2, availableParallelism())));
    this.idleMs = options.idleMs ?? IDLE_MS;
    const path = fileURLToPath(options.workerUrl ?? DEFAULT_WORKER_URL);
    this.workerPath = options.inlineFileSystem === undefined && existsSync(path) ? path : undefined;
  }

  /** Whether the work runs in worker threads (false: inline on the event loop). */
  get threaded(): boolean {
    return this.workerPath !== undefined;
  }

  /** A day's tree (listDay in file-work.ts); `keepGoing` for a mounted disc, where what cannot be read is a finding. */
  async listDay(root: string, graftPoint: string, keepGoing = false): Promise<DayListing> {
    const message = await this.run({ kind: 'listDay', root, graftPoint, keepGoing });
    if (message.kind !== 'listDay') throw failure(message);
    return message.listing;
  }

  async dataBytes(root: string): Promise<number> {
    const message = await this.run({ kind: 'dataBytes', root });
    if (message.kind !== 'dataBytes') throw failure(message);
    return message.bytes;
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
   * are left undefined.
   */
  async compare(
    tasks: readonly CompareTask[],
    options: { mediaFd?: number; concurrency: number; onBytes?: (bytes: number) => void },
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
            { kind: 'compare', mediaFd: options.mediaFd, tasks: tasks.slice(start, end) },
            options.onBytes ?? (() => {}),
          );
          if (message.kind !== 'compare') throw failure(message);
          message.outcomes.forEach((outcome, index) => (outcomes[start + index] = outcome));
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

  /** Ends every thread now (an idle pool ends its threads by itself). */
  async close(): Promise<void> {
    await Promise.all(this.threads.splice(0).map((thread) => thread.worker.terminate()));
  }

  private run(request: Request, onBytes: (bytes: number) => void = () => {}): Promise<Final> {
    if (!this.workerPath) return this.runInline(request, onBytes);
    return new Promise((resolve, reject) => {
      this.queue.push({ request, onBytes, resolve, reject });
      this.dispatch();
    });
  }

  private async runInline(request: Request, onBytes: (bytes: number) => void): Promise<Final> {
    // A turn of the event loop between requests, as a thread would give.
    await new Promise((resolve) => setImmediate(resolve));
    const message = answer({ ...request, id: 0 } as WorkerRequest, onBytes, this.options.inlineFileSystem);
    return message as Final;
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const thread = this.threads.find((candidate) => candidate.job === undefined) ?? this.startThread();
      if (!thread) return;
      const job = this.queue.shift()!;
      if (thread.idle) clearTimeout(thread.idle);
      thread.idle = undefined;
      thread.job = { ...job, id: this.nextId++ };
      thread.worker.ref();
      thread.worker.postMessage({ ...job.request, id: thread.job.id });
    }
  }

  private startThread(): Thread | undefined {
    if (this.threads.length >= this.size || !this.workerPath) return undefined;
    const thread: Thread = { worker: new Worker(this.workerPath), job: undefined, idle: undefined };
    thread.worker.on('message', (message: WorkerMessage) => this.onMessage(thread, message));
    thread.worker.on('error', (error) => this.onExit(thread, error));
    thread.worker.on('exit', (code) =>
      this.onExit(thread, new Error(`a file worker thread ended (exit code ${code})`)),
    );
    this.threads.push(thread);
    return thread;
  }

  private onMessage(thread: Thread, message: WorkerMessage): void {
    const job = thread.job;
    if (!job || message.id !== job.id) return;
    if (message.kind === 'bytes') {
      job.onBytes(message.bytes);
      return;
    }
    thread.job = undefined;
    job.resolve(message);
    this.dispatch();
    if (thread.job === undefined) this.idle(thread);
  }

  /** An idle thread does not keep the agent running, and ends after idleMs. */
  private idle(thread: Thread): void {
    thread.worker.unref();
    thread.idle = setTimeout(() => {
      const index = this.threads.indexOf(thread);
      if (index >= 0 && thread.job === undefined) {
        this.threads.splice(index, 1);
        void thread.worker.terminate();
      }
    }, this.idleMs);
    thread.idle.unref();
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

/** Consecutive runs of tasks, each at most BATCH_FILES files and BATCH_BYTES bytes (a larger file alone). */
function batchesOf(tasks: readonly CompareTask[]): { start: number; end: number }[] {
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

function failure(message: Final): Error {
  const error = message.kind === 'failed' ? message.error : { message: `unexpected answer ${message.kind}` };
  return Object.assign(new Error(error.message), error.code === undefined ? {} : { code: error.code });
}

let shared: FileWorkers | undefined;

/** The agent's one pool: verifies and staging inspections share its threads. */
export function sharedFileWorkers(): FileWorkers {
  shared ??= new FileWorkers();
  return shared;
}
