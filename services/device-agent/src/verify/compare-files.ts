/**
 * Byte-for-byte comparison of two files, streamed in fixed-size chunks so no file is ever
 * held in memory, whatever its size. A file that cannot be opened or read is reported with
 * its side, because an unreadable disc is a finding while an unreadable staging file is not.
 */
import { open, type FileHandle } from 'node:fs/promises';

export const COMPARE_CHUNK_BYTES = 1024 * 1024;

export type OpenFile = (path: string) => Promise<FileHandle>;

/** One side of a comparison could not be opened or read; `code` is the system's (EIO, EACCES…). */
export class UnreadableFileError extends Error {
  readonly code: string | undefined;

  constructor(
    readonly side: 'expected' | 'actual',
    readonly path: string,
    cause: unknown,
  ) {
    super(`${path} could not be read: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'UnreadableFileError';
    const code = (cause as { code?: unknown } | null)?.code;
    this.code = typeof code === 'string' ? code : undefined;
  }
}

/** Reads up to `length` bytes at `position` into `buffer` at `offset`; 0 at the end. */
export type ReadAt = (buffer: Buffer, offset: number, length: number, position: number) => Promise<number>;

/** True when both files hold the same bytes; `onBytes` hears each chunk as it is compared. */
export async function sameBytes(
  expectedPath: string,
  actualPath: string,
  onBytes: (bytes: number) => void = () => {},
  chunkBytes = COMPARE_CHUNK_BYTES,
  openFile: OpenFile = (path) => open(path, 'r'),
): Promise<boolean> {
  // One after the other: opened together, a failure of the second would leak the first.
  const expected = await openFile(expectedPath).catch(unreadable('expected', expectedPath));
  try {
    const actual = await openFile(actualPath).catch(unreadable('actual', actualPath));
    try {
      return await sameContent(
        { read: handleReader(expected), path: expectedPath },
        { read: handleReader(actual), path: actualPath },
        onBytes,
        chunkBytes,
      );
    } finally {
      await actual.close();
    }
  } finally {
    await expected.close();
  }
}

function handleReader(handle: FileHandle): ReadAt {
  return async (buffer, offset, length, position) => (await handle.read(buffer, offset, length, position)).bytesRead;
}

type OpenSide = { read: ReadAt; path: string };

async function sameContent(
  expected: OpenSide,
  actual: OpenSide,
  onBytes: (bytes: number) => void,
  chunkBytes: number,
): Promise<boolean> {
  const [left, right] = takeBuffers(chunkBytes);
  try {
    return await compareChunks(expected, actual, onBytes, left, right);
  } finally {
    giveBackBuffers(left, right);
  }
}

/**
 * Chunk buffers kept for the next file: allocated per file, a day of 100 000 small files made
 * 200 000 MiB-sized allocations and spent 40% of the verify in the garbage collector.
 */
const spareBuffers: Buffer[][] = [];

function takeBuffers(chunkBytes: number): [Buffer, Buffer] {
  const pair = spareBuffers.pop();
  if (pair?.[0]?.length === chunkBytes) return pair as [Buffer, Buffer];
  return [Buffer.allocUnsafe(chunkBytes), Buffer.allocUnsafe(chunkBytes)];
}

function giveBackBuffers(left: Buffer, right: Buffer): void {
  if (spareBuffers.length < MAX_SPARE_BUFFERS) spareBuffers.push([left, right]);
}

/** As many pairs as comparisons run at once by default (compare-day.ts): more would only hold memory. */
const MAX_SPARE_BUFFERS = 4;

async function compareChunks(
  expected: OpenSide,
  actual: OpenSide,
  onBytes: (bytes: number) => void,
  left: Buffer,
  right: Buffer,
): Promise<boolean> {
  const chunkBytes = left.length;
  for (let position = 0; ; position += chunkBytes) {
    // Both reads settle before either error is thrown, so no read is left running on a handle
    // about to close; an expected-side error wins, as it says the comparison proves nothing.
    const [a, b] = await Promise.allSettled([
      readFull(expected.read, left, position),
      readFull(actual.read, right, position),
    ]);
    const aBytes = bytesRead(a, 'expected', expected.path);
    const bBytes = bytesRead(b, 'actual', actual.path);
    if (aBytes !== bBytes) return false;
    if (aBytes === 0) return true;
    if (left.subarray(0, aBytes).compare(right.subarray(0, bBytes)) !== 0) return false;
    onBytes(aBytes);
    if (aBytes < chunkBytes) return true;
  }
}

function bytesRead(read: PromiseSettledResult<number>, side: UnreadableFileError['side'], path: string): number {
  if (read.status === 'rejected') throw new UnreadableFileError(side, path, read.reason);
  return read.value;
}

function unreadable(side: UnreadableFileError['side'], path: string): (error: unknown) => never {
  return (error) => {
    throw new UnreadableFileError(side, path, error);
  };
}

/** Reads until the buffer is full or the file ends: FUSE file systems and extent ends give short reads. */
async function readFull(read: ReadAt, buffer: Buffer, position: number): Promise<number> {
  let filled = 0;
  while (filled < buffer.length) {
    const bytesRead = await read(buffer, filled, buffer.length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled;
}
