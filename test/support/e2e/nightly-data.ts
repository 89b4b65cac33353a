/**
 * Small, distinct, reproducible staging data for the end-to-end nights, and the media label a
 * user expects on a night's disc — written out here rather than taken from the product, so a
 * wrong label in the product cannot pass for a right one.
 */
import { createHash } from 'node:crypto';
import type { StagedFile } from '../staging-dir.js';

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

/** `CEDAR BACKUP 23-NOV-2026` for `2026-11-23` (Cedar Backup's label). */
export function expectedLabel(day: string): string {
  const [year, month, date] = day.split('-');
  return `CEDAR BACKUP ${date}-${MONTHS[Number(month) - 1]}-${year}`;
}

/** `bytes` of printable text that differs for every `seed` (hash chain, no randomness). */
export function textOf(seed: string, bytes: number): string {
  const chunks: string[] = [];
  let length = 0;
  let block = seed;
  while (length < bytes) {
    block = createHash('sha256').update(block).digest('base64');
    chunks.push(block);
    length += block.length;
  }
  return chunks.join('').slice(0, bytes);
}

/** What a backup host's nightly collect leaves in a staging day: a few files, one of `bulkBytes`. */
export function nightFiles(day: string, bulkBytes = 64 * 1024): Record<string, StagedFile> {
  return {
    'etc/hostname': `backup-host ${day}\n`,
    'home/user/notes.txt': textOf(`notes ${day}`, 3000),
    'var/db/dump.sql': textOf(`dump ${day}`, bulkBytes),
  };
}

export const KIB = 1024;
export const MIB = 1024 * 1024;
