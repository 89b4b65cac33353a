/**
 * The `direct` listing (direct-args.ts) of a large day without holding it: xorriso's lines go
 * to two files as they come — the `lsdl` nodes and the `report_lba` extents, each pass in the
 * disc's tree order — and are read back joined, a batch at a time, as the verify merges them
 * with the staging walk. A day of a million files then costs the agent a few hundred bytes of
 * memory per batch entry instead of its whole tree; the files are removed afterwards.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { compareTreeOrder, VerifyFailedError } from '@cedar-store/domain';
import {
  parseLsdlLine,
  parseReportLbaLine,
  readQuotedWord,
  type ListedExtent,
  type ListedNode,
} from './direct-parse.js';

/** A node of the disc with, for a file, its extents in order. */
export type SpooledNode = ListedNode & { extents?: ListedExtent[] };

/** Nodes per batch read back. */
const SPOOL_BATCH = 256;

/** `File data lba:  0 , 59 , 1 , 6 , '…'`: extent 0's line, and the file's size. */
const FIRST_EXTENT_SIZE = /^File data lba:\s*0\s*,\s*\d+\s*,\s*\d+\s*,\s*(\d+)\s*,/;

/** Bytes of the spool read at a time. */
const READ_BYTES = 64 * 1024;

/** Bytes of lines written to the spool at a time. */
const SPOOL_WRITE_BYTES = 256 * 1024;

/** xorriso listed the disc in an order the merge cannot rely on: comparing on would pair the wrong files. */
export class ListingOrderError extends VerifyFailedError {
  constructor(message: string) {
    super(message);
  }
}

export class ListingSpool {
  /** Graft points xorriso could not find on the disc. */
  readonly missing: string[] = [];
  /** Messages saying the disc could not be read at all (no verdict is possible then). */
  readonly problems: string[] = [];
  private readonly roots: Set<string>;
  private readonly nodesOut: WriteStream;
  private readonly extentsOut: WriteStream;
  private readonly nodeLines: LineBuffer;
  private readonly extentLines: LineBuffer;
  private failed: Error | undefined;
  /** The bytes of the files listed so far. */
  fileBytes = 0;

  private constructor(
    private readonly dir: string,
    graftPoints: readonly string[],
  ) {
    this.roots = new Set(graftPoints.map((graft) => `/${graft.replace(/^\/+/, '')}`));
    this.nodesOut = this.output('nodes');
    this.extentsOut = this.output('extents');
    this.nodeLines = new LineBuffer(this.nodesOut);
    this.extentLines = new LineBuffer(this.extentsOut);
  }

  /** A spool in a new directory under `parent` (the agent's working directory). */
  static async create(parent: string, graftPoints: readonly string[]): Promise<ListingSpool> {
    return new ListingSpool(await mkdtemp(join(parent, 'listing-')), graftPoints);
  }

  /** One line of xorriso's output, as ProgramRunner hands it over. */
  line = (text: string, stream: 'stdout' | 'stderr'): void => {
    if (stream === 'stderr') return this.message(text);
    if (text.startsWith('File data lba:')) {
      this.extentLines.add(text);
      // Each file's first extent line carries its size: the bytes to compare, for progress.
      const size = FIRST_EXTENT_SIZE.exec(text);
      if (size) this.fileBytes += Number(size[1]);
    } else this.nodeLines.add(text);
  };

  /** Waits until both files hold every line. */
  async close(): Promise<void> {
    this.nodeLines.flush();
    this.extentLines.flush();
    await Promise.all([this.nodesOut, this.extentsOut].map((out) => new Promise((resolve) => out.end(resolve))));
    if (this.failed) throw this.failed;
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }

