/**
 * Media types and their capacities, as the reference tool defines them ("MB" = 2^20 bytes,
 * "GB" = 2^30 bytes), plus the DVD and BD types it never knew, at their real capacities.
 * CDs lose sectors to lead-ins: one for the first session and one for each session after.
 */
import { InvalidRequestError } from './errors.js';

export const SECTOR_SIZE = 2048;

export const MEDIA_TYPES = [
  'cdr-74',
  'cdrw-74',
  'cdr-80',
  'cdrw-80',
  'dvd+r',
  'dvd+rw',
  'dvd-r',
  'dvd-rw',
  'dvd+r-dl',
  'bd-r',
  'bd-re',
] as const;

export type MediaType = (typeof MEDIA_TYPES)[number];
export type MediaFamily = 'cd' | 'dvd' | 'bd';

export type MediaDefinition = {
  type: MediaType;
  family: MediaFamily;
  rewritable: boolean;
  /** May be fractional: the reference's DVD capacity is 4.4 GiB, not a whole number of sectors. */
  capacitySectors: number;
  initialLeadInSectors: number;
  sessionLeadInSectors: number;
};

const MIB = 2 ** 20;
const GIB = 2 ** 30;
const CD_INITIAL_LEAD_IN = 11_400;
const CD_SESSION_LEAD_IN = 6_900;

const cd = (type: MediaType, rewritable: boolean, megabytes: number): MediaDefinition => ({
  type,
  family: 'cd',
  rewritable,
  capacitySectors: (megabytes * MIB) / SECTOR_SIZE,
  initialLeadInSectors: CD_INITIAL_LEAD_IN,
  sessionLeadInSectors: CD_SESSION_LEAD_IN,
});

const disc = (type: MediaType, family: MediaFamily, rewritable: boolean, capacitySectors: number): MediaDefinition => ({
  type,
  family,
  rewritable,
  capacitySectors,
  initialLeadInSectors: 0,
  sessionLeadInSectors: 0,
});

const DEFINITIONS: Record<MediaType, MediaDefinition> = {
  'cdr-74': cd('cdr-74', false, 650),
  'cdrw-74': cd('cdrw-74', true, 650),
  'cdr-80': cd('cdr-80', false, 700),
  'cdrw-80': cd('cdrw-80', true, 700),
  'dvd+r': disc('dvd+r', 'dvd', false, (4.4 * GIB) / SECTOR_SIZE),
  'dvd+rw': disc('dvd+rw', 'dvd', true, (4.4 * GIB) / SECTOR_SIZE),
  'dvd-r': disc('dvd-r', 'dvd', false, 2_298_496),
  'dvd-rw': disc('dvd-rw', 'dvd', true, 2_298_496),
  'dvd+r-dl': disc('dvd+r-dl', 'dvd', false, 4_173_824),
  'bd-r': disc('bd-r', 'bd', false, 12_219_392),
  'bd-re': disc('bd-re', 'bd', true, 12_219_392),
};

export function isMediaType(value: unknown): value is MediaType {
  return typeof value === 'string' && (MEDIA_TYPES as readonly string[]).includes(value);
}

export function mediaDefinition(type: MediaType): MediaDefinition {
  if (!isMediaType(type)) {
    throw new InvalidRequestError(`unknown media type ${JSON.stringify(type)}: use one of ${MEDIA_TYPES.join(', ')}`);
  }
  return { ...DEFINITIONS[type] };
}
