/**
 * The policy of `cedar-store import-config`: how the reference's store decides (starting day,
 * checks, blanking, its capacity extension) as controller.yaml `policy`.
 */
import { WEEKDAYS, type Weekday } from '@cedar-store/domain';
import type { XmlElement } from './cback-xml.js';
import { checkElements, flag, optionalSection, optionalText, requiredText } from './cback-values.js';
import { MigrationError } from './migration-error.js';

/** controller.yaml `policy` as the import writes it. */
export type ImportedPolicy = {
  startingDay: Weekday;
  checkData: boolean;
  checkMedia: boolean;
  warnMidnite: boolean;
  blankBehavior?: { mode: 'daily' | 'weekly'; factor: number };
  capacityLimit?: { maxPercentage: number } | { minBytes: number };
};

/** The policy, with a note of what a user should check (a starting day normalised, checkData off). */
export function mapPolicy(opts: XmlElement, store: XmlElement, root: XmlElement, notes: string[]): ImportedPolicy {
  const startingDay = requiredText(opts, 'options/starting_day');
  const weekday = startingDay.toLowerCase();
  if (!(WEEKDAYS as readonly string[]).includes(weekday)) {
    throw new MigrationError(
      `<options>/<starting_day> is "${startingDay}": write a weekday in full (${WEEKDAYS.join(', ')})`,
      'options/starting_day',
    );
  }
  if (weekday !== startingDay) {
    notes.push(
      `<options>/<starting_day> "${startingDay}" was normalised to ${weekday}: Cedar Backup 3 accepts only the ` +
        'lower-case day names and refuses this file; write it in lower case there too',
    );
  }
  const checkData = flag(store, 'store/check_data', false);
  if (!checkData) {
    notes.push(
      'checkData is false, as <check_data> said (or the reference defaults to when it is absent): discs are not read ' +
        'back after writing. cedar-store recommends true.',
    );
  }
  const blankBehavior = mapBlankBehavior(store);
  const capacityLimit = mapCapacity(root);
  return {
    startingDay: weekday as Weekday,
    checkData,
    checkMedia: flag(store, 'store/check_media', false),
    warnMidnite: flag(store, 'store/warn_midnite', false),
    ...(blankBehavior ? { blankBehavior } : {}),
    ...(capacityLimit ? { capacityLimit } : {}),
  };
}

function mapBlankBehavior(store: XmlElement): ImportedPolicy['blankBehavior'] {
  const section = optionalSection(store, 'blank_behavior', 'store/blank_behavior');
  if (section === undefined) return undefined;
  checkElements(section, 'store/blank_behavior', ['mode', 'factor']);
  const mode = requiredText(section, 'store/blank_behavior/mode');
  if (mode !== 'daily' && mode !== 'weekly') {
    throw new MigrationError(
      `<store>/<blank_behavior>/<mode> is "${mode}": write daily or weekly`,
      'store/blank_behavior/mode',
    );
  }
  const factorText = requiredText(section, 'store/blank_behavior/factor');
  if (!/^\d+(\.\d+)?$|^\.\d+$/.test(factorText)) {
    throw new MigrationError(
      `<store>/<blank_behavior>/<factor> is "${factorText}": write a number >= 0 such as 1.3`,
      'store/blank_behavior/factor',
    );
  }
  return { mode, factor: Number(factorText) };
}

/** The reference's capacity extension (`<capacity>`) is the same check as cedar-store's capacityLimit. */
function mapCapacity(root: XmlElement): ImportedPolicy['capacityLimit'] {
  const section = optionalSection(root, 'capacity');
  if (section === undefined) return undefined;
  checkElements(section, 'capacity', ['max_percentage', 'min_bytes']);
  const percentage = optionalText(section, 'capacity/max_percentage');
  const minBytes = optionalText(section, 'capacity/min_bytes');
  if (percentage !== undefined && minBytes !== undefined) {
    throw new MigrationError(
      '<capacity> has both <max_percentage> and <min_bytes>: cedar-store checks one limit; keep one of them',
      'capacity',
    );
  }
  if (percentage !== undefined) {
    const value = /^\d+(\.\d+)?$/.test(percentage) ? Number(percentage) : NaN;
    if (!(value >= 0 && value <= 100)) {
      throw new MigrationError(
        `<capacity>/<max_percentage> is "${percentage}": write a percentage from 0 to 100 such as 95.5`,
        'capacity/max_percentage',
      );
    }
    return { maxPercentage: value };
  }
  if (minBytes !== undefined) return { minBytes: byteQuantity(minBytes) };
  return undefined;
}

const BYTE_UNITS: Record<string, number> = { '': 1, B: 1, BYTES: 1, KB: 2 ** 10, MB: 2 ** 20, GB: 2 ** 30 };

/** `500 MB`, `1.5 GB` or a plain byte count; the reference's units are powers of 1024. */
function byteQuantity(value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([A-Za-z]*)$/.exec(value);
  const unit = BYTE_UNITS[match?.[2]?.toUpperCase() ?? 'none'];
  if (!match || unit === undefined) {
    throw new MigrationError(
      `<capacity>/<min_bytes> is "${value}": write a number of bytes, optionally with KB, MB or GB (e.g. 500 MB)`,
      'capacity/min_bytes',
    );
  }
  return Math.round(Number(match[1]) * unit);
}
