/**
 * What the agent asks a file worker (file-worker.ts) and what it answers: plain data only, so
 * every message crosses between threads by structured clone. `answer` is also what the unit
 * tests run inline (file-workers.ts).
 */
import { createHash } from 'node:crypto';
import { dayFacts, directoryTimes, type DayPart, type DayShape } from './day-facts.js';
import { DayWalker, listDay, type DayListing, type WalkBatch } from './day-walker.js';
import { FileComparer, type CompareTask, type ExtentRange, type TaskOutcome } from './file-comparer.js';
import { NODE_FILE_SYSTEM, plainError, type PlainError, type SyncFileSystem } from './sync-fs.js';

export type WorkerRequest =
  | { id: number; kind: 'listDay'; root: string; graftPoint: string; keepGoing?: boolean }
  /** `part` for one share of the day (day-facts.ts's DayPart); absent, the whole day. */
  | { id: number; kind: 'dataBytes'; root: string; part?: DayPart }
  | { id: number; kind: 'directoryTimes'; root: string }
  | { id: number; kind: 'compare'; mediaFd?: number; tasks: PackedTasks; hash?: boolean }
  | {
      id: number;
      kind: 'walk';
      /** The walk's number; its first request starts it, the thread keeps it for the next. */
      walk: number;
      start?: { root: string; graftPoint: string; keepGoing?: boolean };
      max: number;
      /** A hashing walk (day-walker.ts's WalkHashing): its files hashed, a batch ending after this many bytes. */
      hashBytes?: number;
    }
  | { id: number; kind: 'walkEnd'; walk: number };

export type WorkerMessage =
  | { id: number; kind: 'bytes'; bytes: number }
  | { id: number; kind: 'listDay'; listing: DayListing }
  | { id: number; kind: 'dataBytes'; bytes: number; shape: DayShape }
  | { id: number; kind: 'directoryTimes'; times: number[] }
  | { id: number; kind: 'compare'; outcomes: TaskOutcome[]; hashes?: (string | null)[] }
  | { id: number; kind: 'walk'; batch: WalkBatch }
  | { id: number; kind: 'walkEnd' }
  | { id: number; kind: 'failed'; error: PlainError };

/** What a thread posts: an answer may carry the progress not yet told (`progress` bytes), so no message of its own. */
export type ThreadMessage = WorkerMessage & { progress?: number };

/** A request without its id: the pool numbers them. */
export type RequestBody = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, 'id'> : never) : never;

/** Any answer but a progress message. */
export type FinalMessage = Exclude<WorkerMessage, { kind: 'bytes' }>;

/** An answer other than the one asked for: the thread's failure, as an Error with its code. */
export function failure(message: FinalMessage): Error {
  const error = message.kind === 'failed' ? message.error : { message: `unexpected answer ${message.kind}` };
  return Object.assign(new Error(error.message), error.code === undefined ? {} : { code: error.code });
}

/**
 * A compare batch as it crosses to a thread: the paths in arrays, the numbers (each task's size,
 * its extents' count or -1 for a file on a mount, then each extent's offset and bytes) in one
 * Float64Array. Cloning three objects per file cost the agent's event loop more than reading a
 * small file costs the thread; arrays of strings and a typed array clone several times faster.
 */
export type PackedTasks = { expected: string[]; actual: string[]; numbers: Float64Array };

export function packTasks(tasks: readonly CompareTask[]): PackedTasks {
  let count = 0;
  for (const task of tasks) count += 2 + 2 * (task.extents?.length ?? 0);
  const numbers = new Float64Array(count);
  const expected: string[] = [];
  const actual: string[] = [];
  let at = 0;
  for (const task of tasks) {
    expected.push(task.expectedPath);
    actual.push(task.actualPath ?? '');
    numbers[at++] = task.size;
    if (task.extents === undefined) {
      numbers[at++] = -1;
      continue;
    }
    numbers[at++] = task.extents.length;
    for (const extent of task.extents) {
      numbers[at++] = extent.byteOffset;
      numbers[at++] = extent.bytes;
    }
  }
  return { expected, actual, numbers };
}

export function unpackTasks({ expected, actual, numbers }: PackedTasks): CompareTask[] {
  const tasks: CompareTask[] = [];
  let at = 0;
  for (const [index, expectedPath] of expected.entries()) {
    const size = numbers[at++]!;
    const count = numbers[at++]!;
    if (count < 0) {
      tasks.push({ expectedPath, size, actualPath: actual[index]! });
      continue;
    }
    const extents: ExtentRange[] = [];
    for (let i = 0; i < count; i += 1) extents.push({ byteOffset: numbers[at++]!, bytes: numbers[at++]! });
    tasks.push({ expectedPath, size, extents });
  }
  return tasks;
}

