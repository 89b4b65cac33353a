import { describe, expect, it } from 'vitest';
import { elapsedMs, formatBytes, formatDuration, formatLocalTime, formatPercent, formatRate } from './format.js';

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.00 KiB'],
    [1536, '1.50 KiB'],
    [700 * 1024 ** 2, '700 MiB'],
    [4.38 * 1024 ** 3, '4.38 GiB'],
    [25 * 1024 ** 3, '25.0 GiB'],
    [1024 ** 4, '1.00 TiB'],
    [-2048, '-2.00 KiB'],
    [Number.NaN, '?'],
  ])('%d bytes → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it('writes rates in the same units', () => {
    expect(formatRate(11.2 * 1024 ** 2)).toBe('11.2 MiB/s');
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0 ms'],
    [850, '850 ms'],
    [2000, '2.0 s'],
    [12_345, '12 s'],
    [59_400, '59 s'],
    [192_000, '3m 12s'],
    [3_600_000 + 2 * 60_000 + 10_000, '1h 02m'],
    [-1, '?'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('formatPercent', () => {
  it('never says 100% before the last byte', () => {
    expect(formatPercent(999_999, 1_000_000)).toBe('99%');
    expect(formatPercent(1_000_000, 1_000_000)).toBe('100%');
    expect(formatPercent(0, 0)).toBe('0%');
    expect(formatPercent(250, 1000)).toBe('25%');
  });
});

describe('times', () => {
  it('measures between two ISO timestamps, or says nothing', () => {
    expect(elapsedMs('2025-02-05T01:30:01.000Z', '2025-02-05T01:33:13.000Z')).toBe(192_000);
    expect(elapsedMs('2025-02-05T01:30:01.000Z', undefined)).toBeUndefined();
    expect(elapsedMs('later', 'earlier')).toBeUndefined();
  });

  it('writes a local time without the T and the zone, keeping what it cannot read', () => {
    expect(formatLocalTime('2025-02-05T01:30:01.000Z')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(formatLocalTime(undefined)).toBe('-');
    expect(formatLocalTime('not a time')).toBe('not a time');
  });
});
