/**
 * How an ISO file plays a disc. xorriso treats a file as overwriteable media: it keeps the
 * first 32 sectors for the superblock that points at the newest session and starts every
 * session on a 32-sector boundary, so an image takes its print size rounded up to 32
 * sectors (plus the 32 reserved ones on a new disc).
 */
import { xorrisoDevice } from '../xorriso/args.js';

export const VIRTUAL_ALIGNMENT_SECTORS = 32;
export const VIRTUAL_RESERVED_SECTORS = 32;

export function virtualDevice(imagePath: string): string {
  return xorrisoDevice(imagePath, true);
}

export function virtualImageSectors(printSizeSectors: number, newDisc: boolean): number {
  const reserved = newDisc ? VIRTUAL_RESERVED_SECTORS : 0;
  const aligned = Math.ceil((printSizeSectors + reserved) / VIRTUAL_ALIGNMENT_SECTORS) * VIRTUAL_ALIGNMENT_SECTORS;
  return aligned;
}
