import { describe, expect, it } from 'vitest';
import { formatLocalTime } from './format.js';
import { runSummaryRows } from './run-summary.js';

describe('formatLocalTime in a named zone', () => {
  it('writes the instant as the clock in that zone reads it, whatever the host zone is', () => {
    expect(formatLocalTime('2025-02-05T01:30:01.000Z', 'UTC')).toBe('2025-02-05 01:30:01');
    expect(formatLocalTime('2025-02-05T01:30:01.000Z', 'America/New_York')).toBe('2025-02-04 20:30:01');
    expect(formatLocalTime('2025-07-01T00:00:00.000Z', 'Europe/Berlin')).toBe('2025-07-01 02:00:00');
  });

  it('puts the summary times in that zone', () => {
    const [when] = runSummaryRows(
      {
        id: 'run-1',
        action: 'store',
        device: 'a/b',
        status: 'queued',
        requestedAt: '2025-02-05T01:30:00.000Z',
        options: {},
        warnings: [],
      },
      { maxMismatchesShown: 3, timeZone: 'Asia/Tokyo' },
    );
    expect(when).toEqual({ label: 'When', lines: ['requested 2025-02-05 10:30:00'] });
  });
});
