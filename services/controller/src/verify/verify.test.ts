import { describe, expect, it } from 'vitest';
import { createHarness } from '../testing/harness.js';

const TODAY = '2026-11-26';

describe('verify', () => {
  it('reads the disc back and reports what it compared', async () => {
    const h = createHarness();
    h.staging.addDay(TODAY, { a: 'alpha', 'b/c': 'gamma' });
    await h.run('store');
    const run = await h.run('verify', { days: [TODAY] });

    expect(run.status).toBe('succeeded');
    expect(run.verify).toEqual({ ok: true, method: 'memory', filesCompared: 2, bytesCompared: 10, mismatches: [] });
  });

  it('fails naming the file that differs, and changes nothing', async () => {
    const h = createHarness();
    h.staging.addDay(TODAY, { a: 'alpha', 'b/c': 'gamma' });
    await h.run('store');
    h.drive.corrupt('2026/11/26/b/c');
    const markedBefore = h.staging.markStoredCalls.length;
    const run = await h.run('verify', { days: [TODAY] });

    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('VERIFY_FAILED');
    expect(run.error?.message).toMatch(/2026\/11\/26\/b\/c \(content\)/);
    expect(run.error?.message).toMatch(/cedar-store rebuild/);
    expect(run.verify?.mismatches).toEqual([{ path: '2026/11/26/b/c', kind: 'content' }]);
    expect(h.staging.markStoredCalls).toHaveLength(markedBefore);
    expect(h.drive.operations.filter((op) => op === 'write')).toHaveLength(1);
  });

  it('names files missing from the disc', async () => {
    const h = createHarness();
    h.staging.addDay(TODAY, { a: 'alpha' });
    const run = await h.run('verify', { days: [TODAY] });

    expect(run.error?.code).toBe('VERIFY_FAILED');
    expect(run.verify?.mismatches).toEqual([{ path: '2026/11/26/a', kind: 'missing' }]);
  });

  it('refuses a day that is not in staging', async () => {
    const h = createHarness();
    const run = await h.run('verify', { days: ['2026-11-20'] });

    expect(run.error?.code).toBe('NO_STAGING_DIRECTORY');
    expect(h.drive.operations).toEqual([]);
  });

  it('needs at least one day', async () => {
    const h = createHarness();
    const run = await h.run('verify');
    expect(run.error).toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringMatching(/--day/) });
  });
});
