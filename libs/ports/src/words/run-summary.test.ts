import { describe, expect, it } from 'vitest';
import { describeVerify, mismatchTotal } from './run-summary.js';

const named = Array.from({ length: 1000 }, (_, i) => ({ path: `2026/11/26/f${i}`, kind: 'missing' as const }));
const failed = { ok: false, method: 'direct' as const, filesCompared: 3, bytesCompared: 10, mismatches: named };

describe('describeVerify', () => {
  it('counts every mismatch when the report names only the first 1000, and says --json lists those', () => {
    expect(describeVerify({ ...failed, mismatchCount: 52_341 }, 2)).toEqual([
      'FAILED: 52341 mismatches; 3 files, 10 B compared (direct)',
      'missing  2026/11/26/f0',
      'missing  2026/11/26/f1',
      '… and 52339 more (--json lists the first 1000)',
    ]);
  });

  it('counts the named ones in a report without a count (an older agent)', () => {
    expect(mismatchTotal(failed)).toBe(1000);
    expect(describeVerify(failed, 2).at(-1)).toBe('… and 998 more (--json lists them all)');
  });
});
