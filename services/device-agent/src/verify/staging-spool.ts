/**
 * The mount verify's staging side, walked once: the walk's entries go to a file of the working
 * directory as they come while their bytes are summed — the progress total, known before the
 * first file is compared — and are read back a batch at a time for the merge. Staging was
 * walked twice before (once for the total, once to merge): on a slow or network disk, every
 * file's metadata read twice. Only a batch is held at a time; the file is removed afterwards.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { isStoreIndicatorPath, VerifyFailedError } from '@cedar-store/domain';
import type { ListedFile } from '../files/day-walker.js';
import { LineBuffer, SpoolLines } from './spool-lines.js';

/** Entries per batch read back. */
const SPOOL_BATCH = 256;

export class StagingSpool {
  private constructor(
    private readonly dir: string,
    /** The bytes of the files to compare (the store indicator left out: it is never compared). */
    readonly bytes: number,
  ) {}

  /** Runs the walk to its end into a spool under `parent`; a walk that fails leaves nothing behind. */
  static async fill(parent: string, walk: AsyncIterable<ListedFile[]>): Promise<StagingSpool> {
    const dir = await mkdtemp(join(parent, 'staging-')).catch((error: unknown) => {
      throw cannotSpool(parent, error);
    });
    try {
      return new StagingSpool(dir, await spoolWalk(join(dir, 'entries'), walk));
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** The entries in the walk's order, a batch at a time. */
  async *entries(batchSize = SPOOL_BATCH): AsyncGenerator<ListedFile[], void, undefined> {
    const source = await SpoolLines.open(join(this.dir, 'entries'));
    try {
      let batch: ListedFile[] = [];
      for (let text = source.take(); text !== null; text = source.take()) {
        if (text === undefined) {
          await source.read();
          continue;
        }
        batch.push(JSON.parse(text) as ListedFile);
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
    } finally {
      await source.close();
    }
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Writes each entry as a line of JSON (a name may hold a newline: JSON escapes it) and sums the files' bytes. */
async function spoolWalk(path: string, walk: AsyncIterable<ListedFile[]>): Promise<number> {
  const out = createWriteStream(path, { mode: 0o600 });
  const written = once(out, 'close');
  // Heard when the walk ends (or at the next drain), never as unhandled.
  written.catch(() => undefined);
  const lines = new LineBuffer(out);
  let bytes = 0;
  try {
    for await (const batch of walk) {
      for (const entry of batch) {
        if (entry.kind === 'file' && !isStoreIndicatorPath(entry.path)) bytes += entry.size;
        if (!lines.add(JSON.stringify(entry))) await Promise.race([once(out, 'drain'), written]);
      }
    }
    lines.flush();
  } finally {
    out.end();
  }
  await written.catch((error: unknown) => {
    throw cannotSpool(path, error);
  });
  return bytes;
}

function cannotSpool(path: string, error: unknown): VerifyFailedError {
  const code = (error as { code?: unknown } | null)?.code;
  return new VerifyFailedError(
    `could not keep the staging listing in ${path} (${typeof code === 'string' ? code : String(error)}), ` +
      "so nothing was compared: check the free space of the agent's working directory, then verify again",
    { path },
  );
}
