// A run a previous controller left running ends interrupted when the controller starts again,
// and the notify targets hear about it like any failed run: the night did not happen.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startController, type RunningController } from '@cedar-store/controller';
import type { Run } from '@cedar-store/ports';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, SqliteRunRepository } from '../../services/controller/src/persistence/index.js';
import { closedPort, startHttpReceiver } from '../support/notify-receivers.js';

const TOKEN = 'notify-interrupted-token-0123456789';
const left: Run = {
  id: 'run-left-running',
  action: 'store',
  device: 'burner-1/dvd0',
  status: 'running',
  requestedAt: '2026-11-26T01:30:00.000Z',
  startedAt: '2026-11-26T01:30:01.000Z',
  options: {},
  warnings: [],
};

let base: string;
let receiver: Awaited<ReturnType<typeof startHttpReceiver>>;
let controller: RunningController | undefined;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'cedar-notify-interrupted-'));
  receiver = await startHttpReceiver();
  const database = join(base, 'controller.db');
  // What a controller killed during a store leaves behind.
  const db = openDatabase(database);
  await new SqliteRunRepository(db).create(left);
  db.close();
  controller = await startController(
    {
      listen: { host: '127.0.0.1', port: 0 },
      token: TOKEN,
      database,
      agents: [{ id: 'burner-1', url: `ws://127.0.0.1:${await closedPort()}/rpc`, token: TOKEN }],
      policy: {},
      devices: {},
      notify: [{ kind: 'webhook', name: 'ops-hook', on: ['failed'], url: `${receiver.url}/hook`, headers: {} }],
    },
    pino({ level: 'silent' }),
  );
});

afterAll(async () => {
  await controller?.close();
  await receiver?.close();
  await rm(base, { recursive: true, force: true });
});

describe('a run interrupted by a controller restart', () => {
  it('is reported once to the targets that hear about failures', async () => {
    const deadline = Date.now() + 10_000;
    while (receiver.posts.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    expect(receiver.posts).toHaveLength(1);
    const body = JSON.parse(receiver.posts[0]!.body) as { event: string; subject: string; run: Run };
    expect(body.event).toBe('failed');
    expect(body.run).toMatchObject({ id: left.id, status: 'interrupted' });
    expect(body.subject).toMatch(/^cedar-store: store failed on burner-1\/dvd0/);
  });
});
