import { Writable } from 'node:stream';
import type { Run } from '@cedar-store/ports';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { NotifyTargetConfig } from '../config/notify-config.js';
import { Notifier, type NotifyOutcome } from './notifier.js';

const failed: Run = {
  id: 'run-1',
  action: 'store',
  device: 'burner-1/dvd0',
  status: 'failed',
  requestedAt: '2026-11-26T22:00:00.000Z',
  finishedAt: '2026-11-26T22:00:30.000Z',
  options: {},
  warnings: [],
  error: { code: 'WRITE_FAILED', message: 'the burner stopped' },
};

const hook: NotifyTargetConfig = {
  kind: 'webhook',
  name: 'hook',
  on: ['failed', 'warning'],
  url: 'http://127.0.0.1:9/hook?key=query-secret',
  headers: { authorization: 'Bearer header-secret' },
  secret: 'hmac-secret',
};

function setup(
  send: (attempt: number) => Promise<void>,
  retry = { firstDelayMs: 5, maxDelayMs: 20, giveUpAfterMs: 100 },
) {
  const lines: string[] = [];
  const logger = pino(
    { level: 'debug' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    }),
  );
  const counts: Array<[string, NotifyOutcome]> = [];
  let attempts = 0;
  const notifier = new Notifier([hook], {
    logger,
    count: (target, outcome) => counts.push([target, outcome]),
    retry,
    send: () => send(++attempts),
  });
  return { notifier, lines, counts, attempts: () => attempts };
}

describe('Notifier', () => {
  it('reports a finished run once, however often it is saved, and only for the events asked for', async () => {
    const { notifier, counts } = setup(async () => undefined);
    notifier.runSaved({ ...failed, status: 'running' });
    notifier.runSaved(failed);
    notifier.runSaved(failed);
    notifier.runSaved({ ...failed, id: 'run-2', status: 'succeeded' });
    await notifier.settled();
    expect(counts).toEqual([['hook', 'delivered']]);
  });

  it('tells a dry run, even a failed one, only to the targets that ask for dryRun', async () => {
    const sent: string[] = [];
    const planner: NotifyTargetConfig = { ...hook, name: 'planner', on: ['dryRun'] };
    const notifier = new Notifier([hook, planner], {
      logger: pino({ level: 'silent' }),
      send: async (target, run, report) => void sent.push(`${target.name} ${run.id} ${report.event}`),
    });
    notifier.runSaved({ ...failed, id: 'dry-1', options: { dryRun: true } });
    notifier.runSaved({ ...failed, id: 'dry-2', status: 'succeeded', options: { dryRun: true } });
    notifier.runSaved(failed);
    await notifier.settled();
    expect(sent.sort()).toEqual(['hook run-1 failed', 'planner dry-1 dryRun', 'planner dry-2 dryRun']);
  });

  it('returns at once: the run never waits for a target', () => {
    const { notifier } = setup(() => new Promise(() => undefined));
    const started = performance.now();
    notifier.runSaved(failed);
    expect(performance.now() - started).toBeLessThan(50);
    void notifier.close();
  });

  it('retries a failing target with growing delays until it takes the report', async () => {
    const { notifier, counts, attempts } = setup(async (attempt) => {
      if (attempt < 3) throw new Error('connect ECONNREFUSED 127.0.0.1:9');
    });
    notifier.runSaved(failed);
    await notifier.settled();
    expect(attempts()).toBe(3);
    expect(counts.map(([, outcome]) => outcome)).toEqual(['error', 'error', 'delivered']);
  });

  it('gives up after the bounded time, logging each failure without any secret', async () => {
    const { notifier, counts, lines, attempts } = setup(async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:9');
    });
    const started = Date.now();
    notifier.runSaved(failed);
    await notifier.settled();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(attempts()).toBeGreaterThan(2);
    expect(counts.at(-1)).toEqual(['hook', 'gave_up']);
    expect(counts.filter(([, outcome]) => outcome === 'error')).toHaveLength(attempts());
    const log = lines.join('');
    expect(log).toContain('notification failed, will retry');
    expect(log).toContain('gave up after');
    expect(log).toContain('http://127.0.0.1:9');
    for (const secret of ['query-secret', 'header-secret', 'hmac-secret']) expect(log).not.toContain(secret);
  });

  it('stops retrying when the controller stops', async () => {
    const { notifier, counts } = setup(
      async () => {
        throw new Error('down');
      },
      { firstDelayMs: 60_000, maxDelayMs: 60_000, giveUpAfterMs: 3_600_000 },
    );
    notifier.runSaved(failed);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const started = Date.now();
    await notifier.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(counts.map(([, outcome]) => outcome)).toEqual(['error', 'gave_up']);
  });
});
