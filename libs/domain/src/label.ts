/**
 * Media labels and the media check.
 *
 * Every image carries `CEDAR BACKUP DD-MON-YYYY`, so a disc in the drive can be recognised
 * as ours. With the media check on, a rewritable disc must already carry such a label
 * (it was initialized for this rotation); a write-once disc may also be blank and unused.
 */
import { assertDayStamp, type DayStamp } from './day.js';
import { MediaNotInitializedError } from './errors.js';

export const MEDIA_LABEL_PREFIX = 'CEDAR BACKUP';

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const;

export function buildMediaLabel(day: DayStamp): string {
  assertDayStamp(day);
  const [year, month, dayOfMonth] = day.split('-') as [string, string, string];
  return `${MEDIA_LABEL_PREFIX} ${dayOfMonth}-${MONTHS[Number(month) - 1]}-${year}`;
}

export function isCedarLabel(label: string | null | undefined): boolean {
  return typeof label === 'string' && label.startsWith(MEDIA_LABEL_PREFIX);
}

export function checkMediaState(input: { label: string | null; rewritable: boolean }): void {
  const { label, rewritable } = input;
  if (!rewritable && label === null) return;
  if (isCedarLabel(label)) return;
  const found = label === null ? 'no label' : `the label ${JSON.stringify(label)}`;
  throw new MediaNotInitializedError(
    `media has not been initialized: the ${rewritable ? 'rewritable' : 'write-once'} disc in the drive has ${found}, ` +
      `not one starting with "${MEDIA_LABEL_PREFIX}". ` +
      (rewritable
        ? 'Run `cedar-store initialize` to prepare it, or insert a disc of this rotation.'
        : 'Insert a blank disc or one written by cedar-store.'),
    { label, rewritable },
  );
}
