/**
 * Two listings of the same days — staging and the disc — merged as sorted streams, a bounded
 * batch at a time, instead of both held whole: each path comes once, with what each side holds
 * there. Both sides must come in the domain's tree order (compareTreeOrder: xorriso's `-find`
 * order, and the staging walk's); each stream's order is checked as it is read, and a break
 * stops the check with an error rather than pair a file with the wrong twin.
 */
import { compareTreeOrder, VerifyFailedError } from '@cedar-store/domain';

export type MergedEntry<Expected, Actual> = { path: string; expected?: Expected; actual?: Actual };

/** Paths per merged batch: a worker request's worth of files, short-lived enough to die young in V8's heap. */
export const MERGE_BATCH = 256;

/** A listing came out of order: merging on could pair the wrong files, so nothing is decided. */
export class TreeOrderError extends VerifyFailedError {
  constructor(side: string, previous: string, next: string) {
    super(
      `the ${side} listing came out of order ('${next}' after '${previous}'), so the verify could not pair ` +
        'the files of staging and the disc and decided nothing: report this as a bug',
      { side, previous, next },
    );
  }
}

/** One stream read a batch at a time, checked to be in strictly increasing tree order. */
class Cursor<T extends { path: string }> {
  private batch: T[] = [];
  private index = 0;
  private ended = false;
  private last: string | undefined;

  constructor(
    private readonly iterator: AsyncIterator<T[]>,
    private readonly side: string,
  ) {}

  /** Whether an entry is at hand without waiting (or the stream ended). */
  get ready(): boolean {
    return this.index < this.batch.length || this.ended;
  }

  async fill(): Promise<void> {
    while (this.index >= this.batch.length && !this.ended) {
      const next = await this.iterator.next();
      if (next.done) this.ended = true;
      else {
        this.batch = next.value;
        this.index = 0;
      }
    }
  }

  /** The next entry (after fill), undefined at the end. */
  get head(): T | undefined {
    return this.batch[this.index];
  }

  take(): T {
    const entry = this.batch[this.index]!;
    this.batch[this.index] = undefined as unknown as T;
    this.index += 1;
    if (this.last !== undefined && compareTreeOrder(this.last, entry.path) >= 0) {
      throw new TreeOrderError(this.side, this.last, entry.path);
    }
    this.last = entry.path;
    return entry;
  }

  async close(): Promise<void> {
    await this.iterator.return?.();
  }
}

/** Merges the two sorted streams into batches of at most `batchSize` paths, in tree order. */
export async function* mergeTrees<Expected extends { path: string }, Actual extends { path: string }>(
  expected: AsyncIterable<Expected[]>,
  actual: AsyncIterable<Actual[]>,
  batchSize = MERGE_BATCH,
): AsyncGenerator<MergedEntry<Expected, Actual>[], void, undefined> {
  const left = new Cursor(expected[Symbol.asyncIterator](), 'staging');
  const right = new Cursor(actual[Symbol.asyncIterator](), 'disc');
  let batch: MergedEntry<Expected, Actual>[] = [];
  try {
    for (;;) {
      if (!left.ready || !right.ready) await Promise.all([left.fill(), right.fill()]);
      const [x, y] = [left.head, right.head];
      if (x === undefined && y === undefined) break;
      const order = x === undefined ? 1 : y === undefined ? -1 : compareTreeOrder(x.path, y.path);
      if (order < 0) batch.push({ path: x!.path, expected: left.take() });
      else if (order > 0) batch.push({ path: y!.path, actual: right.take() });
      else batch.push({ path: x!.path, expected: left.take(), actual: right.take() });
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  } finally {
    await Promise.allSettled([left.close(), right.close()]);
  }
}

/** The streams of several days one after another (the days in tree order, each stream in it). */
export async function* concatStreams<T>(
  streams: Iterable<() => AsyncIterable<T[]>>,
): AsyncGenerator<T[], void, undefined> {
  for (const stream of streams) yield* stream();
}
