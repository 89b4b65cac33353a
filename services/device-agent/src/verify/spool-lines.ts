/**
 * Lines kept in a file of the agent's working directory instead of memory (a listing of a
 * large day): written in large writes, read back a chunk at a time as they are asked for.
 */
import type { WriteStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';

/** Bytes of the spool read at a time. */
const READ_BYTES = 64 * 1024;

/** Bytes of lines written to the spool at a time. */
const SPOOL_WRITE_BYTES = 256 * 1024;

/**
 * Lines gathered into writes of SPOOL_WRITE_BYTES: a write per line would queue hundreds of
 * thousands of requests while xorriso prints faster than they complete.
 */
export class LineBuffer {
  private lines: string[] = [];
  private bytes = 0;

  constructor(private readonly out: WriteStream) {}

  /** False when the file asks the writer to wait for its `drain` (what a writer that can wait does). */
  add(line: string): boolean {
    this.lines.push(line);
    this.bytes += line.length + 1;
    return this.bytes >= SPOOL_WRITE_BYTES ? this.flush() : true;
  }

  flush(): boolean {
    if (this.lines.length === 0) return true;
    const more = this.out.write(`${this.lines.join('\n')}\n`);
    this.lines = [];
    this.bytes = 0;
    return more;
  }
}

/** A spool file's lines, read a chunk at a time as they are asked for; `take` answers without waiting while it can. */
export class SpoolLines {
  private lines: string[] = [];
  private index = 0;
  private rest = '';
  private ended = false;
  private readonly buffer = Buffer.allocUnsafe(READ_BYTES);
  private readonly decoder = new StringDecoder('utf8');

  private constructor(private readonly handle: FileHandle) {}

  static async open(path: string): Promise<SpoolLines> {
    return new SpoolLines(await open(path, 'r'));
  }

  /** The next line; null at the end; undefined when the next chunk must be read first. */
  take(): string | null | undefined {
    if (this.index < this.lines.length) return this.lines[this.index++]!;
    return this.ended ? null : undefined;
  }

  /** Reads the next chunk's lines. */
  async read(): Promise<void> {
    const { bytesRead } = await this.handle.read(this.buffer, 0, this.buffer.length, null);
    if (bytesRead === 0) {
      this.ended = true;
      const last = this.rest + this.decoder.end();
      this.lines = last === '' ? [] : [last];
    } else {
      this.lines = (this.rest + this.decoder.write(this.buffer.subarray(0, bytesRead))).split('\n');
      this.rest = this.lines.pop()!;
    }
    this.index = 0;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
