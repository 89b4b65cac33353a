import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { collectDays, parseDay, parseDevice, parseLimit, parsePort, parseStatus } from './arguments.js';

describe('command-line values', () => {
  it('accepts only real calendar dates', () => {
    expect(parseDay('2024-02-29')).toBe('2024-02-29');
    for (const bad of ['2023-02-29', '2025-04-31', '2025-1-05', '20250205', 'today', '']) {
      expect(() => parseDay(bad)).toThrow(InvalidArgumentError);
    }
  });

  it('collects repeated and comma-listed days once each, within the per-run limit', () => {
    expect(collectDays('2025-02-05', collectDays('2025-02-03, 2025-02-04', undefined))).toEqual([
      '2025-02-03',
      '2025-02-04',
      '2025-02-05',
    ]);
    expect(collectDays('2025-02-03', ['2025-02-03'])).toEqual(['2025-02-03']);
    const many = Array.from({ length: 31 }, (_, index) => `2025-01-${String(index + 1).padStart(2, '0')}`);
    expect(() => collectDays('2025-02-01', many)).toThrow(/at most 31 days/);
  });

  it('wants devices as agent/device', () => {
    expect(parseDevice('burner-1/dvd0')).toBe('burner-1/dvd0');
    for (const bad of ['dvd0', '/dvd0', 'a/b/c', '../x']) expect(() => parseDevice(bad)).toThrow(/agent\/device/);
  });

  it('checks statuses, limits and ports', () => {
    expect(parseStatus('interrupted')).toBe('interrupted');
    expect(() => parseStatus('done')).toThrow(InvalidArgumentError);
    expect(parseLimit('20')).toBe(20);
    for (const bad of ['0', '-1', '1.5', 'ten']) expect(() => parseLimit(bad)).toThrow(InvalidArgumentError);
    expect(parsePort('0')).toBe(0);
    expect(parsePort('7700')).toBe(7700);
    for (const bad of ['65536', 'http', '-1']) expect(() => parsePort(bad)).toThrow(InvalidArgumentError);
  });
});
