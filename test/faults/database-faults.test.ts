/**
 * The controller's SQLite file is locked by another program (which holds BEGIN EXCLUSIVE)
 * or the disk under it is full. What a user sees: a new run is answered 503 with a coded
 * error saying the database is unavailable and to retry, /readyz says not ready and why, a
 * run accepted before keeps its outcome (the API shows it, the file gets it once it can),
 * and the controller recovers by itself when the lock goes or space returns, no restart.
 * Real agent and controller, virtual media, real xorriso; the file checked by its own reader.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  fillDisk,
  HARNESS_API_TOKEN,
  mountTmpfs,
  ProgramDir,
  startHarness,
  tempBase,
  unmountTmpfs,
  type Harness,
} from '../support/fault-harness.js';
import { until } from '../support/until.js';

const DAY = '2026-11-25';
const PROGRAMS = ['xorriso', 'mount', 'umount', 'fuseiso', 'fusermount'];

let faults = 0;
let base: string;
let harness: Harness | undefined;
let holder: Database | undefined;
let tmpfs: string | undefined;

beforeEach(async () => {
  base = await tempBase('database-faults');
});
afterEach(async () => {
  holder?.close();
  holder = undefined;
  await harness?.stop();
  harness = undefined;
  if (tmpfs) await unmountTmpfs(tmpfs);
  tmpfs = undefined;
  await rm(base, { recursive: true, force: true });
});
afterAll(() => {
  console.info(`database faults injected: ${faults}`);
});

async function start(database?: string): Promise<Harness> {
  const programs = await ProgramDir.create(base, PROGRAMS);
  harness = await startHarness(base, { searchPath: programs.path, ...(database ? { database } : {}) });
  await harness.stage(DAY, { 'etc/hosts': '127.0.0.1 localhost\n' });
  return harness;
}

/** POST /api/v1/runs as a client would, keeping the status, headers and body. */
type ErrorAnswer = { error: { code: string; message: string } };
type ReadyAnswer = { ready: boolean; checks: Record<string, boolean | string> };

async function submitRaw(h: Harness): Promise<{ status: number; retryAfter: string | null; body: ErrorAnswer }> {
  const response = await fetch(`${h.api.url}/api/v1/runs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${HARNESS_API_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ action: 'store', today: DAY }),
  });
  const body = (await response.json()) as ErrorAnswer;
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body };
}

async function readiness(h: Harness): Promise<{ status: number; body: ReadyAnswer }> {
  return (await h.api.request('GET', '/readyz')) as { status: number; body: ReadyAnswer };
}

/** What the database file itself says of a run, read by a connection of its own. */
function storedRun(path: string, id: string): { status: string; events: string[] } {
  const reader = new BetterSqlite3(path, { readonly: true });
  try {
    const row = reader.prepare('SELECT status FROM runs WHERE id = ?').get(id) as { status: string } | undefined;
    const events = reader
      .prepare('SELECT body FROM run_events WHERE run_id = ? ORDER BY seq')
      .all(id)
      .map((event) => (JSON.parse((event as { body: string }).body) as { type: string }).type);
    return { status: row?.status ?? 'absent', events };
  } finally {
    reader.close();
  }
}

async function refusedWhileUnavailable(h: Harness, situation: RegExp): Promise<void> {
  const refused = await submitRaw(h);
  expect(refused.status).toBe(503);
  expect(refused.retryAfter).toBe('5');
  expect(refused.body.error.code).toBe('INTERNAL');
  expect(refused.body.error.message).toMatch(
    /^the controller database is unavailable, so this request changed nothing/,
  );
  expect(refused.body.error.message).toMatch(situation);
  const ready = await readiness(h);
  expect(ready.status).toBe(503);
  expect(ready.body.checks.database).toMatch(situation);
  // Reading still works: a user can look at the runs there are.
  expect((await h.api.request('GET', '/api/v1/runs')).status).toBe(200);
  expect(h.stored(DAY)).toBe(false);
}

async function recovered(h: Harness): Promise<void> {
  await until(async () => (await readiness(h)).status === 200, '/readyz reports ready again', 60_000);
  const run = await h.api.run({ action: 'store', today: DAY });
  expect(run).toMatchObject({ status: 'succeeded', verify: { ok: true } });
  expect(h.stored(DAY)).toBe(true);
}

/** A store accepted just before the fault keeps its outcome: shown at once, saved once the fault is gone. */
async function acceptedRunKeepsItsOutcome(h: Harness, inject: () => Promise<void>, clear: () => Promise<void>) {
  const accepted = await h.api.submit({ action: 'store', today: DAY });
  await inject();
  const finished = await h.api.wait(accepted.id);
  expect(finished).toMatchObject({ status: 'succeeded', verify: { ok: true } });
  expect(h.stored(DAY)).toBe(true);
  expect((await h.api.events(accepted.id)).at(-1)).toMatchObject({ type: 'finished', status: 'succeeded' });
  const ready = await readiness(h);
  expect(ready.status).toBe(503);
  expect(ready.body.checks.database).toMatch(/write\(s\) kept in memory until it is back/);
  // The file has not got it yet: the fault really hit this run.
  expect(storedRun(h.database, accepted.id).status).not.toBe('succeeded');

  await clear();
  await until(
    () => storedRun(h.database, accepted.id).status === 'succeeded',
    'the run is saved as succeeded in the database file',
  );
  expect(storedRun(h.database, accepted.id).events.at(-1)).toBe('finished');
  await until(async () => (await readiness(h)).status === 200, '/readyz reports ready again');
  expect((await h.api.get(accepted.id)).status).toBe('succeeded');
}

describe('the controller database is unavailable', { timeout: 180_000 }, () => {
  it('locked by another program: a new run gets 503 saying to retry, and runs again once the lock goes', async () => {
    const h = await start();
    holder = new BetterSqlite3(h.database);
    holder.exec('BEGIN EXCLUSIVE');
    faults++;
    await refusedWhileUnavailable(h, /another program holds the lock on .*controller\.db/);

    holder.exec('ROLLBACK');
    await recovered(h);
  });

  it('locked while a store runs: the store finishes, its outcome is shown and saved once the lock goes', async () => {
    const h = await start();
    holder = new BetterSqlite3(h.database);
    faults++;
    await acceptedRunKeepsItsOutcome(
      h,
      async () => void holder!.exec('BEGIN EXCLUSIVE'),
      async () => void holder!.exec('ROLLBACK'),
    );
  });

  describe('on a full disk', () => {
    async function startOnSmallDisk(ctx: { skip: (reason: string) => void }): Promise<{ h: Harness; dir: string }> {
      const dir = join(base, 'dbfs');
      const problem = await mountTmpfs(dir, '4m');
      if (problem) ctx.skip(`cannot make a small file system to fill: ${problem}`);
      tmpfs = dir;
      return { h: await start(join(dir, 'controller.db')), dir };
    }

    it('a new run gets 503 saying no space is left, and runs once space returns', async (ctx) => {
      const { h, dir } = await startOnSmallDisk(ctx);
      const filler = await fillDisk(dir);
      faults++;
      await refusedWhileUnavailable(h, /no space left on the disk holding .*controller\.db/);

      await rm(filler);
      await recovered(h);
    });

    it('filled while a store runs: the store finishes, its outcome is shown and saved once space returns', async (ctx) => {
      const { h, dir } = await startOnSmallDisk(ctx);
      let filler = '';
      faults++;
      await acceptedRunKeepsItsOutcome(
        h,
        async () => {
          filler = await fillDisk(dir);
        },
        () => rm(filler),
      );
    });
  });
});
