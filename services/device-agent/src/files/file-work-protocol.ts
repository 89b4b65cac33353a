/**
 * What the agent asks a file worker (file-worker.ts) and what it answers: plain data only, so
 * every message crosses between threads by structured clone. `answer` is also what the unit
 * tests run inline (file-workers.ts).
 */
import {
  dataBytes,
  directoryTimes,
  FileComparer,
  listDay,
  NODE_FILE_SYSTEM,
  plainError,
  type DayListing,
  type CompareTask,
  type PlainError,
  type SyncFileSystem,
  type TaskOutcome,
} from './file-work.js';

export type WorkerRequest =
  | { id: number; kind: 'listDay'; root: string; graftPoint: string; keepGoing?: boolean }
  | { id: number; kind: 'dataBytes'; root: string }
  | { id: number; kind: 'directoryTimes'; root: string }
  | { id: number; kind: 'compare'; mediaFd?: number; tasks: CompareTask[] };

export type WorkerMessage =
  | { id: number; kind: 'bytes'; bytes: number }
  | { id: number; kind: 'listDay'; listing: DayListing }
  | { id: number; kind: 'dataBytes'; bytes: number }
  | { id: number; kind: 'directoryTimes'; times: number[] }
  | { id: number; kind: 'compare'; outcomes: TaskOutcome[] }
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
        return { id: request.id, kind: 'dataBytes', bytes: dataBytes(request.root, fs) };
      case 'directoryTimes':
        return { id: request.id, kind: 'directoryTimes', times: directoryTimes(request.root, fs) };
      case 'compare':
        return { id: request.id, kind: 'compare', outcomes: compareBatch(request.mediaFd, request.tasks, onBytes, fs) };
    }
  } catch (error) {
    return { id: request.id, kind: 'failed', error: plainError(error) };
  }
}

/** Compares the batch in order; stops at a staging file that cannot be read (the rest is left unanswered). */
function compareBatch(
  mediaFd: number | undefined,
  tasks: readonly CompareTask[],
  onBytes: (bytes: number) => void,
  fs: SyncFileSystem,
): TaskOutcome[] {
  if (comparer === undefined || comparer.fd !== mediaFd || comparer.fs !== fs) {
    comparer = { fd: mediaFd, fs, comparer: new FileComparer(mediaFd, fs) };
  }
  const outcomes: TaskOutcome[] = [];
  let untold = 0;
  const count = (bytes: number): void => {
    untold += bytes;
    if (untold >= PROGRESS_BYTES) {
      onBytes(untold);
      untold = 0;
    }
  };
  for (const task of tasks) {
    const outcome = comparer.comparer.compare(task, count);
    outcomes.push(outcome);
    if (typeof outcome === 'object') break;
  }
  if (untold > 0) onBytes(untold);
  return outcomes;
}