/** Progress is told at most every this many bytes: a message per small file would cost more than the file. */
const PROGRESS_BYTES = 1024 * 1024;

/** A comparer per disc (or mount), kept for the thread's next batch: its buffers are allocated once. */
/** This thread's walks under way (file-workers.ts sends each walk's requests to the thread that holds it). */
const walks = new Map<number, DayWalker>();

let comparer: { fd: number | undefined; fs: SyncFileSystem; comparer: FileComparer } | undefined;

export function answer(
  request: WorkerRequest,
  onBytes: (bytes: number) => void,
  fs: SyncFileSystem = NODE_FILE_SYSTEM,
): WorkerMessage {
  try {
    switch (request.kind) {
      case 'listDay':
        return {
          id: request.id,
          kind: 'listDay',
          listing: listDay(request.root, request.graftPoint, fs, request.keepGoing),
        };
      case 'dataBytes':
        return { id: request.id, kind: 'dataBytes', ...dayFacts(request.root, fs, request.part) };
      case 'directoryTimes':
        return { id: request.id, kind: 'directoryTimes', times: directoryTimes(request.root, fs) };
      case 'compare':
        return {
          id: request.id,
          kind: 'compare',
          ...compareBatch({ ...request, tasks: unpackTasks(request.tasks) }, onBytes, fs),
        };
      case 'walk':
        return { id: request.id, kind: 'walk', batch: walkOn(request, onBytes, fs) };
      case 'walkEnd':
        walks.delete(request.walk);
        return { id: request.id, kind: 'walkEnd' };
    }
  } catch (error) {
    return { id: request.id, kind: 'failed', error: plainError(error) };
  }
}

/**
 * Compares the batch in order; stops at a staging file that cannot be read (the rest is left
 * unanswered). With `hash`, each file found the same has its SHA-256 (hex) at its index in
 * `hashes`, taken from the bytes compared; the others have null.
 */
function compareBatch(
  request: { mediaFd?: number | undefined; tasks: readonly CompareTask[]; hash?: boolean | undefined },
  onBytes: (bytes: number) => void,
  fs: SyncFileSystem,
): { outcomes: TaskOutcome[]; hashes?: (string | null)[] } {
  const { mediaFd, tasks } = request;
  const { comparer: compare, count, flush } = comparing(mediaFd, onBytes, fs);
  const outcomes: TaskOutcome[] = [];
  const hashes: (string | null)[] = [];
  for (const task of tasks) {
    const hash = request.hash ? createHash('sha256') : undefined;
    const outcome = compare.compare(task, count, hash);
    outcomes.push(outcome);
    if (hash) hashes.push(outcome === 'same' ? hash.digest('hex') : null);
    if (typeof outcome === 'object') break;
  }
  flush();
  return request.hash ? { outcomes, hashes } : { outcomes };
}

/** The walk's next batch (hashed, for a hashing walk); a walk that ended (done or unreadable) is forgotten. */
function walkOn(
  request: Extract<WorkerRequest, { kind: 'walk' }>,
  onBytes: (bytes: number) => void,
  fs: SyncFileSystem,
): WalkBatch {
  let walker = walks.get(request.walk);
  if (!walker) {
    if (!request.start) throw new Error(`walk ${request.walk} is not under way in this thread`);
    const { root, graftPoint, keepGoing } = request.start;
    walker = new DayWalker(root, graftPoint, fs, keepGoing);
    walks.set(request.walk, walker);
  }
  let batch: WalkBatch;
  if (request.hashBytes === undefined) batch = walker.next(request.max);
  else {
    const { comparer: hasher, count, flush } = comparing(undefined, onBytes, fs);
    batch = walker.next(request.max, { comparer: hasher, onBytes: count, maxBytes: request.hashBytes });
    flush();
  }
  if ('unreadable' in batch || batch.done) walks.delete(request.walk);
  return batch;
}

/** The thread's comparer for this disc, and progress told in steps of PROGRESS_BYTES. */
function comparing(
  mediaFd: number | undefined,
  onBytes: (bytes: number) => void,
  fs: SyncFileSystem,
): { comparer: FileComparer; count: (bytes: number) => void; flush: () => void } {
  if (comparer === undefined || comparer.fd !== mediaFd || comparer.fs !== fs) {
    comparer = { fd: mediaFd, fs, comparer: new FileComparer(mediaFd, fs) };
  }
  let untold = 0;
  const count = (bytes: number): void => {
    untold += bytes;
    if (untold >= PROGRESS_BYTES) {
      onBytes(untold);
      untold = 0;
    }
  };
  const flush = (): void => {
    if (untold > 0) onBytes(untold);
    untold = 0;
  };
  return { comparer: comparer.comparer, count, flush };
}
