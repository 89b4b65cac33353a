/**
 * The manifest of each day a verify read (or, for a store that does not read the disc back,
 * each staging day hashed on its own): every file's path on the disc, size and SHA-256
 * (docs/manifest-and-find.md). The hashes come from the bytes the verify's worker threads
 * already compare; they are appended to a file under the agent's working directory named by
 * the operation id, never held all at once, and the controller pages through that file with
 * `manifest.read` within the frame limit.
 *
 * The verify is handed the writer's `add` as its `onFileHashed` listener: no async context,
 * whose hooks would cost every promise of the agent
 * (docs/decisions/0008-a-program-runner-per-device.md).
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import {
  dayToGraftPoint,
  graftPointToDay,
  InvalidRequestError,
  isStoreIndicatorPath,
  VerifyFailedError,
  type DayStamp,
} from '@cedar-store/domain';
import type { ManifestPage, ManifestRecord } from '@cedar-store/ports';
import { WalkUnreadableError, type FileWorkers } from '../files/file-workers.js';

/** A manifest file an operation left is kept this long for the controller (or its recovery) to read. */
const MANIFEST_KEEP_MS = 14 * 24 * 3600 * 1000;

/** Lines the manifest's stream takes before a writer waits: a few walk batches' worth. */
const WRITE_BUFFER_BYTES = 256 * 1024;

/** A page is half the frame limit, and never smaller than this. */
const MIN_PAGE_BYTES = 8 * 1024;
/** The longest record: a 4 KiB path whose every byte JSON escapes as \u00XX, and the rest. */
const MAX_RECORD_BYTES = 6 * 4096 + 1024;

/** Where the hashes of the running operation go: JSON lines appended to its file. */
export class ManifestWriter {
  private readonly stream: WriteStream;
  private failed: Error | undefined;
  files = 0;
  bytes = 0;

  constructor(readonly path: string) {
    this.stream = createWriteStream(path, { flags: 'w', mode: 0o600, highWaterMark: WRITE_BUFFER_BYTES });
    this.stream.on('error', (error) => (this.failed = error));
  }

  /** A file on the disc at `path` (`YYYY/MM/DD/...`) with these bytes. */
  add(path: string, size: number, sha256: string): void {
    const day = graftPointToDay(path.slice(0, 10));
    if (day === null || path[10] !== '/' || isStoreIndicatorPath(path)) return;
    this.stream.write(recordLine(day, path, size, sha256));
    this.files += 1;
    this.bytes += size;
  }

  /**
   * The files of one day, in one write: a staging walk's batch, whose paths all lie under the
   * day's graft point (no day to parse from each path, no write per file).
   */
  addDay(day: DayStamp, files: readonly { path: string; size: number; sha256: string }[]): void {
    const graft = `${dayToGraftPoint(day)}/`;
    let lines = '';
    for (const { path, size, sha256 } of files) {
      if (!path.startsWith(graft) || path.length === graft.length || isStoreIndicatorPath(path)) continue;
      lines += recordLine(day, path, size, sha256);
      this.files += 1;
      this.bytes += size;
    }
    if (lines.length > 0) this.stream.write(lines);
  }

  /** Resolves once the file took what was added so far: a long run of `add`s (an audit's) waits here. */
  async flushed(): Promise<void> {
    if (this.failed) throw this.failed;
    if (!this.stream.writableNeedDrain) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.stream.off('drain', done);
        this.stream.off('error', done);
        resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('error', done);
    });
    if (this.failed) throw this.failed;
  }

  async end(): Promise<void> {
    await new Promise<void>((resolve) => this.stream.end(resolve));
    if (this.failed) throw this.failed;
  }
}

/**
 * A record's line in the manifest file: the text JSON.stringify gives a ManifestRecord, keys in
 * its order, built without the object (a day of a million files writes a million). Only the
 * path can need escaping: the day is a checked stamp, the hash lowercase hex.
 */
function recordLine(day: DayStamp, path: string, size: number, sha256: string): string {
  return `{"day":"${day}","path":${JSON.stringify(path)},"size":${size},"sha256":"${sha256}"}\n`;
}

export type ManifestStoreOptions = {
  /** The agent's working directory; manifests live in its `manifests` folder. */
  workingDir: string;
  /** The agent's frame limit: a page of records stays well inside it. */
  maxFrameBytes: number;
  workers: FileWorkers;
  /** The staging directories of these days, refusing a missing day or one outside the root. */
  resolveDays(days: readonly DayStamp[]): Promise<{ day: DayStamp; path: string }[]>;
  now?: () => number;
};

export class ManifestStore {
  private readonly dir: string;
  private readonly pageBytes: number;

  constructor(private readonly options: ManifestStoreOptions) {
    this.dir = join(options.workingDir, 'manifests');
    this.pageBytes = Math.max(MIN_PAGE_BYTES, Math.floor(options.maxFrameBytes / 2));
  }

  /**
   * Runs a verify so that the files it finds the same are recorded under `opId`. The manifest
   * is kept only when `keep` says the verify passed: a failed verify leaves none.
   */
  async during<T>(
    opId: string,
    work: (writer: ManifestWriter) => Promise<T>,
    keep: (result: T) => boolean,
  ): Promise<T> {
    const writer = await this.start(opId);
    let result: T;
    try {
      result = await work(writer);
    } catch (error) {
      await this.discard(writer);
      throw error;
    }
    if (keep(result)) await this.finish(opId, writer);
    else await this.discard(writer);
    return result;
  }

