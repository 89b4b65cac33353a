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

  it('says under each disc its number and last audit, and what to run next', () => {
    const disc = { label: 'CEDAR BACKUP 23-NOV-2026', device: 'burner-1/dvd0', startedAt: '2026-11-23T21:00:00.000Z' };
    const at = '2027-05-01T10:00:00.000Z';
    const lines = formatMediaTable([
      { ...disc, sessions: [], id: 3, lastAudit: { at, ok: false, problems: 2, runId: 'run-9' } },
      { ...disc, sessions: [], id: 2, lastAudit: { at, ok: true, problems: 0, runId: 'run-8' } },
      { ...disc, sessions: [], id: 1, lastAudit: null },
    ])
      .split('\n')
      .filter((line) => line.startsWith('  disc '));
    expect(lines).toEqual([
      expect.stringMatching(
        /^ {2}disc 3: last audited \S+ \S+, FAILED: 2 problems \(cedar-store runs run-9 names them\)$/,
      ),
      expect.stringMatching(/^ {2}disc 2: last audited \S+ \S+, passed$/),
      '  disc 1: never audited (cedar-store audit)',
    ]);
  });
});
