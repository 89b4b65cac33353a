import type { Run } from '@cedar-store/ports';
import { describe, expect, it } from 'vitest';
import { notifyEventOf, reportRun } from './run-report.js';

const failed: Run = {
  id: 'run-7',
  action: 'store',
  device: 'burner-1/dvd0',
  status: 'failed',
  requestedAt: '2026-11-26T22:00:00.000Z',
  startedAt: '2026-11-26T22:00:01.000Z',
  finishedAt: '2026-11-26T22:00:31.000Z',
  options: {},
  selection: { today: '2026-11-26', days: ['2026-11-26'], rule: 'today', crossedMidnight: false },
  warnings: [],
  error: { code: 'MEDIA_FULL', message: 'the days need 5.1 GB, the disc has 0.3 GB left' },
};

describe('the report of a finished run', () => {
  it('names the action, device and code in the subject, and says what happened and what to do', () => {
    const report = reportRun(failed)!;
    expect(report.event).toBe('failed');
    expect(report.subject).toBe('cedar-store: store failed on burner-1/dvd0 (MEDIA_FULL)');
    expect(report.summary).toContain(
      'The store run run-7 on burner-1/dvd0 failed at 2026-11-26T22:00:31.000Z after 30 s.',
    );
    expect(report.summary).toContain('MEDIA_FULL: the days need 5.1 GB, the disc has 0.3 GB left');
    expect(report.summary).toContain('Days: 2026-11-26 (rule: today).');
    expect(report.advice).toContain('put in a new disc and run cedar-store rebuild');
  });

  it('tells a success with warnings from a plain one, and a cancelled or interrupted run from both', () => {
    const succeeded: Run = { ...failed, status: 'succeeded' };
    delete succeeded.error;
    expect(notifyEventOf(succeeded)).toBe('succeeded');
    const warned = { ...succeeded, warnings: [{ code: 'CAPACITY_LIMIT', message: 'the disc is 92% full' }] };
    expect(notifyEventOf(warned)).toBe('warning');
    expect(reportRun(warned)!.subject).toBe(
      'cedar-store: store succeeded with warnings on burner-1/dvd0 (CAPACITY_LIMIT)',
    );
    expect(notifyEventOf({ ...failed, status: 'interrupted' })).toBe('failed');
    expect(notifyEventOf({ ...failed, status: 'cancelled' })).toBe('cancelled');
  });

  it('reports a dry run as its own event, whether its plan would succeed or fail', () => {
    const dry: Run = { ...failed, options: { dryRun: true } };
    expect(notifyEventOf(dry)).toBe('dryRun');
    expect(notifyEventOf({ ...dry, status: 'succeeded' })).toBe('dryRun');
    expect(reportRun(dry)!.advice).toContain('nothing was blanked, written or marked');
  });

  it('has nothing to report for a run still queued or running', () => {
    expect(reportRun({ ...failed, status: 'running' })).toBeUndefined();
    expect(reportRun({ ...failed, status: 'queued' })).toBeUndefined();
  });
});
