/**
 * How much a disc holds and how much is left for the next session.
 *
 * CDs report their multisession boundaries (`cdrecord -msinfo`); an upper boundary of 0, or
 * none at all, means a blank disc that still owes the initial lead-in. DVDs and BDs report
 * the sectors already used. Available space never goes below zero.
 */
import { MediaFullError, InvalidRequestError } from './errors.js';
import { SECTOR_SIZE, type MediaDefinition } from './media.js';

export type MediaUsage = { boundaries: readonly [number, number] | null } | { sectorsUsed: number };

export type Capacity = { bytesUsed: number; bytesAvailable: number; utilizedPercent: number };

export type CapacityLimit = { maxPercentage?: number; minBytes?: number };

function assertSectorCount(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidRequestError(`${what} must be a whole number of sectors >= 0, got ${String(value)}`);
  }
}

export function calculateCapacity(media: MediaDefinition, usage: MediaUsage): Capacity {
  let usedSectors: number;
  let availableSectors: number;
  if ('boundaries' in usage) {
    const boundaries = usage.boundaries;
    if (boundaries) boundaries.forEach((value, index) => assertSectorCount(value, `boundary ${index + 1}`));
    const upper = boundaries ? boundaries[1] : 0;
    if (upper === 0) {
      usedSectors = 0;
      availableSectors = media.capacitySectors - media.initialLeadInSectors;
    } else {
      usedSectors = upper;
      availableSectors = media.capacitySectors - upper - media.sessionLeadInSectors;
    }
  } else {
    assertSectorCount(usage.sectorsUsed, 'sectors used');
    usedSectors = usage.sectorsUsed;
    availableSectors = media.capacitySectors - usage.sectorsUsed;
  }
  const bytesUsed = usedSectors * SECTOR_SIZE;
  // Whole bytes: the reference's DVD capacity is not a whole number of sectors.
  const bytesAvailable = Math.max(0, Math.floor(availableSectors * SECTOR_SIZE));
  return { bytesUsed, bytesAvailable, utilizedPercent: utilizedPercent(bytesUsed, bytesAvailable) };
}

/** Used / (used + available) × 100; 100 when nothing is available, 0 when nothing is used. */
export function utilizedPercent(bytesUsed: number, bytesAvailable: number): number {
  if (bytesAvailable === 0) return 100;
  if (bytesUsed === 0) return 0;
  return (bytesUsed / (bytesUsed + bytesAvailable)) * 100;
}

/** The capacity of the same media once blanked (or fresh): what a new disc offers. */
export function newDiscCapacity(media: MediaDefinition): Capacity {
  return calculateCapacity(media, { boundaries: null });
}

/** Refuses, before anything is blanked or written, an image the media cannot hold. */
export function checkFits(input: { requiredBytes: number; availableBytes: number }): void {
  const { requiredBytes, availableBytes } = input;
  if (requiredBytes > availableBytes) {
    throw new MediaFullError(
      `media does not have enough capacity to store the image: ${formatBytes(requiredBytes)} required, ` +
        `${formatBytes(availableBytes)} available. Nothing was written. Run \`cedar-store rebuild\` to start ` +
        'a new disc with this week so far, or use larger media.',
      { requiredBytes, availableBytes },
    );
  }
}

/** The optional capacity check after a store: an error-level warning, never a failure. */
export function capacityWarning(capacity: Capacity, limit?: CapacityLimit | null): string | null {
  if (!limit) return null;
  if (limit.maxPercentage !== undefined && capacity.utilizedPercent > limit.maxPercentage) {
    return (
      `media utilization is ${capacity.utilizedPercent.toFixed(2)}%, above the limit of ${limit.maxPercentage}%: ` +
      'start a new disc soon (cedar-store rebuild) or the next store may not fit.'
    );
  }
  if (limit.minBytes !== undefined && capacity.bytesAvailable < limit.minBytes) {
    return (
      `only ${formatBytes(capacity.bytesAvailable)} left on the media, below the limit of ${formatBytes(limit.minBytes)}: ` +
      'start a new disc soon (cedar-store rebuild) or the next store may not fit.'
    );
  }
  return null;
}

/** Bytes for people: binary units, two decimals, the exact count kept in brackets. */
export function formatBytes(bytes: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  if (bytes < 1024) return `${bytes} bytes`;
  let value = bytes;
  let unit = 'bytes';
  for (const next of units) {
    if (value < 1024) break;
    value /= 1024;
    unit = next;
  }
  return `${value.toFixed(2)} ${unit} (${Math.round(bytes)} bytes)`;
}
