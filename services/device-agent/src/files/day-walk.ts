/**
 * A day's tree — a staging day, or a day on a mounted disc — walked a batch at a time for
 * FileWorkers.walkDay: a thread runs the walk (DayWalker in day-walker.ts) and keeps its place
 * between batches, so every request of a walk goes to the thread its first request picked (its
 * pin), or stays inline for a small day; the next batch is read while the caller uses this one.
 */
import { NamedError } from '@cedar-store/domain';
import type { ListedFile } from './day-walker.js';
import type { PlainError } from './sync-fs.js';
import { failure, type FinalMessage, type RequestBody } from './file-work-protocol.js';

/** Entries per batch of a walk: small next to any listing, large enough that a message costs nothing. */
export const WALK_BATCH = 256;

/**
 * Bytes a hashing walk reads per batch at most (the file that crosses it ends the batch): a day
 * of large files still answers a batch, and its read-ahead, every few dozen milliseconds.
 */
export const HASH_BATCH_BYTES = 32 * 1024 * 1024;

/** A file or directory of a walked day could not be read (staging: no verdict then). */
export class WalkUnreadableError extends NamedError {
  constructor(
    readonly path: string,
    readonly error: PlainError,
  ) {
    super(`could not read ${path} (${error.code ?? error.message})`);
  }
}

type WalkRequest = Extract<RequestBody, { kind: 'walk' | 'walkEnd' }>;

/** What a walk needs of the pool running it. */
export type WalkHost<Pin> = {
  /**
   * Where the walk runs: inline (a small day, while no thread runs) or on the thread its first
   * request picks; `hashing` for a walk that reads every file (a comparing thread's work).
   */
  pin(root: string, hashing: boolean): Promise<Pin>;
  send(request: WalkRequest, pin: Pin): Promise<FinalMessage>;
  /** The walk is over: the thread it held may end when idle. */
  unpin(pin: Pin): void;
};

/** Walks are numbered across every pool of the process: inline, the walks of all pools share one table. */
let nextWalk = 1;

/** How a day is walked: `hash` reads every regular file for its SHA-256 (a staging day's manifest). */
export type WalkOptions = { keepGoing?: boolean; batch?: number; hash?: boolean; hashBytes?: number };

/**
 * The day's entries in tree order, a batch at a time; WalkUnreadableError where the walk could
 * not read. A hashing walk's files carry their SHA-256 and the bytes read as their size.
 */
export async function* walkDayOn<Pin>(
  host: WalkHost<Pin>,
  root: string,
  graftPoint: string,
  options: WalkOptions = {},
): AsyncGenerator<ListedFile[], void, undefined> {
  const walk = nextWalk++;
  const hashing = options.hash === true;
  const pin = await host.pin(root, hashing);
  const max = options.batch ?? WALK_BATCH;
  const hash = hashing ? { hashBytes: options.hashBytes ?? HASH_BATCH_BYTES } : {};
  let started = false;
  const request = (): Promise<FinalMessage> => {
    const start = started ? {} : { start: { root, graftPoint, keepGoing: options.keepGoing ?? false } };
    started = true;
    const answer = host.send({ kind: 'walk', walk, max, ...hash, ...start }, pin);
    // Read ahead: a failure surfaces when the caller asks for this batch, never as unhandled.
    answer.catch(() => undefined);
    return answer;
  };
  let pending = request();
  let ended = false;
  try {
    for (;;) {
      const message = await pending;
      if (message.kind !== 'walk') {
        ended = true;
        throw failure(message);
      }
      const batch = message.batch;
      if ('unreadable' in batch) {
        ended = true;
        throw new WalkUnreadableError(batch.unreadable.path, batch.unreadable.error);
      }
      if (batch.done) {
        ended = true;
        if (batch.files.length > 0) yield batch.files;
        return;
      }
      pending = request();
      yield batch.files;
    }
  } finally {
    if (!ended) {
      // Left early (the caller failed or stopped): the thread forgets the walk.
      const last = await pending.catch(() => undefined);
      if (last?.kind === 'walk' && !('unreadable' in last.batch) && !last.batch.done) {
        await host.send({ kind: 'walkEnd', walk }, pin).catch(() => undefined);
      }
    }
    host.unpin(pin);
  }
}
