/**
 * Reads every file of the disc in the drive and hashes it (the media.audit method,
 * docs/auditing.md), with no staging: what the catalog's manifest of that disc is then compared
 * with. As the restore does, xorriso (an ISO 9660 reader independent of this code) lists where
 * each file's data lies, and the agent reads those sectors from the image or drive itself.
 *
 * A disc may hold a million files, so no list of them is ever held whole: the listing is sorted
 * by where the data lies (one pass over the disc, no seeking back) and the hashes by path, the
 * order the catalog pages a manifest in, each with a bounded external sort (external-sort.ts).
 * A file that cannot be read is named with its read error and the audit goes on. Where xorriso
 * recorded MD5s on the disc, its own `-check_md5_r` runs as well (md5-check.ts).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import {
  comparePaths,
  graftPointToDay,
  isStoreIndicatorPath,
  SECTOR_SIZE,
  VerifyFailedError,
  type DayStamp,
} from '@cedar-store/domain';
import { LIMITS, type Md5Check } from '@cedar-store/ports';
import type { ProgramRunner } from '../process/program-runner.js';
import { xorrisoDevice } from '../xorriso/args.js';
import { listingReaderArgs } from '../verify/direct-args.js';
import { parseReportLbaLine } from '../verify/direct-parse.js';
import type { MediaSource } from '../verify/direct-verify.js';
import { ExternalSort } from './external-sort.js';
import { checkMd5Args, md5CheckCollector } from './md5-check.js';

/** A file of the disc as read: its day, path on the disc (`YYYY/MM/DD/...`), size and SHA-256 (hex). */
export type AuditedFile = { day: DayStamp; path: string; size: number; sha256: string };

export type AuditOptions = {
  /** A directory of the agent's own for the sort's runs; removed when the audit ends. */
  scratchDir: string;
  /** Called with each file's record in the catalog's order (day, then path by UTF-8 bytes), awaited. */
  onFile: (file: AuditedFile) => void | Promise<void>;
  onBytes?: (bytesDone: number, bytesTotal: number) => void;
  /** Opens the image file or drive for reading; tests pass one that fails. */
  openMedia?: (path: string) => Promise<FileHandle>;
  /** Items per sorted run (tests make it small to sort through files). */
  runSize?: number;
};

export type DiscAudit = {
  files: number;
  bytes: number;
  /** The first files that could not be read, with the error; `unreadableCount` counts all. */
  unreadable: { path: string; error: string }[];
  unreadableCount: number;
  /** Files outside the days' tree and store indicators, which no manifest holds. */
  skipped: number;
  md5: Md5Check;
};

/** A listed file: path (no leading `/`), size and extents `[lba, blocks]`. */
export type Listed = { path: string; size: number; extents: [number, number][] };

const CHUNK_BYTES = 1024 * 1024;

/** Every file of the disc, in order (`-find /` as the last session shows the tree), with its extents. */
export function auditListingArgs(device: string): string[] {
  return [...listingReaderArgs(device), '-find', '/', '-type', 'f', '-exec', 'report_lba', '--'];
}

/** The day a path on the disc belongs to, or null for one no manifest holds (outside the days, an indicator). */
export function dayOfDiscPath(path: string): DayStamp | null {
  if (path[10] !== '/' || path.length < 12 || isStoreIndicatorPath(path)) return null;
  return graftPointToDay(path.slice(0, 10));
}

const byPlace = (a: Listed, b: Listed): number =>
  (a.extents[0]?.[0] ?? 0) - (b.extents[0]?.[0] ?? 0) || comparePaths(a.path, b.path);
const byPath = (a: AuditedFile, b: AuditedFile): number => comparePaths(a.path, b.path);

/**
 * Lists, reads and hashes every file of the disc, hands each record to `onFile` in the catalog's
 * order, then runs xorriso's MD5 check. A disc whose tree xorriso cannot read is VERIFY_FAILED.
 */
export async function auditDisc(runner: ProgramRunner, media: MediaSource, options: AuditOptions): Promise<DiscAudit> {
  const listing = new ExternalSort<Listed>(join(options.scratchDir, 'listing'), byPlace, { runSize: options.runSize });
  const hashed = new ExternalSort<AuditedFile>(join(options.scratchDir, 'hashes'), byPath, {
    runSize: options.runSize,
  });
  try {
    const { skipped, bytesTotal } = await listDisc(runner, media, listing);
    const audit: DiscAudit = { files: 0, bytes: 0, unreadable: [], unreadableCount: 0, skipped, md5: absentMd5 };
    await readFiles(media, listing.sorted(), bytesTotal, audit, hashed, options);
    for await (const file of hashed.sorted()) await options.onFile(file);
    audit.md5 = await checkMd5(runner, media);
    return audit;
  } finally {
    await listing.dispose();
    await hashed.dispose();
  }
}

