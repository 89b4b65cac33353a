import { describe, expect, it } from 'vitest';
import { formatDevicesTable, formatMediaTable, formatRunsTable } from './listings.js';

describe('listings', () => {
  it('reads devices that report activity and a queue count', () => {
    const text = formatDevicesTable({
      agents: [],
      devices: [
        {
          ref: 'burner-1/dvd0',
          backend: 'xorriso',
          mediaType: 'dvd+rw',
          connected: false,
          activity: 'idle',
          queued: 0,
        },
        { ref: 'burner-1/bd0', backend: 'virtual', mediaType: 'bd-re', connected: true, activity: 'busy', queued: 3 },
      ],
    });
    expect(text.split('\n')).toEqual([
      'DEVICE         BACKEND  MEDIA   CONNECTED  STATE  QUEUED',
      'burner-1/dvd0  xorriso  dvd+rw  no         idle        0',
      'burner-1/bd0   virtual  bd-re   yes        busy        3',
    ]);
  });

  it('marks dry runs in the runs table, with what they found', () => {
    const base = {
      action: 'store' as const,
      device: 'burner-1/dvd0',
      requestedAt: '2026-11-26T22:00:00.000Z',
      options: { dryRun: true },
      warnings: [],
    };
    const text = formatRunsTable([
      { ...base, id: 'run-1', status: 'succeeded' },
      { ...base, id: 'run-2', status: 'failed', error: { code: 'MEDIA_FULL', message: 'too big' } },
      { ...base, id: 'run-3', status: 'succeeded', options: {} },
    ]);
    const results = text
      .split('\n')
      .slice(1)
      .map((line) => line.slice(line.lastIndexOf('  ') + 2));
    expect(results).toEqual(['dry run: fits', 'dry run: MEDIA_FULL: too big', '-']);
  });

  it('says so when there is nothing to list', () => {
    expect(formatRunsTable([])).toBe('No runs.');
    expect(formatMediaTable([])).toBe('No disc in the catalog yet.');
    expect(formatDevicesTable({ agents: [], devices: [] })).toContain('No device known');
  });
});
