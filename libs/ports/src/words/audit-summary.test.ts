import { describe, expect, it } from 'vitest';
import { lastAuditLine } from './audit-summary.js';

const AT = '2027-05-01T10:00:00.000Z';

describe('lastAuditLine', () => {
  it('says a disc was never audited', () => {
    expect(lastAuditLine(null, 'UTC')).toBe('never audited');
  });

  it('says when the last audit was, in the zone asked for, and that it passed', () => {
    expect(lastAuditLine({ at: AT, ok: true, problems: 0, runId: 'r1' }, 'UTC')).toBe(
      'last audited 2027-05-01 10:00:00, passed',
    );
    expect(lastAuditLine({ at: AT, ok: true, problems: 0, runId: 'r1' }, 'Europe/Berlin')).toBe(
      'last audited 2027-05-01 12:00:00, passed',
    );
  });

  it('counts the problems of a failed audit', () => {
    expect(lastAuditLine({ at: AT, ok: false, problems: 1, runId: 'r1' }, 'UTC')).toBe(
      'last audited 2027-05-01 10:00:00, FAILED: 1 problem',
    );
    expect(lastAuditLine({ at: AT, ok: false, problems: 250, runId: 'r1' }, 'UTC')).toBe(
      'last audited 2027-05-01 10:00:00, FAILED: 250 problems',
    );
  });

  it('names the MD5 check when a failed audit found no file wrong', () => {
    expect(lastAuditLine({ at: AT, ok: false, problems: 0, runId: 'r1' }, 'UTC')).toBe(
      "last audited 2027-05-01 10:00:00, FAILED: xorriso's MD5 check found a mismatch",
    );
  });
});