  /**
   * The nodes in the disc's order, each file with its extents, a batch at a time. The two
   * passes must list the files in the same order; a break is a ListingOrderError, never a
   * file paired with another's extents.
   */
  async *nodes(batchSize = SPOOL_BATCH): AsyncGenerator<SpooledNode[], void, undefined> {
    const extents = new ExtentReader(lines(join(this.dir, 'extents')));
    let batch: SpooledNode[] = [];
    try {
      for await (const text of lines(join(this.dir, 'nodes'))) {
        // Used as parsed (its `absolute` along): a copy per node would only feed the garbage collector.
        const node: (SpooledNode & { absolute: string }) | null = parseLsdlLine(text);
        // The graft point itself is the day, not a node in it: the staging walk does not list it either.
        if (!node || this.roots.has(node.absolute)) continue;
        if (node.kind === 'file') node.extents = await extents.of(node.path);
        batch.push(node);
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
      await extents.end();
    } finally {
      await extents.close();
    }
  }

  private output(name: string): WriteStream {
    const out = createWriteStream(join(this.dir, name), { mode: 0o600 });
    out.on('error', (error) => (this.failed ??= error));
    return out;
  }

  private message(text: string): void {
    const notFound = /: FAILURE : Cannot find path (['"].*) in loaded ISO image/.exec(text);
    if (notFound) {
      const path = readQuotedWord(notFound[1]!)?.word;
      if (path !== undefined && this.roots.has(path)) {
        this.missing.push(path.replace(/^\/+/, ''));
        return;
      }
    }
    if (/: (SORRY|FAILURE|FATAL|ABORT) : /.test(text)) {
      this.problems.push(text.replace(/^xorriso : /, '').trim());
      // The last ones say what went wrong; a disc failing on every file is not a list of them all.
      if (this.problems.length > 100) this.problems.shift();
    }
  }
}

/**
 * Lines gathered into writes of SPOOL_WRITE_BYTES: a write per line would queue hundreds of
 * thousands of requests while xorriso prints faster than they complete.
 */
class LineBuffer {
  private lines: string[] = [];
  private bytes = 0;

  constructor(private readonly out: WriteStream) {}

  add(line: string): void {
    this.lines.push(line);
    this.bytes += line.length + 1;
    if (this.bytes >= SPOOL_WRITE_BYTES) this.flush();
  }

  flush(): void {
    if (this.lines.length === 0) return;
    this.out.write(`${this.lines.join('\n')}\n`);
    this.lines = [];
    this.bytes = 0;
  }
}

/** The `report_lba` pass, read along with the nodes: each file's lines follow each other, in the nodes' order. */
class ExtentReader {
  private readonly iterator: AsyncIterator<string>;
  private head: (ListedExtent & { path: string }) | null | undefined;
  private last: string | undefined;

  constructor(source: AsyncIterable<string>) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  /** The file's extents, which must be the next lines. */
  async of(path: string): Promise<ListedExtent[]> {
    const found: ListedExtent[] = [];
    for (let next = await this.peek(); next && next.path === path; next = await this.peek()) {
      found.push(next);
      this.head = undefined;
    }
    if (found.length === 0) {
      const next = await this.peek();
      throw new ListingOrderError(
        `xorriso listed the extents of ${next ? `'${next.path}'` : 'no more files'} where those of '${path}' ` +
          'were due: the two passes over the disc disagree on its order, so nothing was compared',
      );
    }
    return found.sort((a, b) => a.index - b.index);
  }

  /** After the last node: no extents may be left over. */
  async end(): Promise<void> {
    const next = await this.peek();
    if (next) {
      throw new ListingOrderError(
        `xorriso listed extents of '${next.path}' but no such file among the disc's nodes, so nothing was compared`,
      );
    }
  }

  async close(): Promise<void> {
    await this.iterator.return?.();
  }

  private async peek(): Promise<(ListedExtent & { path: string }) | null> {
    while (this.head === undefined) {
      const { done, value } = await this.iterator.next();
      if (done) {
        this.head = null;
        break;
      }
      const extent = parseReportLbaLine(value);
      if (!extent) continue;
      // A file's extents are consecutive lines; a new file must come later in tree order.
      if (this.last !== undefined && extent.path !== this.last && compareTreeOrder(this.last, extent.path) > 0) {
        throw new ListingOrderError(
          `xorriso listed '${extent.path}' after '${this.last}', against the order the verify merges in, ` +
            'so nothing was compared',
        );
      }
      this.last = extent.path;
      this.head = extent;
    }
    return this.head;
  }
}

/**
 * A spool file's lines, read a chunk at a time as they are asked for (readline's iterator reads
 * on ahead and queues every line of a file it can read faster than they are used).
 */
async function* lines(path: string): AsyncGenerator<string, void, undefined> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(READ_BYTES);
    const decoder = new StringDecoder('utf8');
    let rest = '';
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      const parts = (rest + decoder.write(buffer.subarray(0, bytesRead))).split('\n');
      rest = parts.pop()!;
      yield* parts;
    }
    rest += decoder.end();
    if (rest !== '') yield rest;
  } finally {
    await handle.close();
  }
}
