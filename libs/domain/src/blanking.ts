/**
 * Blank or append? The blanking factor.
 *
 * A week's sessions accumulate on one disc. Without a blank behaviour the disc starts
 * afresh on the week's starting day. With one, the media is measured and a new disc is
 * started only when what is left looks too small for what is coming:
 * `available / (1 + required) <= factor`. The right factor depends on how a site's daily
 * volumes vary, so it is a setting, and the measurement is taken only when the rule needs it
 * (measuring a real disc costs a dry run).
 */
import { CedarStoreError, InvalidRequestError } from './errors.js';

export type BlankMode = 'daily' | 'weekly';
export type BlankBehavior = { mode: BlankMode; factor: number };

export type NewDiscRule = 'rebuild' | 'startOfWeek' | 'factor' | 'append';

export type NewDiscDecision = { newDisc: boolean; rule: NewDiscRule; ratio?: number };

type BlankingInput = {
  rebuildMedia: boolean;
  todayIsStart: boolean;
  blankBehavior?: BlankBehavior | null | undefined;
};

export function assertBlankBehavior(behavior: BlankBehavior): void {
  if (behavior.mode !== 'daily' && behavior.mode !== 'weekly') {
    throw new InvalidRequestError(`blank behaviour mode must be daily or weekly, got ${JSON.stringify(behavior.mode)}`);
  }
  if (typeof behavior.factor !== 'number' || !Number.isFinite(behavior.factor) || behavior.factor < 0) {
    throw new InvalidRequestError(`blank factor must be a number >= 0, got ${JSON.stringify(behavior.factor)}`);
  }
}

/** True only in the one case where the factor decides: the media must then be measured. */
export function blankingNeedsMeasurement(input: BlankingInput): boolean {
  const { rebuildMedia, todayIsStart, blankBehavior } = input;
  if (rebuildMedia || !blankBehavior) return false;
  return blankBehavior.mode === 'daily' || (blankBehavior.mode === 'weekly' && todayIsStart);
}

export function decideNewDisc(
  input: BlankingInput & { availableBytes?: number; requiredBytes?: number },
): NewDiscDecision {
  const { rebuildMedia, todayIsStart, blankBehavior } = input;
  if (rebuildMedia) return { newDisc: true, rule: 'rebuild' };
  if (!blankBehavior) return todayIsStart ? { newDisc: true, rule: 'startOfWeek' } : { newDisc: false, rule: 'append' };
  assertBlankBehavior(blankBehavior);
  if (!blankingNeedsMeasurement(input)) return { newDisc: false, rule: 'append' };

  const { availableBytes, requiredBytes } = input;
  if (!isMeasurement(availableBytes) || !isMeasurement(requiredBytes)) {
    throw new CedarStoreError(
      'INTERNAL',
      'the blanking factor needs the bytes available on the media and the bytes the image requires',
    );
  }
  const ratio = availableBytes / (1 + requiredBytes);
  return { newDisc: ratio <= blankBehavior.factor, rule: 'factor', ratio };
}

function isMeasurement(value: number | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
