import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { dayFacts } from '../files/file-work.js';
import type { FileWorkers } from '../files/file-workers.js';
import { holdsAtMost, SMALL_DAY_ENTRIES, stagingDayFacts } from './day-facts.js';
import { FsStagingArea } from './fs-staging-area.js';

/** A pool with threads, as the installed agent has; it answers with what a worker's walk would. */
function threadedPool() {
  const dayFactsInPool = vi.fn(async (root: string) => dayFacts(root));
  return { pool: { threaded: true, dayFacts: dayFactsInPool } as unknown as FileWorkers, dayFactsInPool };
}

describe('a staging day summed for the inspect', () => {
  let base: string;

  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'cedar-day-facts-'));
  });
  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  async function day(name: string, files: number, nested = false): Promise<string> {
    const dir = join(base, name);
    await mkdir(join(dir, 'host'), { recursive: true });
    await writeFile(join(dir, 'cback.stage'), '');
    for (let i = 0; i < files; i++) await writeFile(join(dir, nested ? 'host' : '', `f${i}.txt`), 'x'.repeat(i * 700));
    return dir;
  }

  it('walks a day of a few files without the pool, with the same bytes and shape as the pool', async () => {
    const dir = await day('small', 5, true);
    await symlink('host/f1.txt', join(dir, 'link'));
    const { pool, dayFactsInPool } = threadedPool();

    const facts = await stagingDayFacts(dir, pool);

    expect(facts).toEqual({ ...dayFacts(dir), walkedInline: true });
    expect(facts.bytes).toBe(700 + 1400 + 2100 + 2800);
    expect(dayFactsInPool).not.toHaveBeenCalled();
  });

  it('leaves a day of more entries than the limit to the pool', async () => {
    const dir = await day('large', SMALL_DAY_ENTRIES + 1);
    const { pool, dayFactsInPool } = threadedPool();

    const facts = await stagingDayFacts(dir, pool);

    expect(facts).toEqual({ ...dayFacts(dir), walkedInline: false });
    expect(dayFactsInPool).toHaveBeenCalledWith(dir);
  });

  it('counts entries at every depth and stops at the first one past the limit', async () => {
    const dir = await day('nested', 3, true);
    // host/, cback.stage and host's three files: five entries.
    expect(await holdsAtMost(dir, 5)).toBe(true);
    expect(await holdsAtMost(dir, 4)).toBe(false);
  });

  it('answers a missing tree as not small: the pool walks it and reports the error', async () => {
    expect(await holdsAtMost(join(base, 'gone'), SMALL_DAY_ENTRIES)).toBe(false);
  });

  it('inspects small days without waiting for a thread, and asks the pool once to start one for what follows', async () => {
    const root = join(base, 'stage');
    for (const d of ['2026/11/04', '2026/11/05']) {
      await mkdir(join(root, d), { recursive: true });
      await writeFile(join(root, d, 'one-file.txt'), 'the fixed cost of a run\n');
      await writeFile(join(root, d, 'cback.stage'), '');
    }
    const { pool, dayFactsInPool } = threadedPool();
    const area = new FsStagingArea(root, null, pool);

    const facts = await area.inspect(['2026-11-04', '2026-11-05', '2026-11-06']);

    expect(facts.map(({ day, exists, staged, bytes }) => ({ day, exists, staged, bytes }))).toEqual([
      { day: '2026-11-04', exists: true, staged: true, bytes: 24 },
      { day: '2026-11-05', exists: true, staged: true, bytes: 24 },
      { day: '2026-11-06', exists: false, staged: false, bytes: 0 },
    ]);
    expect(dayFactsInPool).toHaveBeenCalledTimes(1);
  });
});
