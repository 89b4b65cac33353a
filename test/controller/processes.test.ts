// The compiled services as separate processes on loopback, driven through the HTTP API and
// the CLI the way cron drives them, and killed the hard way: an agent SIGKILLed during a
// write, a controller SIGKILLed during a run. What a user must find afterwards: a failed or
// interrupted run saying so, no store indicator for an unverified day, and the next store
// writing that day once everything is back, without anyone reconnecting anything by hand.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunEvent } from '@cedar-store/ports';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/controller-stack.js';
import { isoPaths } from '../support/iso-inspector.js';
import {
  AGENT_BIN,
  buildServices,
  CLI_BIN,
  runNodeScript,
  startService,
  waitForNoProcess,
  writeAgentConfig,
  writeControllerConfig,
  type ProcessResult,
  type ServiceProcess,
} from '../support/processes.js';
import { stageDayOnDisk } from '../support/staging-dir.js';
import { waitForRunEvent } from '../support/run-events.js';

const API_TOKEN = 'process-api-token-0123456789abcdef';
const AGENT_TOKEN = 'process-agent-token-0123456789abcdef';
/** Large enough that the write is still running when the kill lands (sparse: no disk used to stage it). */
const BIG = { size: 384 * 2 ** 20 };

let base: string;
let agentConfig: string;
let controllerConfig: string;
let agent: ServiceProcess;
let controller: ServiceProcess;
let api: ApiClient;

const dayDir = (day: string): string => join(base, 'stage', ...day.split('-'));
const stored = (day: string): boolean => existsSync(join(dayDir(day), 'cback.store'));
const image = (): string => join(base, 'dvd0.iso');

async function startAgentProcess(): Promise<ServiceProcess> {
  return startService(AGENT_BIN, ['--config', agentConfig], 'agent listening');
}

async function startControllerProcess(): Promise<ServiceProcess> {
  const started = await startService(CLI_BIN, ['controller', '--config', controllerConfig], 'controller listening');
  api = new ApiClient(`http://127.0.0.1:${started.port}`, API_TOKEN);
  return started;
}

/** Follows a run's event stream until an event matches, and returns that event. */
function waitForEvent(runId: string, match: (event: RunEvent) => boolean): Promise<RunEvent> {
  return waitForRunEvent({ url: api.url, token: API_TOKEN }, runId, match);
}

const writing = (event: RunEvent): boolean => event.type === 'progress' && event.phase === 'write';

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ProcessResult> {
  return runNodeScript(CLI_BIN, args, { CEDAR_STORE_URL: api.url, CEDAR_STORE_TOKEN: API_TOKEN, ...env });
}

beforeAll(async () => {
  await buildServices();
  base = await mkdtemp(join(tmpdir(), 'cedar-processes-'));
  await mkdir(join(base, 'stage'), { recursive: true });
  const apiTokenFile = join(base, 'api.token');
  const agentTokenFile = join(base, 'agent.token');
  await writeFile(apiTokenFile, API_TOKEN, { mode: 0o600 });
  await writeFile(agentTokenFile, AGENT_TOKEN, { mode: 0o600 });
  agentConfig = join(base, 'agent.yaml');
  await writeAgentConfig(agentConfig, { base, port: 0, tokenFile: agentTokenFile });
  agent = await startAgentProcess();
  // Restarts must come back on the same port: the controller's configuration names it.
  await writeAgentConfig(agentConfig, { base, port: agent.port, tokenFile: agentTokenFile });
  controllerConfig = join(base, 'controller.yaml');
  await writeControllerConfig(controllerConfig, { base, agentPort: agent.port, apiTokenFile, agentTokenFile });
  controller = await startControllerProcess();
  await api.waitConnected();
}, 180_000);

afterAll(async () => {
  for (const service of [controller, agent]) {
    if (service && service.child.exitCode === null && service.child.signalCode === null) {
      service.child.kill('SIGTERM');
      await service.exited;
    }
  }
  if (base) {
    await waitForNoProcess(image());
    await rm(base, { recursive: true, force: true });
  }
});

