/**
 * Byte-for-byte comparison of two files, streamed in fixed-size chunks so no file is ever
 * held in memory, whatever its size.
 */
import { open, type FileHandle } from 'node:fs/promises';

export const COMPARE_CHUNK_BYTES = 1024 * 1024;

/** True when both files hold the same bytes; `onBytes` hears each chunk as it is compared. */
export async function sameBytes(
  expectedPath: string,
  actualPath: string,
  onBytes: (bytes: number) => void = () => {},
  chunkBytes = COMPARE_CHUNK_BYTES,
): Promise<boolean> {
  const [expected, actual] = await Promise.all([open(expectedPath, 'r'), open(actualPath, 'r')]);
  try {
    const left = Buffer.allocUnsafe(chunkBytes);
    const right = Buffer.allocUnsafe(chunkBytes);
    for (;;) {
      const [a, b] = await Promise.all([readFull(expected, left), readFull(actual, right)]);
      if (a !== b) return false;
      if (a === 0) return true;
      if (left.subarray(0, a).compare(right.subarray(0, b)) !== 0) return false;
      onBytes(a);
      if (a < chunkBytes) return true;
    }
  } finally {
    await Promise.all([expected.close(), actual.close()]);
  }
}

/** Reads until the buffer is full or the file ends: FUSE file systems return short reads. */
async function readFull(handle: FileHandle, buffer: Buffer): Promise<number> {
  let filled = 0;
  while (filled < buffer.length) {
    const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, null);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled;
}
