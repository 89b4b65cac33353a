/**
 * A manifest page checked without zod. The controller takes a page of up to 5 000 records per
 * `manifest.read` while a store's disc is still being written, and zod's check of every record
 * cost it about 0.2 s of CPU per 100 000 files, beside xorriso on the same cores. This check
 * accepts exactly what ManifestPageSchema accepts and gives the same value back
 * (manifest-page-check.test.ts holds the two to that); a page it refuses goes to the schema,
 * which words the error.
 */
import { isDayStamp } from '@cedar-store/domain';
import { LIMITS } from './constants.js';
import type { ManifestPage, ManifestRecord } from './methods.js';

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** The page when the schema would accept it as it is; undefined for the schema to decide and word. */
export function plainManifestPage(value: unknown): ManifestPage | undefined {
  if (!isPlainObject(value) || !hasExactly(value, PAGE_KEYS)) return undefined;
  const { records, nextCursor } = value as { records: unknown; nextCursor: unknown };
  if (nextCursor !== null && !isCount(nextCursor)) return undefined;
  if (!Array.isArray(records) || records.length > LIMITS.maxManifestRecordsPerPage) return undefined;
  // A page is mostly one day: its stamp is checked once per run of records that share it.
  let goodDay: string | undefined;
  for (const record of records) {
    if (!isPlainObject(record) || !hasExactly(record, RECORD_KEYS)) return undefined;
    const { day, path, size, sha256 } = record as Record<(typeof RECORD_KEYS)[number], unknown>;
    if (day !== goodDay) {
      if (typeof day !== 'string' || day.length > 10 || !isDayStamp(day)) return undefined;
      goodDay = day;
    }
    if (typeof path !== 'string' || path.length < 12 || path.length > 4096) return undefined;
    if (!isCount(size)) return undefined;
    if (typeof sha256 !== 'string' || !SHA256_HEX.test(sha256)) return undefined;
  }
  // Exactly the schema's keys, each as it takes it: the page is its own checked value.
  return { records: records as ManifestRecord[], nextCursor };
}

const PAGE_KEYS = ['records', 'nextCursor'] as const;
const RECORD_KEYS = ['day', 'path', 'size', 'sha256'] as const;

/** A whole number from 0 to 2^53 − 1 (ByteCountSchema, and the page's cursor). */
function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every key present and no other, as a strict object asks: `{ a: undefined }` is left to the schema. */
function hasExactly(value: Record<string, unknown>, keys: readonly string[]): boolean {
  const own = Object.keys(value);
  if (own.length !== keys.length) return false;
  for (const key of keys) if (value[key] === undefined || !Object.hasOwn(value, key)) return false;
  return true;
}