describe('services killed mid-run', { timeout: 180_000 }, () => {
  it('an agent killed during a write: the run waits for it, fails AGENT_LOST with the outcome unknown, and the next store writes the day', async () => {
    await stageDayOnDisk(join(base, 'stage'), '2026-11-26', { 'big.bin': BIG, 'small.txt': 'small\n' });
    const run = await api.submit({ action: 'store', today: '2026-11-26' });
    await waitForEvent(run.id, writing);
    agent.child.kill('SIGKILL');
    await agent.exited;

    // The controller does not guess: it waits for the agent to come back and asks its
    // operation journal. The burner program the killed agent started finishes on its own,
    // unseen, so the journal can only say the outcome is unknown.
    agent = await startAgentProcess();
    const failed = await api.wait(run.id, 170_000);
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('AGENT_LOST');
    expect(failed.error?.message).toMatch(/burner-1/);
    expect(failed.error?.message).toMatch(/outcome is unknown/);
    expect(stored('2026-11-26')).toBe(false);

    await waitForNoProcess(image());
    await api.waitConnected(60_000);
    const retried = await api.run({ action: 'store', today: '2026-11-26' });
    expect(retried.status).toBe('succeeded');
    expect(retried.selection?.days).toEqual(['2026-11-26']);
    expect(retried.verify?.ok).toBe(true);
    expect(stored('2026-11-26')).toBe(true);
    expect(await isoPaths(image())).toContain('2026/11/26/small.txt');

    // While the agent is down, runs on its device fail fast instead of hanging.
    agent.child.kill('SIGTERM');
    await agent.exited;
    const unreachable = await api.run({ action: 'verify', days: ['2026-11-26'] });
    expect(unreachable.error?.code).toBe('AGENT_UNREACHABLE');
    agent = await startAgentProcess();
    await api.waitConnected(60_000);
  });

  it('a controller killed during a run finds it interrupted on restart, and no indicator was written', async () => {
    await stageDayOnDisk(join(base, 'stage'), '2026-11-27', { 'big.bin': BIG });
    const run = await api.submit({ action: 'store', today: '2026-11-27' });
    await waitForEvent(run.id, writing);
    controller.child.kill('SIGKILL');
    await controller.exited;

    controller = await startControllerProcess();
    const interrupted = await api.get(run.id);
    expect(interrupted.status).toBe('interrupted');
    expect(interrupted.error?.message).toMatch(/controller stopped/);
    expect(interrupted.finishedAt).toBeDefined();
    expect(stored('2026-11-27')).toBe(false);

    await api.waitConnected();
    await waitForNoProcess(image());
    const retried = await api.run({ action: 'store', today: '2026-11-27' });
    expect(retried.status).toBe('succeeded');
    expect(stored('2026-11-27')).toBe(true);
  });
});

describe('a controller that cannot start', { timeout: 60_000 }, () => {
  it('exits 2 with the reason when its port is taken or its database cannot be opened, leaving nothing running', async () => {
    const taken = join(base, 'taken.yaml');
    const port = new URL(api.url).port;
    await writeFile(
      taken,
      [
        `listen: { host: 127.0.0.1, port: ${port} }`,
        `auth: { token: ${API_TOKEN} }`,
        `database: ${join(base, 'other.db')}`,
        'agents:',
        `  - { id: burner-1, url: "ws://127.0.0.1:${agent.port}/rpc", token: ${AGENT_TOKEN} }`,
        '',
      ].join('\n'),
    );
    const busy = await cli(['controller', '--config', taken]);
    expect(busy.code).toBe(2);
    expect(busy.stderr).toContain(`cannot listen on 127.0.0.1:${port}: the port is in use`);

    const notADirectory = join(base, 'api.token', 'controller.db');
    await writeFile(taken, (await readFile(taken, 'utf8')).replace(join(base, 'other.db'), notADirectory));
    const noDatabase = await cli(['controller', '--config', taken]);
    expect(noDatabase.code).toBe(2);
    expect(noDatabase.stderr).toContain(notADirectory);
  });
});

describe('the CLI as cron runs it', { timeout: 120_000 }, () => {
  it('stores with plain progress lines on stderr when not on a terminal, and exits 0', async () => {
    await stageDayOnDisk(join(base, 'stage'), '2026-12-02', { 'notes.txt': 'cli night\n' });
    const result = await cli(['store', '--today', '2026-12-02']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/write/);
    expect(result.stdout).toMatch(/succeeded/);
    expect(stored('2026-12-02')).toBe(true);
  });

  it('--json prints only the final run on stdout, also when the run fails (exit 1)', async () => {
    const result = await cli(['store', '--today', '2026-12-10', '--json']);
    expect(result.code).toBe(1);
    const run = JSON.parse(result.stdout) as { status: string; error: { code: string } };
    expect(run.status).toBe('failed');
    expect(run.error.code).toBe('NO_STAGING_DIRECTORY');
    expect(result.stderr).toContain('NO_STAGING_DIRECTORY');
  });

  it('exits 2 on a usage error, 3 on a refused token or an unreachable controller', async () => {
    expect((await cli(['store', '--today', '2026-02-30'])).code).toBe(2);
    expect((await cli(['store'], { CEDAR_STORE_TOKEN: 'wrong-token-0123456789abcdef' })).code).toBe(3);
    expect((await cli(['store'], { CEDAR_STORE_URL: 'http://127.0.0.1:9' })).code).toBe(3);
  });
});
