// A network outage longer than the controller waits for a lost operation: the run ends failed
// AGENT_LOST (the controller cannot hold a run open for ever), and once the network returns the
// controller asks the agent's journal how the operation ended and records it on the run. A
// write that finished is recorded, but the night is not called stored: no verify ran, so no
// store indicator is written and the next store writes the day again. Agent and controller
// run in this process here, so the controller's wait can be made short.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveAgentConfig, startAgent, type AgentServer } from '@cedar-store/device-agent';
import { startController, type RunningController } from '@cedar-store/controller';
import type { Run } from '@cedar-store/ports';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/controller-stack.js';
import { isoPaths } from '../support/iso-inspector.js';
import { ProgramHolds } from '../support/program-holds.js';
import { RpcTestClient } from '../support/rpc-client.js';
import { stageDayOnDisk } from '../support/staging-dir.js';
import { TcpProxy } from '../support/tcp-proxy.js';

const API_TOKEN = 'outage-api-token-0123456789abcdef';
const AGENT_TOKEN = 'outage-agent-token-0123456789abcdef';

let base: string;
let holds: ProgramHolds;
let agent: { server: AgentServer; port: number };
let proxy: TcpProxy;
let controller: RunningController;
let api: ApiClient;
let cuts = 0;

const stored = (day: string): boolean => existsSync(join(base, 'stage', ...day.split('-'), 'cback.store'));

async function journaled(opId: string): Promise<{ state: string } | undefined> {
  const client = await RpcTestClient.connect(`ws://127.0.0.1:${agent.port}/rpc`, AGENT_TOKEN);
  try {
    const reply = await client.call('operations.get', { opIds: [opId] });
    return (reply.result as { operations: Array<{ state: string }> }).operations[0];
  } finally {
    await client.close();
  }
}

async function until<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'cedar-faults-outage-'));
  await mkdir(join(base, 'stage'), { recursive: true });
  holds = await ProgramHolds.install(base, ['xorriso']);
  const agentConfig = await resolveAgentConfig(
    {
      agentId: 'burner-1',
      listen: { host: '127.0.0.1', port: 0 },
      auth: { token: AGENT_TOKEN },
      stagingRoot: join(base, 'stage'),
      workingDir: join(base, 'work'),
      devices: [{ id: 'dvd0', backend: 'virtual', path: join(base, 'dvd0.iso'), mediaType: 'dvd+rw' }],
    },
    'outage agent',
    {},
  );
  agent = await startAgent(agentConfig, pino({ level: 'silent' }), { searchPath: holds.path() });
  proxy = await TcpProxy.start({ host: '127.0.0.1', port: agent.port });
  controller = await startController(
    {
      listen: { host: '127.0.0.1', port: 0 },
      token: API_TOKEN,
      database: join(base, 'controller.db'),
      timeZone: 'UTC',
      agents: [{ id: 'burner-1', url: `ws://127.0.0.1:${proxy.port}/rpc`, token: AGENT_TOKEN }],
      policy: {},
      devices: {},
    },
    pino({ level: 'silent' }),
    {
      agentClient: {
        lostOperationWaitMs: 1000,
        operationPollMs: 100,
        unreachableGraceMs: 200,
        reconnect: { minDelayMs: 50, maxDelayMs: 500 },
      },
    },
  );
  api = new ApiClient(`http://127.0.0.1:${controller.port}`, API_TOKEN);
  await api.waitConnected(60_000);
}, 120_000);

afterAll(async () => {
  console.info(`network-outage: ${cuts} network cuts injected`);
  await controller?.close();
  await agent?.server.close();
  await proxy?.close();
  if (base) await rm(base, { recursive: true, force: true });
});

describe('a network outage longer than the controller waits', { timeout: 120_000 }, () => {
  it('fails the run AGENT_LOST, then records the journal outcome when the network returns; no indicator', async () => {
    const day = '2026-12-22';
    await stageDayOnDisk(join(base, 'stage'), day, { 'notes.txt': 'night of the 22nd\n' });
    await holds.arm('xorriso', 'write', '-commit');
    const run = await api.submit({ action: 'store', today: day });
    await holds.waitHeld('xorriso', 'write');

    proxy.disconnect();
    cuts++;
    const lost = await api.wait(run.id);
    expect(lost.status).toBe('failed');
    expect(lost.error?.code).toBe('AGENT_LOST');
    expect(lost.error?.message).toMatch(/was not back within 1 s/);
    expect(lost.operation).toMatchObject({ opId: `${run.id}:write`, state: 'running' });

    // The agent goes on with the write meanwhile, and journals it.
    await holds.release('xorriso', 'write');
    await until(
      'the journaled write',
      () => journaled(`${run.id}:write`),
      (record) => record?.state === 'succeeded',
    );
    proxy.restore();

    const learned: Run = await until(
      'the run learning the outcome',
      () => api.get(run.id),
      (r) => r.operation?.state !== 'running',
    );
    expect(learned.operation?.state).toBe('succeeded');
    expect(learned.write?.bytesWritten).toBeGreaterThan(0);
    expect(learned.status).toBe('failed');
    expect(learned.error?.message).toMatch(
      /finished .* 2026-12-22 still waits in staging: run cedar-store store again today/,
    );
    expect(stored(day)).toBe(false);

    const next = await api.run({ action: 'store', today: day });
    expect(next.status).toBe('succeeded');
    expect(next.verify?.ok).toBe(true);
    expect(stored(day)).toBe(true);
    expect(await isoPaths(join(base, 'dvd0.iso'))).toContain('2026/12/22/notes.txt');
  });
});
