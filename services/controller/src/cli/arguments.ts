/**
 * Command-line values checked before anything is sent: a wrong date or device is the
 * user's to fix (exit 2), and a controller should never see it.
 */
import { isDayStamp } from '@cedar-store/domain/day';
import { isDeviceRef, LIMITS, RUN_STATUSES } from '@cedar-store/ports/constants';
import type { RunStatus } from '@cedar-store/ports';
import { InvalidArgumentError } from 'commander';

export function parseDay(value: string): string {
  if (!isDayStamp(value)) {
    throw new InvalidArgumentError(`"${value}" is not a real calendar date written YYYY-MM-DD (e.g. 2025-02-05).`);
  }
  return value;
}

/** `--day` may be repeated and may hold a comma list; a day named twice is asked for once. */
export function collectDays(value: string, previous: string[] | undefined): string[] {
  const days = [...(previous ?? [])];
  for (const part of value.split(',')) {
    const day = parseDay(part.trim());
    if (!days.includes(day)) days.push(day);
  }
  if (days.length > LIMITS.maxDaysPerRequest) {
    throw new InvalidArgumentError(`at most ${LIMITS.maxDaysPerRequest} days per run.`);
  }
  return days;
}

export function parseDevice(value: string): string {
  if (!isDeviceRef(value)) {
    throw new InvalidArgumentError(
      `"${value}" is not a device: write it agent/device, e.g. burner-1/dvd0 (see cedar-store devices).`,
    );
  }
  return value;
}

export function parseStatus(value: string): RunStatus {
  if (!(RUN_STATUSES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`"${value}" is not a run status: one of ${RUN_STATUSES.join(', ')}.`);
  }
  return value as RunStatus;
}

export function parseLimit(value: string): number {
  const limit = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(limit) || limit < 1) {
    throw new InvalidArgumentError(`"${value}" is not a positive whole number.`);
  }
  return limit;
}

export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new InvalidArgumentError(`"${value}" is not a TCP port (0 to 65535; 0 picks a free one).`);
  }
  return port;
}