const absentMd5: Md5Check = { verdict: 'absent', words: '' };

/**
 * Gathers the listing's lines into files as they come: a file over 4 GiB has a line per extent
 * (index 1 and on follow index 0), and files no manifest holds are counted, not listed.
 */
export function listingCollector(onFile: (file: Listed) => void) {
  const state = { skipped: 0, bytesTotal: 0, problems: [] as string[] };
  let current: Listed | undefined;
  let lastPath: string | undefined;
  const flush = () => {
    if (current === undefined) return;
    onFile(current);
    state.bytesTotal += current.size;
    current = undefined;
  };
  return {
    state,
    line(line: string, stream: 'stdout' | 'stderr'): void {
      if (stream === 'stderr') {
        if (/: (SORRY|FAILURE|FATAL|ABORT) : /.test(line) && state.problems.length < 20)
          state.problems.push(line.replace(/^xorriso : /, '').trim());
        return;
      }
      const extent = parseReportLbaLine(line);
      if (!extent) return;
      if (extent.index > 0 && extent.path === lastPath) {
        current?.extents.push([extent.lba, extent.blocks]);
        return;
      }
      lastPath = extent.path;
      flush();
      if (dayOfDiscPath(extent.path) === null) {
        state.skipped += 1;
        return;
      }
      current = { path: extent.path, size: extent.size, extents: [[extent.lba, extent.blocks]] };
    },
    finish(): typeof state {
      flush();
      return state;
    },
  };
}

async function listDisc(
  runner: ProgramRunner,
  media: MediaSource,
  listing: ExternalSort<Listed>,
): Promise<{ skipped: number; bytesTotal: number }> {
  const collector = listingCollector((file) => listing.add(file));
  const result = await runner.run('xorriso', auditListingArgs(xorrisoDevice(media.source, media.isImageFile)), {
    timeout: 'estimate',
    onLine: (line, stream) => collector.line(line, stream),
  });
  const { skipped, bytesTotal, problems } = collector.finish();
  if (problems.length > 0 || result.exitCode !== 0) {
    const reasons = problems.length > 0 ? problems.slice(-3).join(' | ') : `exit code ${String(result.exitCode)}`;
    throw new VerifyFailedError(
      `xorriso could not read the disc's tree from ${media.source} (${reasons}), so nothing was audited: ` +
        'check the disc and the drive, then audit again',
    );
  }
  return { skipped, bytesTotal };
}

async function readFiles(
  media: MediaSource,
  files: AsyncIterable<Listed>,
  bytesTotal: number,
  audit: DiscAudit,
  hashed: ExternalSort<AuditedFile>,
  options: AuditOptions,
): Promise<void> {
  const handle = await (options.openMedia ?? ((path: string) => open(path, 'r')))(media.source).catch(
    (error: unknown) => {
      throw new VerifyFailedError(
        `could not open ${media.source} to read the disc (${String((error as { code?: unknown }).code ?? error)}): ` +
          "check the disc and the agent's permission to read the drive or image file, then audit again",
      );
    },
  );
  let bytesDone = 0;
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  try {
    for await (const file of files) {
      const hash = createHash('sha256');
      let left = file.size;
      try {
        for (const [lba, blocks] of file.extents) {
          let offset = lba * SECTOR_SIZE;
          let inExtent = Math.min(blocks * SECTOR_SIZE, left);
          while (inExtent > 0) {
            const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK_BYTES, inExtent), offset);
            if (bytesRead === 0) throw new Error('the disc ends inside the file');
            hash.update(buffer.subarray(0, bytesRead));
            offset += bytesRead;
            inExtent -= bytesRead;
            left -= bytesRead;
            bytesDone += bytesRead;
            options.onBytes?.(bytesDone, bytesTotal);
          }
        }
        if (left > 0) throw new Error('the disc holds less data than the file’s size says');
      } catch (error) {
        bytesDone += left;
        audit.unreadableCount += 1;
        if (audit.unreadable.length < LIMITS.maxMismatchesReported)
          audit.unreadable.push({ path: file.path, error: readError(error) });
        continue;
      }
      const day = dayOfDiscPath(file.path)!;
      hashed.add({ day, path: file.path, size: file.size, sha256: hash.digest('hex') });
      audit.files += 1;
      audit.bytes += file.size;
    }
  } finally {
    await handle.close();
  }
}

/** `EIO: i/o error, read`: what a user searches for, within the wire's limit. */
function readError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 500 ? `${text.slice(0, 499)}…` : text;
}

async function checkMd5(runner: ProgramRunner, media: MediaSource): Promise<Md5Check> {
  const collector = md5CheckCollector();
  const result = await runner.run('xorriso', checkMd5Args(xorrisoDevice(media.source, media.isImageFile)), {
    timeout: 'write',
    onLine: (line, stream) => collector.line(line, stream),
  });
  return collector.finish(result.exitCode);
}
