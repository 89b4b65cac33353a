import { CedarStoreError } from '@cedar-store/domain';
import { repeatedBytes } from '@cedar-store/ports/memory';
import { describe, expect, it } from 'vitest';
import { createHarness } from '../testing/harness.js';

// The clock stands on Thursday 2026-11-26; weeks start on Monday unless a test says otherwise.
const TODAY = '2026-11-26';
const YESTERDAY = '2026-11-25';
const TOMORROW = '2026-11-27';
const MONDAY = '2026-11-23';

describe('store', () => {
  it('writes today on a new disc at the start of the week, verifies it, then marks it stored', async () => {
    const h = createHarness({ now: `${MONDAY}T22:00:00Z` });
    h.staging.addDay(MONDAY, { 'etc/hosts': '127.0.0.1 localhost\n' });
    const run = await h.run('store');

    expect(run.status).toBe('succeeded');
    expect(run.selection).toEqual({ today: MONDAY, days: [MONDAY], rule: 'today', crossedMidnight: false });
    expect(run.blanking).toEqual({ newDisc: true, rule: 'startOfWeek', todayIsStart: true });
    expect(run.image?.label).toBe('CEDAR BACKUP 23-NOV-2026');
    expect(run.write?.sessions).toBe(1);
    expect(run.verify).toMatchObject({ ok: true, filesCompared: 1, mismatches: [] });
    expect(h.discText()).toEqual({ '2026/11/23/etc/hosts': '127.0.0.1 localhost\n' });
    expect(h.staging.isStored(MONDAY)).toBe(true);
    expect(run.warnings).toEqual([]);
    const [disc] = await h.catalog.list();
    expect(disc).toMatchObject({ label: 'CEDAR BACKUP 23-NOV-2026', device: 'burner-1/dvd0' });
    expect(disc?.sessions.map((s) => s.days)).toEqual([[MONDAY]]);
  });

  it('appends a session mid-week and keeps the earlier days on the disc', async () => {
    const h = createHarness();
    h.staging.addDay(YESTERDAY, { a: 'day one' }, { stored: true });
    h.staging.addDay(TODAY, { b: 'day two' });
    h.drive.loadDisc('CEDAR BACKUP 25-NOV-2026', { '2026/11/25/a': 'day one' });

    const run = await h.run('store');

    expect(run.status).toBe('succeeded');
    expect(run.blanking).toEqual({ newDisc: false, rule: 'append', todayIsStart: false });
    expect(run.write?.sessions).toBe(2);
    expect(h.discText()).toEqual({ '2026/11/25/a': 'day one', '2026/11/26/b': 'day two' });
    expect(h.drive.operations).not.toContain('blank');
  });

  it('stores yesterday when stage finished after midnight, with a warning', async () => {
    const h = createHarness();
    h.staging.addDay(YESTERDAY, { late: 'x' });
    h.staging.addDay(TODAY, { partial: 'y' }, { staged: false });
    const run = await h.run('store');

    expect(run.status).toBe('succeeded');
    expect(run.selection).toMatchObject({ days: [YESTERDAY], rule: 'yesterday', crossedMidnight: true });
    expect(run.warnings.map((w) => w.code)).toEqual(['MIDNIGHT_CROSSED']);
    expect(run.warnings[0]?.message).toMatch(/today is 2026-11-26 but 2026-11-25 \(yesterday\) was written/);
    expect(h.staging.isStored(YESTERDAY)).toBe(true);
    expect(h.staging.isStored(TODAY)).toBe(false);
  });

  it('stores tomorrow when stage ran early, and keeps quiet with warnMidnite off', async () => {
    const h = createHarness({ policy: { warnMidnite: false } });
    h.staging.addDay(TOMORROW, { early: 'x' });
    const run = await h.run('store');

    expect(run.status).toBe('succeeded');
    expect(run.selection).toMatchObject({ days: [TOMORROW], rule: 'tomorrow', crossedMidnight: true });
    expect(run.warnings).toEqual([]);
  });

  it('gives no midnight warning when today was written', async () => {
    const h = createHarness({ policy: { warnMidnite: true } });
    h.staging.addDay(TODAY, { a: 'x' });
    expect((await h.run('store')).warnings).toEqual([]);
  });

  it('fails with NO_STAGING_DIRECTORY and touches no media when nothing is staged', async () => {
    const h = createHarness();
    h.staging.addDay(TODAY, { a: 'x' }, { stored: true });
    const run = await h.run('store');

    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('NO_STAGING_DIRECTORY');
    expect(h.drive.operations).toEqual([]);
  });

  describe('a candidate day symlinked out of the staging root (not followed)', () => {
    // Cedar Backup store.py _findCorrectDailyDir tries today first: a staged, unstored today is written.
    it('writes today when tomorrow is the linked day', async () => {
      const h = createHarness();
      h.staging.addDay(TODAY, { a: 'x' });
      h.staging.addLinkedOutDay(TOMORROW, '/srv/elsewhere/27');
      const run = await h.run('store');

      expect(run.status).toBe('succeeded');
      expect(run.selection).toMatchObject({ days: [TODAY], rule: 'today' });
      expect(h.staging.isStored(TODAY)).toBe(true);
    });

    it('fails naming the day, where it points and the fix, touching no media, when it may be the day to write', async () => {
      const h = createHarness();
      h.staging.addLinkedOutDay(TODAY, '/srv/elsewhere/26');
      h.staging.addDay(YESTERDAY, { a: 'x' });
      const run = await h.run('store');

      expect(run.status).toBe('failed');
      expect(run.error?.code).toBe('NO_STAGING_DIRECTORY');
      expect(run.error?.message).toMatch(/2026-11-26 is a symlink to \/srv\/elsewhere\/26.*followDaySymlinks: true/);
      expect(h.drive.operations).toEqual([]);
      expect(h.staging.isStored(YESTERDAY)).toBe(false);
    });
  });

  describe('the fit check', () => {
    it('refuses a day larger than the media before anything is blanked or written', async () => {
      const h = createHarness({ now: `${MONDAY}T22:00:00Z` });
      h.drive.loadDisc('CEDAR BACKUP 16-NOV-2026', { '2026/11/16/old': 'last week' });
      h.staging.addDay(MONDAY, { huge: repeatedBytes(5 * 2 ** 30) });
      const before = h.discText();
      const run = await h.run('store');

      expect(run.status).toBe('failed');
      expect(run.error?.code).toBe('MEDIA_FULL');
      expect(run.error?.message).toMatch(/cedar-store rebuild/);
      expect(run.image?.estimatedBytes).toBeGreaterThan(run.image?.availableBytes ?? Infinity);
      expect(h.drive.operations).toEqual(['status', 'estimate']);
      expect(h.discText()).toEqual(before);
      expect(h.drive.sessionLabels()).toEqual(['CEDAR BACKUP 16-NOV-2026']);
      expect(h.staging.isStored(MONDAY)).toBe(false);
    });

    it('checks an append against what is left on the disc, not the whole media', async () => {
      const h = createHarness();
      h.drive.loadDisc('CEDAR BACKUP 23-NOV-2026', { '2026/11/23/big': 'x' });
      // Fill the disc: a first session of 4 GiB leaves about 0.4 GiB.
      h.staging.addDay('2026-11-24', { big: repeatedBytes(4 * 2 ** 30) }, { stored: true });
      await h.drive.write({ days: ['2026-11-24'], label: 'CEDAR BACKUP 24-NOV-2026', newDisc: true });
      h.staging.addDay(TODAY, { next: repeatedBytes(2 ** 30) });
      const run = await h.run('store');

      expect(run.error?.code).toBe('MEDIA_FULL');
      expect(h.drive.sessionLabels()).toEqual(['CEDAR BACKUP 24-NOV-2026']);
    });

    it('takes the bound from the staging inspect for the measurement far from the limit, before the write', async () => {
      const h = createHarness();
      h.staging.addDay(TODAY, { 'host1/etc.tar.gz': repeatedBytes(2 ** 30), 'host1/notes.txt': 'x' });
      const run = await h.run('store');

      expect(run.status).toBe('succeeded');
      expect(run.image).toMatchObject({ estimate: 'bound', estimatedBytes: expect.any(Number) });
      expect(run.image!.estimatedBytes!).toBeGreaterThan(2 ** 30);
      expect(run.image!.estimatedBytes! + 0.05 * run.image!.availableBytes!).toBeLessThanOrEqual(
        run.image!.availableBytes!,
      );
      expect(h.drive.operations.slice(0, 3)).toEqual(['status', 'estimate', 'write']);
    });

    it('measures the image when the bound comes close to the space left, and refuses what does not fit', async () => {
      const h = createHarness({ now: `${MONDAY}T22:00:00Z` });
      // 4.3 GiB on a 4.4 GiB disc: the bound alone cannot say it fits.
      h.staging.addDay(MONDAY, { big: repeatedBytes(4.3 * 2 ** 30) });
      const fits = await h.run('store');
      expect(fits.status).toBe('succeeded');
      expect(fits.image).not.toHaveProperty('estimate');

      const other = createHarness({ now: `${MONDAY}T22:00:00Z` });
      other.staging.addDay(MONDAY, { big: repeatedBytes(4.5 * 2 ** 30) });
      const full = await other.run('store');
      expect(full.error?.code).toBe('MEDIA_FULL');
      expect(full.image).not.toHaveProperty('estimate');
      expect(other.drive.operations).toEqual(['status', 'estimate']);
    });

    it('refuses a new disc on a write-once disc that already holds sessions', async () => {
      const h = createHarness({ mediaType: 'dvd+r', now: `${MONDAY}T22:00:00Z` });
      h.drive.loadDisc('CEDAR BACKUP 16-NOV-2026', { '2026/11/16/old': 'x' });
      h.staging.addDay(MONDAY, { a: 'x' });
      const run = await h.run('store');

      expect(run.error?.code).toBe('MEDIA_NOT_REWRITABLE');
      expect(run.error?.message).toMatch(/insert a blank disc/);
      expect(h.drive.operations).not.toContain('write');
    });
  });

  describe('write and verify failures leave no store indicator', () => {
    it('a failed write', async () => {
      const h = createHarness();
      h.staging.addDay(TODAY, { a: 'x' });
      h.drive.failNext('write', new CedarStoreError('WRITE_FAILED', 'the burner reported a write error'));
      const run = await h.run('store');

      expect(run.status).toBe('failed');
      expect(run.error).toEqual({ code: 'WRITE_FAILED', message: 'the burner reported a write error' });
      expect(h.staging.isStored(TODAY)).toBe(false);
      expect(h.staging.markStoredCalls).toEqual([]);
    });

    it('a write that crashes with an unexpected error is reported as WRITE_FAILED', async () => {
      const h = createHarness();
      h.staging.addDay(TODAY, { a: 'x' });
      h.drive.failNext('write', new Error('EIO: i/o error'));
      const run = await h.run('store');

      expect(run.error?.code).toBe('WRITE_FAILED');
      expect(run.error?.message).toMatch(/EIO: i\/o error.*No store indicator was written/);
      expect(h.staging.isStored(TODAY)).toBe(false);
    });

    it('a disc that does not read back identical (a silent bad burn)', async () => {
      const h = createHarness();
      h.staging.addDay(TODAY, { 'docs/report.txt': 'quarterly numbers', 'docs/ok.txt': 'fine' });
      h.drive.afterNext('write', () => h.drive.corrupt('2026/11/26/docs/report.txt'));
      const run = await h.run('store');

      expect(run.status).toBe('failed');
      expect(run.error?.code).toBe('VERIFY_FAILED');
      expect(run.error?.message).toMatch(/2026\/11\/26\/docs\/report\.txt \(content\)/);
      expect(run.error?.message).toMatch(
        /still wait in staging: check the drive and media, then run `cedar-store store` again today/,
      );
      expect(run.verify?.mismatches).toEqual([{ path: '2026/11/26/docs/report.txt', kind: 'content' }]);
      expect(h.staging.isStored(TODAY)).toBe(false);
    });

    it('a verify report that lists differences, even one claiming ok', async () => {
      const h = createHarness();
      h.staging.addDay(TODAY, { a: 'x' });
      h.drive.verify = async () => ({
        ok: true,
        method: 'memory',
        filesCompared: 1,
        bytesCompared: 1,
        mismatches: [{ path: '2026/11/26/a', kind: 'content' }],
      });
      const run = await h.run('store');

      expect(run.error?.code).toBe('VERIFY_FAILED');
      expect(run.error?.message).toMatch(/2026\/11\/26\/a \(content\)/);
      expect(h.staging.isStored(TODAY)).toBe(false);
    });

    it('a verify that cannot run at all', async () => {
      const h = createHarness();
      h.staging.addDay(TODAY, { a: 'x' });
      h.drive.failNext('verify', new CedarStoreError('TOOL_MISSING', 'fuseiso is missing: apt-get install fuseiso'));
      const run = await h.run('store');

      expect(run.error?.code).toBe('TOOL_MISSING');
      expect(h.staging.isStored(TODAY)).toBe(false);
    });

    it('a new disc whose verify failed is in the catalog as not verified, so the next append is filed under it', async () => {
      const h = createHarness({ now: `${MONDAY}T22:00:00Z` });
      h.drive.loadDisc('CEDAR BACKUP 20-NOV-2026', { '2026/11/20/old': 'last week' });
      await h.catalog.recordSession({
        device: 'burner-1/dvd0',
        discLabel: 'CEDAR BACKUP 20-NOV-2026',
        sessionLabel: 'CEDAR BACKUP 20-NOV-2026',
        newDisc: true,
        days: ['2026-11-20'],
        bytes: 1,
        runId: 'last-week',
        writtenAt: '2026-11-20T22:00:00Z',
      });
      h.staging.addDay(MONDAY, { a: 'monday' });
      h.drive.afterNext('write', () => h.drive.corrupt('2026/11/23/a'));
      const failed = await h.run('store');
      expect(failed.error?.code).toBe('VERIFY_FAILED');
      expect(failed.blanking?.newDisc).toBe(true);

      h.clock.set(new Date('2026-11-24T22:00:00Z'));
      h.staging.addDay('2026-11-24', { b: 'tuesday' });
      expect((await h.run('store')).status).toBe('succeeded');

      const [current, previous] = await h.catalog.list();
      expect(current).toMatchObject({ label: 'CEDAR BACKUP 23-NOV-2026' });
      expect(current?.sessions.map((session) => [session.days, session.runId, session.verified])).toEqual([
        [[MONDAY], failed.id, false],
        [['2026-11-24'], expect.any(String), true],
      ]);
      expect(previous?.sessions.map((session) => session.days)).toEqual([['2026-11-20']]);
    });

    it('the next store retries the day that failed', async () => {
      const h = createHarness();
      h.staging.addDay(TODAY, { a: 'x' });
      h.drive.failNext('write', new CedarStoreError('WRITE_FAILED', 'power cut'));
      expect((await h.run('store')).status).toBe('failed');

      const retry = await h.run('store');
      expect(retry.status).toBe('succeeded');
      expect(retry.selection?.days).toEqual([TODAY]);
      expect(h.staging.isStored(TODAY)).toBe(true);
    });
  });

  it('fails, naming the days, when the store indicator could not be written for every day', async () => {
    const h = createHarness();
    h.staging.addDay(TODAY, { a: 'x' });
    h.staging.markStored = async () => [];
    const run = await h.run('store');

    expect(run.status).toBe('failed');
    expect(run.error?.message).toMatch(
      /store indicator was not written for 2026-11-26.*still wait in staging.*store again today/,
    );
  });

  it('starts a new disc on used rewritable media by blanking it after the fit check', async () => {
    const h = createHarness({ now: `${MONDAY}T22:00:00Z` });
    h.drive.loadDisc('CEDAR BACKUP 16-NOV-2026', { '2026/11/16/old': 'last week' });
    h.staging.addDay(MONDAY, { a: 'x' });
    const run = await h.run('store');

    expect(run.status).toBe('succeeded');
    expect(h.drive.operations).toEqual(['status', 'estimate', 'write', 'blank', 'verify']);
    expect(h.discText()).toEqual({ '2026/11/23/a': 'x' });
  });

  it('skips the read-back with checkData off, and still writes the store indicator', async () => {
    const h = createHarness({ policy: { checkData: false } });
    h.staging.addDay(TODAY, { a: 'x' });
    const run = await h.run('store');

    expect(run.status).toBe('succeeded');
    expect(run.verify).toBeUndefined();
    expect(h.drive.operations).not.toContain('verify');
    expect(h.staging.isStored(TODAY)).toBe(true);
    const events = await h.runs.events(run.id);
    expect(events).toContainEqual(expect.objectContaining({ type: 'step', step: 'verify', state: 'skipped' }));
    // The catalog does not claim a read-back that never happened.
    const [disc] = await h.catalog.list();
    expect(disc?.sessions[0]).not.toHaveProperty('verified');
  });

  it('refuses a mounted device before writing anything', async () => {
    const h = createHarness();
    h.staging.addDay(TODAY, { a: 'x' });
    h.drive.mounted = true;
    const run = await h.run('store');

    expect(run.error?.code).toBe('DEVICE_MOUNTED');
    expect(run.error?.message).toMatch(/unmount it/);
    expect(h.drive.operations).toEqual(['status']);
  });

  describe('the media check', () => {
    it('refuses an uninitialized rewritable disc and writes nothing', async () => {
      const h = createHarness({ policy: { checkMedia: true } });
      h.staging.addDay(TODAY, { a: 'x' });
      const run = await h.run('store');

      expect(run.error?.code).toBe('MEDIA_NOT_INITIALIZED');
      expect(run.error?.message).toMatch(/cedar-store initialize/);
      expect(h.drive.operations).toEqual(['status']);
    });

    it('accepts the disc once it is initialized', async () => {
      const h = createHarness({ policy: { checkMedia: true } });
      h.staging.addDay(TODAY, { a: 'x' });
      expect((await h.run('initialize')).status).toBe('succeeded');
      const run = await h.run('store');

      expect(run.status).toBe('succeeded');
      expect(h.discText()).toMatchObject({ '2026/11/26/a': 'x' });
    });

    it('accepts an unlabelled write-once disc', async () => {
      const h = createHarness({ mediaType: 'dvd+r', policy: { checkMedia: true } });
      h.staging.addDay(TODAY, { a: 'x' });
      expect((await h.run('store')).status).toBe('succeeded');
    });

    it('refuses a write-once disc someone else labelled', async () => {
      const h = createHarness({ mediaType: 'dvd+r', policy: { checkMedia: true } });
      h.drive.loadDisc('HOLIDAY PHOTOS');
      h.staging.addDay(TODAY, { a: 'x' });
      expect((await h.run('store')).error?.code).toBe('MEDIA_NOT_INITIALIZED');
    });
  });

  describe('the blanking factor', () => {
    const weekly = { blankBehavior: { mode: 'weekly', factor: 1.3 } } as const;

    it('measures on the starting day and starts a new disc when the ratio is at or below the factor', async () => {
      const h = createHarness({ now: `${MONDAY}T22:00:00Z`, policy: weekly });
      // 3.3 GiB used leaves 1.1 GiB: 1.1 / 1.0 is below the factor of 1.3.
      h.staging.addDay('2026-11-22', { big: repeatedBytes(Math.round(3.3 * 2 ** 30)) }, { stored: true });
      await h.drive.write({ days: ['2026-11-22'], label: 'CEDAR BACKUP 22-NOV-2026', newDisc: true });
      h.staging.addDay(MONDAY, { next: repeatedBytes(2 ** 30) });
      const run = await h.run('store');

      expect(run.status).toBe('succeeded');
      const { blanking } = run;
      expect(blanking).toMatchObject({
        newDisc: true,
        rule: 'factor',
        factor: 1.3,
        mode: 'weekly',
        todayIsStart: true,
      });
      expect(blanking?.ratio).toBeCloseTo((blanking?.availableBytes ?? 0) / (1 + (blanking?.requiredBytes ?? 0)), 12);
      expect(blanking?.ratio).toBeLessThanOrEqual(1.3);
      expect(h.drive.sessionLabels()).toEqual(['CEDAR BACKUP 23-NOV-2026']);
      // The measured size of the new image is reused for the fit check: one estimate only.
      expect(h.drive.operations.filter((op) => op === 'estimate')).toHaveLength(1);
    });

    it('appends on the starting day when the ratio says the week still fits', async () => {
      const h = createHarness({ now: `${MONDAY}T22:00:00Z`, policy: weekly });
      h.drive.loadDisc('CEDAR BACKUP 22-NOV-2026', { '2026/11/22/small': 'x' });
      h.staging.addDay(MONDAY, { small: 'y' });
      const run = await h.run('store');

      expect(run.blanking).toMatchObject({ newDisc: false, rule: 'factor' });
      expect(run.blanking?.ratio).toBeGreaterThan(1.3);
      expect(run.write?.sessions).toBe(2);
    });

    it('does not measure in weekly mode away from the starting day', async () => {
      const h = createHarness({ policy: weekly });
      h.staging.addDay(TODAY, { a: 'x' });
      const run = await h.run('store');

      // The media is blank: the append writes its first session.
      expect(run.blanking).toEqual({ newDisc: false, rule: 'append', todayIsStart: false, mediaBlank: true });
      expect(h.drive.operations.filter((op) => op === 'estimate')).toHaveLength(1);
    });
  });

  it('in full mode writes today again on a new disc, so two runs give two identical discs', async () => {
    const h = createHarness();
    h.staging.addDay(TODAY, { a: 'alpha', 'b/c': 'gamma' }, { stored: true });
    h.staging.addDay(YESTERDAY, { old: 'x' });

    const first = await h.run('store', { full: true });
    const firstDisc = h.discText();
    const second = await h.run('store', { full: true });

    for (const run of [first, second]) {
      expect(run.status).toBe('succeeded');
      expect(run.selection).toMatchObject({ days: [TODAY], rule: 'full' });
      expect(run.blanking).toMatchObject({ newDisc: true, rule: 'rebuild' });
    }
    expect(h.discText()).toEqual(firstDisc);
    expect(firstDisc).toEqual({ '2026/11/26/a': 'alpha', '2026/11/26/b/c': 'gamma' });
    expect(h.drive.sessionLabels()).toHaveLength(1);
  });

  describe('the capacity warning', () => {
    it('warns above the limit and still succeeds', async () => {
      const h = createHarness({ policy: { capacityLimit: { maxPercentage: 0 } } });
      h.staging.addDay(TODAY, { a: 'x' });
      const run = await h.run('store');

      expect(run.status).toBe('succeeded');
      expect(run.warnings).toEqual([expect.objectContaining({ code: 'CAPACITY_LIMIT' })]);
      expect(h.staging.isStored(TODAY)).toBe(true);
    });

    it('never fails a run, even when the media cannot be read afterwards', async () => {
      const h = createHarness({ policy: { capacityLimit: { minBytes: 1 } } });
      h.staging.addDay(TODAY, { a: 'x' });
      h.drive.afterNext('write', () => h.drive.failNext('status', new CedarStoreError('INTERNAL', 'drive went away')));
      const run = await h.run('store');

      expect(run.status).toBe('succeeded');
      expect(run.warnings).toEqual([expect.objectContaining({ code: 'CAPACITY_UNKNOWN' })]);
    });
  });

  it('decides today in the configured time zone', async () => {
    // 23:30 UTC on the 26th is already the 27th in Paris.
    const h = createHarness({ now: '2026-11-26T23:30:00Z', timeZone: 'Europe/Paris' });
    h.staging.addDay(TOMORROW, { a: 'x' });
    const run = await h.run('store');
    expect(run.selection).toMatchObject({ today: TOMORROW, rule: 'today' });
  });

  it('says on the run why the agent took the disc as empty, and decides the blanking from that capacity', async () => {
    // Cedar Backup store.py _getNewDisc: `available = writer.retrieveCapacity().bytesAvailable`, which a
    // CD drive without multisession support reports for the whole disc.
    const h = createHarness({ mediaType: 'cdr-80', policy: { blankBehavior: { mode: 'daily', factor: 1 } } });
    h.staging.addDay(TODAY, { a: 'x' });
    const reason = 'the drive /dev/sr0 does not read multisession discs: taken as empty';
    const status = h.drive.status.bind(h.drive);
    h.drive.status = async () => ({ ...(await status()), treatedAsEmpty: reason });
    const run = await h.run('store');

    expect(run.warnings).toContainEqual(expect.objectContaining({ code: 'MEDIA_TREATED_AS_EMPTY', message: reason }));
    expect(run.blanking).toMatchObject({ rule: 'factor', newDisc: false, availableBytes: 710_656_000 });
  });

  describe('a dry run', () => {
    /** What a user would see changed: the disc, the store indicators, the catalog, the drive's work. */
    async function untouched(h: ReturnType<typeof createHarness>, disc: Record<string, string>) {
      expect(h.discText()).toEqual(disc);
      expect(h.staging.markStoredCalls).toEqual([]);
      expect(await h.catalog.list()).toEqual([]);
      expect(h.drive.operations.filter((op) => op !== 'status' && op !== 'estimate')).toEqual([]);
    }

    it('takes every decision up to the fit check, records it, and blanks, writes and marks nothing', async () => {
      const h = createHarness({ now: `${MONDAY}T22:00:00Z` });
      h.drive.loadDisc('CEDAR BACKUP 16-NOV-2026', { '2026/11/16/old': 'last week' });
      h.staging.addDay(MONDAY, { 'etc/hosts': '127.0.0.1 localhost\n' });
      const run = await h.run('store', { dryRun: true });

      expect(run.status).toBe('succeeded');
      expect(run.options).toEqual({ dryRun: true });
      expect(run.selection).toEqual({ today: MONDAY, days: [MONDAY], rule: 'today', crossedMidnight: false });
      // On the starting day a real store would blank this disc: the plan says so and leaves it.
      expect(run.blanking).toEqual({ newDisc: true, rule: 'startOfWeek', todayIsStart: true });
      expect(run.image).toMatchObject({ label: 'CEDAR BACKUP 23-NOV-2026', availableBytes: expect.any(Number) });
      expect(run.image!.estimatedBytes).toBeGreaterThan(0);
      expect(run.image!.estimatedBytes).toBeLessThanOrEqual(run.image!.availableBytes!);
      expect(run.write).toBeUndefined();
      expect(run.verify).toBeUndefined();
      expect(h.staging.isStored(MONDAY)).toBe(false);
      await untouched(h, { '2026/11/16/old': 'last week' });

      const steps = (await h.runs.events(run.id)).flatMap((e) => (e.type === 'step' ? [`${e.step} ${e.state}`] : []));
      expect(steps.filter((step) => !step.endsWith('started'))).toEqual([
        'select finished',
        'checkMedia finished',
        'blankDecision finished',
        'estimate finished',
        'write skipped',
      ]);
    });

    it('measures for the blanking factor as a real store does, and records the ratio and factor', async () => {
      const h = createHarness({
        now: `${MONDAY}T22:00:00Z`,
        policy: { blankBehavior: { mode: 'weekly', factor: 1.3 } },
      });
      h.drive.loadDisc('CEDAR BACKUP 22-NOV-2026', { '2026/11/22/small': 'x' });
      h.staging.addDay(MONDAY, { small: 'y' });
      const run = await h.run('store', { dryRun: true });

      expect(run.status).toBe('succeeded');
      expect(run.blanking).toMatchObject({ newDisc: false, rule: 'factor', factor: 1.3, mode: 'weekly' });
      expect(run.blanking?.ratio).toBeGreaterThan(1.3);
      expect(run.blanking?.requiredBytes).toBeGreaterThan(0);
      expect(run.image?.estimatedBytes).toBeGreaterThan(0);
      await untouched(h, { '2026/11/22/small': 'x' });
    });

    it('fails with MEDIA_FULL, the figures recorded, when the day would not fit, changing nothing', async () => {
      const h = createHarness({ now: `${MONDAY}T22:00:00Z` });
      h.drive.loadDisc('CEDAR BACKUP 16-NOV-2026', { '2026/11/16/old': 'last week' });
      h.staging.addDay(MONDAY, { huge: repeatedBytes(5 * 2 ** 30) });
      const run = await h.run('store', { dryRun: true });

      expect(run.status).toBe('failed');
      expect(run.error?.code).toBe('MEDIA_FULL');
      expect(run.image!.estimatedBytes).toBeGreaterThan(run.image!.availableBytes!);
      expect(h.staging.isStored(MONDAY)).toBe(false);
      await untouched(h, { '2026/11/16/old': 'last week' });
    });

    it('fails with the error a real store would meet before the fit check', async () => {
      const h = createHarness();
      h.staging.addDay(TODAY, { a: 'x' }, { stored: true });
      const run = await h.run('store', { dryRun: true });

      expect(run.error?.code).toBe('NO_STAGING_DIRECTORY');
      expect(h.drive.operations).toEqual([]);
    });

    it('says the midnight rule would write yesterday, not that it was written', async () => {
      const h = createHarness();
      h.staging.addDay(YESTERDAY, { late: 'x' });
      const run = await h.run('store', { dryRun: true });

      expect(run.warnings.map((w) => w.code)).toEqual(['MIDNIGHT_CROSSED']);
      expect(run.warnings[0]?.message).toMatch(/2026-11-25 \(yesterday\) would be written/);
      expect(h.staging.isStored(YESTERDAY)).toBe(false);
    });
  });

  it('honours an explicit today for catch-up runs', async () => {
    const h = createHarness();
    h.staging.addDay('2026-11-20', { a: 'x' });
    const run = await h.run('store', { today: '2026-11-20' });
    expect(run.selection).toMatchObject({ today: '2026-11-20', days: ['2026-11-20'], rule: 'today' });
    expect(run.image?.label).toBe('CEDAR BACKUP 20-NOV-2026');
  });
});
