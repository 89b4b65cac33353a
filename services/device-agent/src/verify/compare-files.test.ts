import { readdirSync } from 'node:fs';
import { mkdtemp, open, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COMPARE_CHUNK_BYTES, sameBytes, UnreadableFileError } from './compare-files.js';

describe('sameBytes', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cedar-compare-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function file(name: string, content: string | Buffer): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, content);
    return path;
  }

  it('compares in chunks of 1 MiB by default', () => {
    expect(COMPARE_CHUNK_BYTES).toBe(1024 * 1024);
  });

  it('finds identical files the same, hearing every byte once', async () => {
    const a = await file('a', 'abcdefghij');
    const b = await file('b', 'abcdefghij');
    const heard: number[] = [];
    expect(await sameBytes(a, b, (bytes) => heard.push(bytes), 4)).toBe(true);
    expect(heard).toEqual([4, 4, 2]);
  });

  it('finds files that differ only in the last byte different', async () => {
    const a = await file('a', 'abcdefghij');
    const b = await file('b', 'abcdefghiJ');
    expect(await sameBytes(a, b, () => {}, 4)).toBe(false);
  });

  it('finds files of different lengths different, whichever is longer', async () => {
    const short = await file('short', 'abcdefgh');
    const long = await file('long', 'abcdefghij');
    expect(await sameBytes(short, long, () => {}, 4)).toBe(false);
    expect(await sameBytes(long, short, () => {}, 4)).toBe(false);
    expect(await sameBytes(short, long, () => {}, 3)).toBe(false);
  });

  it('finds a file that ends exactly on a chunk boundary the same as itself', async () => {
    const a = await file('a', 'abcdefgh');
    const b = await file('b', 'abcdefgh');
    expect(await sameBytes(a, b, () => {}, 4)).toBe(true);
  });

  it('finds two empty files the same', async () => {
    expect(await sameBytes(await file('a', ''), await file('b', ''))).toBe(true);
  });

  it('fails when a file is missing', async () => {
    const a = await file('a', 'x');
    await expect(sameBytes(a, join(dir, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('tells which side could not be read, with the system error code', async () => {
    const a = await file('a', 'abcdefghij');
    const b = await file('b', 'abcdefghij');
    const failingReadsOf = (broken: string) => async (path: string) => {
      const handle = await open(path, 'r');
      if (path !== broken) return handle;
      const read = () => Promise.reject(Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' }));
      return { read, close: () => handle.close() } as unknown as FileHandle;
    };
    await expect(sameBytes(a, b, () => {}, 4, failingReadsOf(b))).rejects.toMatchObject({
      side: 'actual',
      path: b,
      code: 'EIO',
    });
    await expect(sameBytes(a, b, () => {}, 4, failingReadsOf(a))).rejects.toMatchObject({ side: 'expected', path: a });
    await expect(sameBytes(a, join(dir, 'missing'))).rejects.toBeInstanceOf(UnreadableFileError);
  });

  it('leaves no file open when the second file cannot be opened', async () => {
    const a = await file('a', 'x');
    const openBefore = readdirSync('/proc/self/fd').length;
    for (let i = 0; i < 5; i++) await expect(sameBytes(a, join(dir, 'missing'))).rejects.toThrow();
    expect(readdirSync('/proc/self/fd').length).toBe(openBefore);
  });
});
