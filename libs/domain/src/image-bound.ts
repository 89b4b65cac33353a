/**
 * An upper bound of the image a session of staging days makes (ISO 9660 with Rock Ridge and
 * Joliet, as xorriso, genisoimage and mkisofs write it) from what the staging inspect already
 * counted: files, directories, the bytes of their names and of their data. When the bound fits
 * the space left with room to spare, the fit check needs no measurement, which for a day of
 * 100 000 files is a whole second walk of its tree (docs/performance.md). Close to the limit,
 * or where a rule needs the exact size (the blanking factor), the image is measured.
 *
 * Every term is a maximum, not an average: a directory record is at most 34 bytes, an ISO name
 * of 40, Rock Ridge's PX, TF, NM, RR and CE fields and the name itself; a Joliet record at most
 * 38 bytes and the name in UTF-16; records never straddle a sector, which wastes under 255 of
 * every 2048 bytes (hence 8/7); each directory rounds its ISO extent, its continuation area and
 * its Joliet extent up to a sector, adds its own two records and path-table entries, and may be
 * relocated once (deep trees). The files' data is counted exactly, in whole sectors.
 */
import { SECTOR_SIZE } from './media.js';

/** What the bound is computed from, per day (the staging inspect's `shape`). */
export type TreeShape = {
  /** Everything that is not a directory: regular files, links, the indicators. */
  files: number;
  /** Directories below the day's own. */
  directories: number;
  /** UTF-8 bytes of every entry's name, and of every symbolic link's target. */
  nameBytes: number;
  /** Sectors of the regular files' data (each file's size rounded up to 2048 bytes), indicators included. */
  dataSectors: number;
};

/** Fixed cost of an image: system area, volume descriptors, xorriso's 300 KiB padding, with room. */
const FIXED_BYTES = 1024 * 1024;
/** Per entry, ISO record with Rock Ridge (34 + 40 + 44 + 33 + 5 + 5 + 28) and Joliet record (38), name aside. */
const ENTRY_BYTES = 189 + 38;
/** Per name byte: once in Rock Ridge's NM, twice in Joliet's UTF-16. */
const NAME_FACTOR = 3;
/** Records never cross a sector boundary; a record is at most 255 bytes. */
const PACKING = 8 / 7;
/**
 * Per directory: three extents rounded up to a sector (ISO, continuation area, Joliet), its "."
 * and ".." records in both trees, four path-table entries, a relocation record.
 */
const DIRECTORY_BYTES = 3 * SECTOR_SIZE + 2 * 150 + 2 * 40 + 2 * 48 + 2 * 214 + 300;
/** Each day hangs under /YYYY/MM/DD: three directories of short names. */
const GRAFT_DIRECTORIES = 3;
/** Files over 4 GiB take one directory record per extent. */
const EXTENT_BYTES = 4 * 2 ** 30 - SECTOR_SIZE;
/** Per table (two ISO, two Joliet) and per tree: rounding up to a sector. */
const TABLE_ROUNDING_BYTES = 6 * SECTOR_SIZE;

/** The most bytes a session holding `days` can take (before the device's own alignment). */
export function imageSizeUpperBound(days: readonly TreeShape[]): number {
  let bytes = FIXED_BYTES + TABLE_ROUNDING_BYTES;
  for (const day of days) {
    const directories = day.directories + GRAFT_DIRECTORIES;
    const entries = day.files + directories;
    const names = day.nameBytes + GRAFT_DIRECTORIES * 4;
    const dataBytes = day.dataSectors * SECTOR_SIZE;
    const extraExtents = Math.ceil(dataBytes / EXTENT_BYTES);
    bytes += dataBytes;
    bytes += Math.ceil((entries * ENTRY_BYTES + names * NAME_FACTOR + extraExtents * 255) * PACKING);
    bytes += directories * DIRECTORY_BYTES;
  }
  return Math.ceil(bytes / SECTOR_SIZE) * SECTOR_SIZE;
}

/** The room the bound must leave before it replaces a measurement: 5 % of the space, at least 32 MiB. */
export function boundMarginBytes(availableBytes: number): number {
  return Math.max(32 * 2 ** 20, Math.ceil(availableBytes * 0.05));
}

/**
 * Whether the bound proves the image fits, so that it needs no measurement. `oldTreeBytes` is
 * what an appended session may repeat of the sessions before it (their directory trees): the
 * bytes the media already holds bound it.
 */
export function boundProvesFit(input: { boundBytes: number; oldTreeBytes: number; availableBytes: number }): boolean {
  const { boundBytes, oldTreeBytes, availableBytes } = input;
  return boundBytes + oldTreeBytes + boundMarginBytes(availableBytes) <= availableBytes;
}

/**
 * The bound that stands for the fit check's measurement, or undefined when the image must be
 * measured: a day's shape is unknown, or the bound comes close to the space left. A session
 * appended to media holding others repeats their trees: `bytesUsed` counts for them.
 */
export function fitProvingBound(input: {
  shapes: readonly (TreeShape | undefined)[];
  appendsTo: { bytesUsed: number } | null;
  availableBytes: number;
}): number | undefined {
  const shapes = input.shapes.filter((shape): shape is TreeShape => shape !== undefined);
  if (shapes.length === 0 || shapes.length !== input.shapes.length) return undefined;
  const boundBytes = imageSizeUpperBound(shapes);
  const oldTreeBytes = input.appendsTo?.bytesUsed ?? 0;
  return boundProvesFit({ boundBytes, oldTreeBytes, availableBytes: input.availableBytes })
    ? boundBytes + oldTreeBytes
    : undefined;
}