  /**
   * Hashes the staging days in one read (a store that does not read the disc back) and records
   * the manifest under `opId`: the files as they were just written to the disc.
   */
  async hashStaging(opId: string, days: readonly DayStamp[]): Promise<{ files: number; bytes: number }> {
    const resolved = await this.options.resolveDays(days);
    const writer = await this.start(opId);
    try {
      for (const { day, path } of resolved) await this.hashDay(writer, day, path);
    } catch (error) {
      await this.discard(writer);
      throw error;
    }
    await this.finish(opId, writer);
    return { files: writer.files, bytes: writer.bytes };
  }

  /**
   * A day a walk batch at a time (never listed whole; the next batch is read meanwhile): one
   * hashing walk on one comparing thread, which reads each file as it comes to it. The hash runs
   * beside the write, so one thread leaves the other core to xorriso; a walk thread listing
   * paths for two hashing threads cost a core's worth of lstat and messages besides
   * (docs/performance.md). The batches are recorded in walk order.
   */
  private async hashDay(writer: ManifestWriter, day: DayStamp, path: string): Promise<void> {
    try {
      for await (const batch of this.options.workers.walkDay(path, dayToGraftPoint(day), { hash: true })) {
        const files: HashedFile[] = [];
        for (const file of batch) {
          if (file.kind === 'file' && file.sha256 !== undefined) {
            files.push({ path: file.path, size: file.size, sha256: file.sha256 });
          }
        }
        if (files.length > 0) await record(writer, day, files);
      }
    } catch (error) {
      if (error instanceof WalkUnreadableError) throw unreadable(error.path, error.error.message);
      throw error;
    }
  }

  /**
   * The records from byte `cursor` of the operation's manifest: at most `maxRecords`, and no
   * more bytes than a page holds; `nextCursor` is null at the end.
   */
  async read(opId: string, cursor: number, maxRecords: number): Promise<ManifestPage> {
    let handle;
    try {
      handle = await open(this.fileOf(opId), 'r');
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
      throw new InvalidRequestError(
        `the agent has no manifest for operation ${opId}: the verify did not pass, recorded none, ` +
          `or the manifest is older than ${MANIFEST_KEEP_MS / 86_400_000} days and was removed`,
        { opId },
      );
    }
    try {
      // A record longer than a page (a 4 KiB path of escaped characters) goes alone in a larger one.
      let buffer = Buffer.allocUnsafe(this.pageBytes);
      let { bytesRead } = await handle.read(buffer, 0, buffer.length, cursor);
      let limit = maxRecords;
      if (bytesRead === buffer.length && buffer.indexOf(10) < 0) {
        buffer = Buffer.allocUnsafe(MAX_RECORD_BYTES);
        ({ bytesRead } = await handle.read(buffer, 0, buffer.length, cursor));
        limit = 1;
      }
      const records: ManifestRecord[] = [];
      let at = 0;
      while (records.length < limit) {
        const end = buffer.indexOf(10, at);
        if (end < 0 || end >= bytesRead) break;
        records.push(JSON.parse(buffer.toString('utf8', at, end)) as ManifestRecord);
        at = end + 1;
      }
      const { size } = await handle.stat();
      const next = cursor + at;
      return { records, nextCursor: next >= size ? null : next };
    } finally {
      await handle.close();
    }
  }

  private fileOf(opId: string): string {
    return join(this.dir, `${opId.replaceAll(':', '_')}.jsonl`);
  }

  private async start(opId: string): Promise<ManifestWriter> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await this.prune();
    return new ManifestWriter(`${this.fileOf(opId)}.part`);
  }

  private async finish(opId: string, writer: ManifestWriter): Promise<void> {
    await writer.end();
    await rename(writer.path, this.fileOf(opId));
  }

  private async discard(writer: ManifestWriter): Promise<void> {
    await writer.end().catch(() => undefined);
    await unlink(writer.path).catch(() => undefined);
  }

  /** Removes manifests older than MANIFEST_KEEP_MS: the controller read them long ago, or never will. */
  private async prune(): Promise<void> {
    const now = (this.options.now ?? Date.now)();
    for (const name of await readdir(this.dir).catch(() => [] as string[])) {
      const path = join(this.dir, name);
      const facts = await stat(path).catch(() => null);
      if (facts && now - facts.mtimeMs > MANIFEST_KEEP_MS) await unlink(path).catch(() => undefined);
    }
  }
}

type HashedFile = { path: string; size: number; sha256: string };

/** A hashed batch into the manifest, then room for the next: the file takes it before more is read. */
async function record(writer: ManifestWriter, day: DayStamp, files: readonly HashedFile[]): Promise<void> {
  writer.addDay(day, files);
  await writer.flushed();
}

function unreadable(path: string, reason: string): VerifyFailedError {
  return new VerifyFailedError(
    `could not read ${path} in the staging directory (${reason}), so no manifest was recorded: ` +
      'check that the agent may read it, then store again',
    { path },
  );
}
