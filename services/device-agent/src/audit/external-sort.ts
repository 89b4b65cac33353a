/**
 * Sorts more items than should sit in memory at once (an audit lists a million files twice: by
 * where their data lies, then by path): items are kept `runSize` at a time, each full batch is
 * sorted and written to a file of JSON lines (a run), and the runs are merged, at most `fanIn`
 * open at a time, so memory stays bounded by `runSize` items plus one line per open run.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export type ExternalSortOptions = {
  /** Items sorted in memory before a run is written. */
  runSize?: number;
  /** Runs merged at once; more runs are merged in rounds. */
  fanIn?: number;
};

const DEFAULT_RUN_SIZE = 20_000;
const DEFAULT_FAN_IN = 32;

export class ExternalSort<T> {
  private buffer: T[] = [];
  private runs: string[] = [];
  private written: Promise<void> = Promise.resolve();
  private nextRun = 0;
  private readonly runSize: number;
  private readonly fanIn: number;
  private created = false;

  /** `dir` is made on the first run and removed by `dispose`; nothing else is written there. */
  constructor(
    private readonly dir: string,
    private readonly compare: (a: T, b: T) => number,
    options: ExternalSortOptions = {},
  ) {
    this.runSize = Math.max(1, options.runSize ?? DEFAULT_RUN_SIZE);
    this.fanIn = Math.max(2, options.fanIn ?? DEFAULT_FAN_IN);
  }

  /** Takes one item; synchronous, so a program's output lines can be fed as they come. */
  add(item: T): void {
    this.buffer.push(item);
    if (this.buffer.length >= this.runSize) this.spill();
  }

  /** Every item added, in order. Call once, after the last `add`. */
  async *sorted(): AsyncGenerator<T> {
    if (this.runs.length === 0) {
      const items = this.buffer.sort(this.compare);
      this.buffer = [];
      yield* items;
      return;
    }
    if (this.buffer.length > 0) this.spill();
    await this.written;
    let runs = this.runs;
    while (runs.length > this.fanIn) {
      const merged: string[] = [];
      for (let i = 0; i < runs.length; i += this.fanIn) {
        const group = runs.slice(i, i + this.fanIn);
        if (group.length === 1) {
          merged.push(group[0]!);
          continue;
        }
        const path = this.runPath();
        await writeLines(path, this.merge(group));
        await Promise.all(group.map((run) => rm(run, { force: true })));
        merged.push(path);
      }
      runs = merged;
    }
    yield* this.merge(runs);
  }

  /** Removes the runs. */
  async dispose(): Promise<void> {
    await this.written.catch(() => undefined);
    if (this.created) await rm(this.dir, { recursive: true, force: true });
  }

  private spill(): void {
    const items = this.buffer.sort(this.compare);
    this.buffer = [];
    const path = this.runPath();
    this.runs.push(path);
    const text = items.map((item) => JSON.stringify(item)).join('\n') + '\n';
    this.written = this.written.then(async () => {
      if (!this.created) {
        await mkdir(this.dir, { recursive: true, mode: 0o700 });
        this.created = true;
      }
      await writeFile(path, text, { mode: 0o600 });
    });
  }

  private runPath(): string {
    return join(this.dir, `run-${String(this.nextRun++)}.jsonl`);
  }

  /** The runs' items in order: a k-way merge over one line of each run. */
  private async *merge(runs: readonly string[]): AsyncGenerator<T> {
    const readers = runs.map((run) => createInterface({ input: createReadStream(run), crlfDelay: Infinity }));
    const iterators = readers.map((reader) => reader[Symbol.asyncIterator]());
    try {
      const heads: { item: T; from: number }[] = [];
      for (let from = 0; from < iterators.length; from++) {
        const next = await iterators[from]!.next();
        if (!next.done) heads.push({ item: JSON.parse(next.value) as T, from });
      }
      const heap = new MinHeap(heads, (a, b) => this.compare(a.item, b.item) || a.from - b.from);
      while (heap.size > 0) {
        const top = heap.peek();
        yield top.item;
        const next = await iterators[top.from]!.next();
        if (next.done) heap.pop();
        else heap.replaceTop({ item: JSON.parse(next.value) as T, from: top.from });
      }
    } finally {
      for (const reader of readers) reader.close();
    }
  }
}

/** Writes the items as JSON lines, waiting for the file whenever its buffer is full. */
async function writeLines<T>(path: string, items: AsyncIterable<T>): Promise<void> {
  const out = createWriteStream(path, { mode: 0o600 });
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  failed.catch(() => undefined);
  for await (const item of items) {
    if (!out.write(`${JSON.stringify(item)}\n`)) {
      await Promise.race([new Promise<void>((resolve) => out.once('drain', () => resolve())), failed]);
    }
  }
  await Promise.race([new Promise<void>((resolve) => out.end(() => resolve())), failed]);
}

class MinHeap<T> {
  constructor(
    private readonly items: T[],
    private readonly compare: (a: T, b: T) => number,
  ) {
    for (let i = Math.floor(items.length / 2) - 1; i >= 0; i--) this.down(i);
  }

  get size(): number {
    return this.items.length;
  }

  peek(): T {
    return this.items[0]!;
  }

  pop(): void {
    const last = this.items.pop()!;
    if (this.items.length > 0) this.replaceTop(last);
  }

  replaceTop(item: T): void {
    this.items[0] = item;
    this.down(0);
  }

  private down(start: number): void {
    const { items, compare } = this;
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < items.length && compare(items[left]!, items[least]!) < 0) least = left;
      if (right < items.length && compare(items[right]!, items[least]!) < 0) least = right;
      if (least === i) return;
      [items[i], items[least]] = [items[least]!, items[i]!];
      i = least;
    }
  }
}
