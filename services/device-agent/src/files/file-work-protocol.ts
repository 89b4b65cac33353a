/**
 * What the agent asks a file worker (file-worker.ts) and what it answers: plain data only, so
 * every message crosses between threads by structured clone. `answer` is also what the unit
 * tests run inline (file-workers.ts).
 */
import { createHash } from 'node:crypto';
import {
  dayFacts,
  directoryTimes,
  FileComparer,
  listDay,
  NODE_FILE_SYSTEM,
  plainError,
  type DayListing,
  type DayShape,
  type CompareTask,
  type HashOutcome,
  type PlainError,
  type SyncFileSystem,
  type TaskOutcome,
} from './file-work.js';

export type WorkerRequest =
  | { id: number; kind: 'listDay'; root: string; graftPoint: string; keepGoing?: boolean }
  | { id: number; kind: 'dataBytes'; root: string }
  | { id: number; kind: 'directoryTimes'; root: string }
  | { id: number; kind: 'compare'; mediaFd?: number; tasks: CompareTask[]; hash?: boolean }
  | { id: number; kind: 'hash'; paths: string[] };

export type WorkerMessage =
  | { id: number; kind: 'bytes'; bytes: number }
  | { id: number; kind: 'listDay'; listing: DayListing }
  | { id: number; kind: 'dataBytes'; bytes: number; shape: DayShape }
  | { id: number; kind: 'directoryTimes'; times: number[] }
  | { id: number; kind: 'compare'; outcomes: TaskOutcome[]; hashes?: (string | null)[] }
  | { id: number; kind: 'hash'; outcomes: HashOutcome[] }
  | { id: number; kind: 'failed'; error: PlainError };

/** Progress is told at most every this many bytes: a message per small file would cost more than the file. */
const PROGRESS_BYTES = 1024 * 1024;

/** A comparer per disc (or mount), kept for the thread's next batch: its buffers are allocated once. */
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
        return { id: request.id, kind: 'dataBytes', ...dayFacts(request.root, fs) };
      case 'directoryTimes':
        return { id: request.id, kind: 'directoryTimes', times: directoryTimes(request.root, fs) };
      case 'compare':
        return { id: request.id, kind: 'compare', ...compareBatch(request, onBytes, fs) };
      case 'hash':
        return { id: request.id, kind: 'hash', outcomes: hashBatch(request.paths, onBytes, fs) };
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

/** Hashes staging files in order (the manifest of a store whose disc is not read back). */
function hashBatch(paths: readonly string[], onBytes: (bytes: number) => void, fs: SyncFileSystem): HashOutcome[] {
  const { comparer: hasher, count, flush } = comparing(undefined, onBytes, fs);
  const outcomes = paths.map((path) => hasher.hash(path, count));
  flush();
  return outcomes;
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
