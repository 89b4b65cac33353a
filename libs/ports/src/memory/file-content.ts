import { createHash } from 'node:crypto';

/**
 * File contents for the in-memory adapters: real bytes, or a large file described as one
 * byte repeated, so a test can stage a day larger than a disc without allocating it.
 */
export class RepeatedBytes {
  constructor(
    readonly byteLength: number,
    readonly fill: number,
  ) {}
}

export type FileContent = Uint8Array | RepeatedBytes;

/** A file of `size` bytes, each `fill`, that costs no memory. */
export function repeatedBytes(size: number, fill = 0x61): RepeatedBytes {
  return new RepeatedBytes(size, fill & 0xff);
}

const byteAt = (content: FileContent, index: number): number | undefined =>
  content instanceof RepeatedBytes ? content.fill : content[index];

export function sameContent(a: FileContent, b: FileContent): boolean {
  if (a.byteLength !== b.byteLength) return false;
  if (a instanceof RepeatedBytes && b instanceof RepeatedBytes) return a.fill === b.fill;
  for (let i = 0; i < a.byteLength; i += 1) if (byteAt(a, i) !== byteAt(b, i)) return false;
  return true;
}

/** The same content with its first byte flipped (every byte, for a repeated file). */
export function flipped(content: FileContent): FileContent {
  if (content instanceof RepeatedBytes) return new RepeatedBytes(content.byteLength, content.fill ^ 0xff);
  const copy = content.byteLength === 0 ? new Uint8Array(1) : new Uint8Array(content);
  copy[0] = (copy[0] ?? 0) ^ 0xff;
  return copy;
}

export function copyContent(content: FileContent): FileContent {
  return content instanceof RepeatedBytes ? content : new Uint8Array(content);
}

/** The SHA-256 (hex) of the content, a repeated file hashed a chunk at a time. */
export function sha256Of(content: FileContent): string {
  const hash = createHash('sha256');
  if (!(content instanceof RepeatedBytes)) return hash.update(content).digest('hex');
  const chunk = new Uint8Array(Math.min(content.byteLength, 1 << 20)).fill(content.fill);
  for (let left = content.byteLength; left > 0; left -= chunk.byteLength)
    hash.update(chunk.subarray(0, Math.min(left, chunk.byteLength)));
  return hash.digest('hex');
}
