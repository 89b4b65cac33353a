/**
 * The `direct` listing (direct-args.ts) of a large day without holding it: xorriso's lines go
 * to two files as they come — the `lsdl` directories and symlinks and the `report_lba` files,
 * each pass in the disc's tree order — and are read back merged, a batch at a time, as the verify merges them
 * with the staging walk. A day of a million files then costs the agent a few hundred bytes of
 * memory per batch entry instead of its whole tree; the files are removed afterwards.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { compareTreeOrder, VerifyFailedError } from '@cedar-store/domain';
import {
  parseLsdlLine,
  parseReportLbaLine,
  readQuotedWord,
  type ListedExtent,
  type ListedNode,
} from './direct-parse.js';
import { LineBuffer, SpoolLines } from './spool-lines.js';

/** A node of the disc with, for a file, its extents in order. */
export type SpooledNode = ListedNode & { extents?: ListedExtent[] };

/** Nodes per batch read back. */
const SPOOL_BATCH = 256;

/** `File data lba:  0 , 59 , 1 , 6 , '…'`: extent 0's line, and the file's size. */
const FIRST_EXTENT_SIZE = /^File data lba:\s*0\s*,\s*\d+\s*,\s*\d+\s*,\s*(\d+)\s*,/;

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
   * The nodes in the disc's order, a batch at a time: the directories and symlinks of the
   * `lsdl` pass merged in tree order with the files of the `report_lba` pass (each with its
   * extents). A file pass out of tree order is a ListingOrderError, never a file paired with
   * another's extents; the merge downstream checks the order of what comes out.
   */
  async *nodes(batchSize = SPOOL_BATCH): AsyncGenerator<SpooledNode[], void, undefined> {
    const others = new OtherReader(await SpoolLines.open(join(this.dir, 'nodes')), this.roots);
    const files = await SpoolLines.open(join(this.dir, 'extents')).then((source) => new FileReader(source));
    let batch: SpooledNode[] = [];
    try {
      let other = await others.next();
      let file = await files.next();
      while (other || file) {
        if (file && (!other || compareTreeOrder(file.path, other.path) < 0)) {
          batch.push(file);
          const next = files.next();
          file = next instanceof Promise ? await next : next;
        } else {
          batch.push(other!);
          const next = others.next();
          other = next instanceof Promise ? await next : next;
        }
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
    } finally {
      await Promise.allSettled([others.close(), files.close()]);
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
 * Nodes formed from a spool's lines: `next` answers at once while the lines at hand suffice,
 * else with a promise (a chunk is read first); null at the end.
 */
abstract class NodeReader {
  constructor(protected readonly source: SpoolLines) {}

  next(): SpooledNode | null | Promise<SpooledNode | null> {
    const node = this.form();
    return node === undefined ? this.readOn() : node;
  }

  close(): Promise<void> {
    return this.source.close();
  }

  /** The next node from the lines at hand; undefined when more must be read. */
  protected abstract form(): SpooledNode | null | undefined;

  private async readOn(): Promise<SpooledNode | null> {
    for (;;) {
      await this.source.read();
      const node = this.form();
      if (node !== undefined) return node;
    }
  }
}

/** The `lsdl` pass: directories and symlinks (a file there is left to the `report_lba` pass, which knows its extents). */
class OtherReader extends NodeReader {
  constructor(
    source: SpoolLines,
    private readonly roots: ReadonlySet<string>,
  ) {
    super(source);
  }

  protected form(): SpooledNode | null | undefined {
    for (;;) {
      const text = this.source.take();
      if (text === null || text === undefined) return text;
      const node: (SpooledNode & { absolute: string }) | null = parseLsdlLine(text);
      // The graft point itself is the day, not a node in it: the staging walk does not list it either.
      if (node && node.kind !== 'file' && !this.roots.has(node.absolute)) return node;
    }
  }
}

/** The `report_lba` pass: each file's lines follow each other (one per extent), the files in tree order. */
class FileReader extends NodeReader {
  private building: (SpooledNode & { extents: ListedExtent[] }) | undefined;
  private last: string | undefined;

  protected form(): SpooledNode | null | undefined {
    for (;;) {
      const text = this.source.take();
      if (text === undefined) return undefined;
      if (text === null) return this.finish(null);
      const extent = parseReportLbaLine(text);
      if (!extent) continue;
      const { path, size, ...place } = extent;
      if (this.building?.path === path) {
        this.building.extents.push(place);
        continue;
      }
      // A file's extents are consecutive lines; a new file must come later in tree order.
      if (this.last !== undefined && compareTreeOrder(this.last, path) > 0) {
        throw new ListingOrderError(
          `xorriso listed '${path}' after '${this.last}', against the order the verify merges in, ` +
            'so nothing was compared',
        );
      }
      this.last = path;
      const done = this.finish({ path, kind: 'file', size, extents: [place] });
      if (done) return done;
    }
  }

  /** The file whose lines are all read (its extents in order), the next one begun. */
  private finish(next: (SpooledNode & { extents: ListedExtent[] }) | null): SpooledNode | null | undefined {
    const done = this.building;
    this.building = next ?? undefined;
    if (done) done.extents.sort((a, b) => a.index - b.index);
    return done ?? (next === null ? null : undefined);
  }
}
