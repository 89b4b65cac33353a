// The controller and a real agent over a real WebSocket on loopback, `virtual` media with
// real xorriso: each run asked for through the HTTP API, the way cron or an orchestration
// tool would, and every disc read back by xorriso directly rather than the project's code.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/controller-stack.js';
import { flipByteOf, isoPaths, isoSessions } from '../support/iso-inspector.js';

const MON = '2026-11-23';
const TUE = '2026-11-24';
const WED = '2026-11-25';
const THU = '2026-11-26';
const DEVICE = 'burner-1/dvd0';

let stack: Stack;

beforeAll(async () => {
  // A daily blanking factor: every store measures and records the ratio (and appends, the
  // media being far from full).
  stack = await startStack({ policy: { blankBehavior: { mode: 'daily', factor: 1.3 } } });
});

afterAll(async () => {
  await stack?.stop();
});

const stored = (day: string): boolean => existsSync(join(stack.dayDir(day), 'cback.store'));
const disc = (): string => stack.image('dvd0');

describe('runs over a real agent', { timeout: 120_000 }, () => {
  it('a store after midnight writes yesterday, records every decision, verifies and marks the day', async () => {
    await stack.stage(MON, { 'etc/hosts': '127.0.0.1 localhost\n', 'home/notes.txt': 'monday\n'.repeat(1000) });
    const run = await stack.api.run({ action: 'store', today: TUE });

    expect(run.status).toBe('succeeded');
    expect(run.device).toBe(DEVICE);
    expect(run.selection).toEqual({ today: TUE, days: [MON], rule: 'yesterday', crossedMidnight: true });
    expect(run.warnings.map((warning) => warning.code)).toContain('MIDNIGHT_CROSSED');
    expect(run.blanking).toMatchObject({ newDisc: false, rule: 'factor', factor: 1.3, mode: 'daily' });
    const { ratio, availableBytes, requiredBytes } = run.blanking!;
    expect(availableBytes).toBeGreaterThan(4_000_000_000);
    expect(requiredBytes).toBeGreaterThan(7000);
    expect(ratio).toBeCloseTo(availableBytes! / (1 + requiredBytes!), 6);
    expect(run.image).toMatchObject({ label: expect.stringMatching(/^CEDAR BACKUP/) });
    expect(run.image!.estimatedBytes).toBeGreaterThan(0);
    expect(run.write).toMatchObject({ sessions: 1 });
    expect(run.write!.bytesWritten).toBeGreaterThan(0);
    // The day is written as staged, its cback.stage included, and read back file by file.
    expect(run.verify).toMatchObject({ ok: true, filesCompared: 3, mismatches: [] });

    expect(stored(MON)).toBe(true);
    expect(await isoPaths(disc())).toEqual(
      expect.arrayContaining(['2026/11/23/etc/hosts', '2026/11/23/home/notes.txt']),
    );
  });

  it('the next night appends a session after the first', async () => {
    await stack.stage(TUE, { 'tuesday.txt': 'tuesday\n' });
    const run = await stack.api.run({ action: 'store', today: TUE });

    expect(run.status).toBe('succeeded');
    expect(run.selection).toMatchObject({ days: [TUE], rule: 'today', crossedMidnight: false });
    expect(run.blanking).toMatchObject({ newDisc: false, rule: 'factor' });
    expect(await isoSessions(disc())).toHaveLength(2);
    expect(await isoPaths(disc())).toEqual(expect.arrayContaining(['2026/11/23/etc/hosts', '2026/11/24/tuesday.txt']));
    expect(stored(TUE)).toBe(true);
  });

  it('store --full starts a new disc holding only today, even though today is stored', async () => {
    const run = await stack.api.run({ action: 'store', full: true, today: TUE });

    expect(run.status).toBe('succeeded');
    expect(run.selection).toMatchObject({ days: [TUE], rule: 'full' });
    expect(run.blanking).toMatchObject({ newDisc: true, rule: 'rebuild' });
    expect(await isoSessions(disc())).toHaveLength(1);
    const paths = await isoPaths(disc());
    expect(paths).toContain('2026/11/24/tuesday.txt');
    expect(paths.some((path) => path.startsWith('2026/11/23/'))).toBe(false);
  });

  it('rebuild writes the week so far on a new disc', async () => {
    await stack.stage(WED, { 'wednesday.txt': 'wednesday\n' });
    const run = await stack.api.run({ action: 'rebuild', today: WED });

    expect(run.status).toBe('succeeded');
    expect(run.selection).toMatchObject({ days: [MON, TUE, WED], rule: 'rebuild' });
    expect(run.blanking).toMatchObject({ newDisc: true, rule: 'rebuild' });
    expect(await isoSessions(disc())).toHaveLength(1);
    expect(await isoPaths(disc())).toEqual(
      expect.arrayContaining(['2026/11/23/etc/hosts', '2026/11/24/tuesday.txt', '2026/11/25/wednesday.txt']),
    );
    expect(stored(WED)).toBe(true);
  });

  it('verify reads the disc back: ok first, then names the file whose bytes were damaged', async () => {
    const good = await stack.api.run({ action: 'verify', days: [WED] });
    expect(good.status).toBe('succeeded');
    expect(good.verify).toMatchObject({ ok: true, filesCompared: 2, mismatches: [] });

    await flipByteOf(disc(), '2026/11/23/home/notes.txt');
    const bad = await stack.api.run({ action: 'verify', days: [MON] });
    expect(bad.status).toBe('failed');
    expect(bad.error?.code).toBe('VERIFY_FAILED');
    expect(bad.verify?.mismatches).toEqual([{ path: '2026/11/23/home/notes.txt', kind: 'content' }]);
  });

  it('initialize starts an empty labelled disc, and the media route reports it', async () => {
    const run = await stack.api.run({ action: 'initialize' });
    expect(run.status).toBe('succeeded');
    expect(await isoSessions(disc())).toHaveLength(1);
    expect(await isoPaths(disc())).toEqual(['CedarBackup/']);

    const media = await stack.api.request('GET', `/api/v1/devices/${DEVICE}/media`);
    expect(media.status).toBe(200);
    expect(media.body).toMatchObject({ mediaPresent: true, rewritable: true, sessions: 1, label: run.image!.label });
  });

  it('five concurrent stores of one day write exactly one session', async () => {
    await stack.stage(THU, { 'thursday.txt': 'thursday\n' });
    const before = (await isoSessions(disc())).length;
    const submitted = await Promise.all(
      Array.from({ length: 5 }, () => stack.api.submit({ action: 'store', today: THU })),
    );
    const runs = await Promise.all(submitted.map((run) => stack.api.wait(run.id)));

    expect(runs.filter((run) => run.status === 'succeeded')).toHaveLength(1);
    const refused = runs.filter((run) => run.status !== 'succeeded');
    expect(refused).toHaveLength(4);
    for (const run of refused) expect(run.error?.code).toBe('NO_STAGING_DIRECTORY');
    expect(await isoSessions(disc())).toHaveLength(before + 1);
    expect(stored(THU)).toBe(true);

    // One at a time, in the order they were asked for: each started after the one before ended.
    const ordered = submitted.map((run) => runs.find((done) => done.id === run.id)!);
    for (let i = 1; i < ordered.length; i += 1) {
      expect(Date.parse(ordered[i]!.startedAt!)).toBeGreaterThanOrEqual(Date.parse(ordered[i - 1]!.finishedAt!));
    }
  });

  it('the catalog lists the discs with their sessions, days and runs', async () => {
    const response = await stack.api.request('GET', '/api/v1/media');
    expect(response.status).toBe(200);
    const discs = response.body.discs as Array<{ label: string; sessions: Array<{ days: string[]; runId: string }> }>;
    expect(discs.length).toBeGreaterThanOrEqual(3);
    const newest = discs[0]!;
    expect(newest.sessions.map((session) => session.days)).toEqual([[], [THU]]);
  });

  it('the event stream of a finished run replays its steps and ends with finished', async () => {
    const run = await stack.api.run({ action: 'verify', days: [THU] });
    const events = await stack.api.events(run.id);
    const steps = events.filter((event) => event.type === 'step').map((event) => `${event.step}:${event.state}`);
    expect(steps).toEqual(['select:started', 'select:finished', 'verify:started', 'verify:finished']);
    expect(events.some((event) => event.type === 'progress' && event.phase === 'verify')).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'finished', status: 'succeeded' });
  });
});
