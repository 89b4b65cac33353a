import type { VerifyReport } from '@cedar-store/ports';
import { describe, expect, it } from 'vitest';
import { createHarness } from '../testing/harness.js';
import { differencesFound } from './written-session.js';

const TODAY = '2026-11-26';

const missing = (count: number): VerifyReport['mismatches'] =>
  Array.from({ length: count }, (_, i) => ({ path: `2026/11/26/f${String(i).padStart(4, '0')}`, kind: 'missing' }));

const report = (mismatches: VerifyReport['mismatches'], mismatchCount?: number): VerifyReport => ({
  ok: false,
  method: 'direct',
  filesCompared: 0,
  bytesCompared: 0,
  mismatches,
  ...(mismatchCount === undefined ? {} : { mismatchCount }),
});

describe('the words of a failed verify', () => {
  it('says how many files differ when the report names only the first 1000', () => {
    const words = differencesFound(report(missing(1000), 52_341));
    expect(words).toMatch(/52341 files differ; the first 1000 are named/);
    expect(words).toMatch(/beginning with 2026\/11\/26\/f0000 \(missing\), .*2026\/11\/26\/f0009 \(missing\)$/);
    expect(words).not.toMatch(/f0010/);
  });

  it('counts the named ones when the report names them all, as an older agent’s does', () => {
    const words = differencesFound(report(missing(12)));
    expect(words).toMatch(/^verify found 12 difference\(s\) between the disc and staging: 2026\/11\/26\/f0000/);
    expect(words).toMatch(/f0009 \(missing\) and 2 more$/);
    expect(words).not.toMatch(/files differ/);
  });

  it('fails a verify run of a day the disc lacks with the count of all its files', async () => {
    const h = createHarness();
    const files = Object.fromEntries(missing(1200).map(({ path }) => [path.slice('2026/11/26/'.length), 'x']));
    h.staging.addDay(TODAY, files);
    const run = await h.run('verify', { days: [TODAY] });

    expect(run.error?.code).toBe('VERIFY_FAILED');
    expect(run.error?.message).toMatch(
      /^verify found differences between the disc and staging: 1200 files differ; the first 1000 are named/,
    );
    expect(run.verify?.mismatches).toHaveLength(1000);
    expect(run.verify?.mismatchCount).toBe(1200);
  });
});
