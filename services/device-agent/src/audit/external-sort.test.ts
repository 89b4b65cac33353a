// The bounded sort an audit uses for its listing and its hashes: whatever the run size and the
// number of runs merged at once, every item comes out once, in order, and the runs are removed.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExternalSort } from './external-sort.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'external-sort-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const byKey = (a: { key: number; n: number }, b: { key: number; n: number }) => a.key - b.key || a.n - b.n;

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('ExternalSort', () => {
  it.each([
    { runSize: 1000, fanIn: 32, count: 500 },
    { runSize: 7, fanIn: 32, count: 500 },
    { runSize: 5, fanIn: 2, count: 999 },
  ])('sorts $count items in runs of $runSize merged $fanIn at a time', async ({ runSize, fanIn, count }) => {
    const sort = new ExternalSort(join(dir, 'runs'), byKey, { runSize, fanIn });
    const items = Array.from({ length: count }, (_, n) => ({ key: (n * 7919) % 101, n }));
    for (const item of items) sort.add(item);
    const sorted = await collect(sort.sorted());
    expect(sorted).toEqual([...items].sort(byKey));
    await sort.dispose();
    expect(await readdir(dir)).toEqual([]);
  });

  it('gives nothing for nothing', async () => {
    const sort = new ExternalSort<number>(join(dir, 'runs'), (a, b) => a - b, { runSize: 2 });
    expect(await collect(sort.sorted())).toEqual([]);
    await sort.dispose();
  });
});
