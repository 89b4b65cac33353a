// The built services as real processes, with known tokens, driven through every failure a
// token could leak through: wrong tokens (including each service's token sent to the other),
// bad requests, a store that fails, an agent that is down, a controller holding a wrong agent
// token. Afterwards the tokens appear nowhere a person could read them: not in any log line
// or stderr of either service, not in any HTTP answer, the run records, /metrics, the CLI's
// output, nor the controller's database file.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AGENT_BIN,
  buildServices,
  CLI_BIN,
  runNodeScript,
  startService,
  type ServiceProcess,
} from '../support/processes.js';
import { stageDayOnDisk } from '../support/staging-dir.js';
import {
  recorded,
  writeAgentYaml,
  writeControllerYaml,
  writeTokenFile,
  type Transcript,
} from './support/service-files.js';

const API_TOKEN = 'secret-api-token-Qx7Lm2Vb9Np4Rt6Wz';
const AGENT_TOKEN = 'secret-agent-token-Hc3Jd8Kf5Gs1Yu0Pe';
const WRONG_AGENT_TOKEN = 'secret-wrong-agent-token-Ab4Cd7Ef0Gh';
const GUESSED_TOKEN = 'secret-guessed-token-Zz9Yy8Xx7Ww6Vv';
const SECRETS = [API_TOKEN, AGENT_TOKEN, WRONG_AGENT_TOKEN, GUESSED_TOKEN];
/** Debug logs say the most: if a token slips into a log line, this level shows it. */
const DEBUG = { CEDAR_LOG_LEVEL: 'debug' };

let base: string;
let agentYaml: string;
const services: ServiceProcess[] = [];
const transcript: Transcript = [];
const cliOutput: string[] = [];

async function start(bin: string, args: string[], ready: string): Promise<ServiceProcess> {
  const service = await startService(bin, args, ready, DEBUG);
  services.push(service);
  return service;
}

async function stop(service: ServiceProcess): Promise<void> {
  if (service.child.exitCode === null && service.child.signalCode === null) {
    service.child.kill('SIGTERM');
    await service.exited;
  }
}

async function waitForRun(
  url: string,
  id: string,
): Promise<{ status: string; error?: { code: string; message: string } }> {
  for (;;) {
    const { body } = await recorded(transcript, `${url}/api/v1/runs/${id}`, {
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    const run = body as { status: string; error?: { code: string; message: string } };
    if (!['queued', 'running'].includes(run.status)) return run;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function waitForAgentState(url: string, state: string): Promise<void> {
  for (;;) {
    const { body } = await recorded(transcript, `${url}/api/v1/devices`, {
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    if ((body as { agents: Array<{ state: string }> }).agents.every((agent) => agent.state === state)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function submit(url: string, body: unknown, token = API_TOKEN): Promise<{ status: number; body: unknown }> {
  return recorded(transcript, `${url}/api/v1/runs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

beforeAll(async () => {
  await buildServices();
  base = await mkdtemp(join(tmpdir(), 'cedar-secrets-'));
  await mkdir(join(base, 'stage'), { recursive: true });
}, 180_000);

afterAll(async () => {
  for (const service of services) await stop(service);
  if (base) await rm(base, { recursive: true, force: true });
});

describe('tokens', { timeout: 180_000 }, () => {
  it('never appear in logs, stderr, answers, run records, metrics, CLI output or the database, whatever fails', async () => {
    const apiTokenFile = await writeTokenFile(join(base, 'api.token'), API_TOKEN);
    const agentTokenFile = await writeTokenFile(join(base, 'agent.token'), AGENT_TOKEN);
    const wrongAgentTokenFile = await writeTokenFile(join(base, 'wrong-agent.token'), WRONG_AGENT_TOKEN);
    agentYaml = join(base, 'agent.yaml');
    await writeAgentYaml(agentYaml, { base, port: 0, tokenFile: agentTokenFile });
    let agent = await start(AGENT_BIN, ['--config', agentYaml], 'agent listening');
    // Restarts come back on the same port: the controllers' configurations name it.
    await writeAgentYaml(agentYaml, { base, port: agent.port, tokenFile: agentTokenFile });
    const agentUrl = `ws://127.0.0.1:${agent.port}/rpc`;

    const controllerYaml = join(base, 'controller.yaml');
    const database = join(base, 'controller.db');
    await writeControllerYaml(controllerYaml, { database, agentUrl, apiTokenFile, agentTokenFile });
    const controller = await start(CLI_BIN, ['controller', '--config', controllerYaml], 'controller listening');
    const url = `http://127.0.0.1:${controller.port}`;
    await waitForAgentState(url, 'connected');

    // Wrong tokens, and each service's token presented to the other one.
    for (const token of [GUESSED_TOKEN, AGENT_TOKEN, `${API_TOKEN}x`, API_TOKEN.slice(0, -1)]) {
      expect((await submit(url, { action: 'store' }, token)).status).toBe(401);
      const listed = await recorded(transcript, `${url}/api/v1/runs`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(listed.status).toBe(401);
    }
    const refused = await runNodeScript(CLI_BIN, ['store', '--json'], {
      CEDAR_STORE_URL: url,
      CEDAR_STORE_TOKEN: GUESSED_TOKEN,
    });
    expect(refused.code).toBe(3);
    cliOutput.push(refused.stdout, refused.stderr);
    const upgrade = await fetch(`http://127.0.0.1:${agent.port}/rpc`, {
      headers: { authorization: `Bearer ${API_TOKEN}`, connection: 'Upgrade', upgrade: 'websocket' },
    }).catch((error: unknown) => error);
    transcript.push(String(upgrade instanceof Response ? `${upgrade.status} ${await upgrade.text()}` : upgrade));

    // Bad requests.
    for (const body of [
      { action: 'burn' },
      { action: 'store', today: API_TOKEN },
      { action: 'store', token: API_TOKEN },
    ]) {
      expect((await submit(url, body)).status).toBe(400);
    }

    // A store that succeeds, and one that fails (no staging directory for that day).
    await stageDayOnDisk(join(base, 'stage'), '2026-11-23', { 'notes.txt': 'night one\n' });
    const stored = (await submit(url, { action: 'store', today: '2026-11-23' })).body as { id: string };
    expect((await waitForRun(url, stored.id)).status).toBe('succeeded');
    const missing = (await submit(url, { action: 'store', today: '2026-10-01' })).body as { id: string };
    expect((await waitForRun(url, missing.id)).error?.code).toBe('NO_STAGING_DIRECTORY');

    // The agent goes away: runs fail AGENT_UNREACHABLE while the controller keeps trying to reconnect.
    await stop(agent);
    await waitForAgentState(url, 'disconnected');
    const unreachable = (await submit(url, { action: 'store', today: '2026-11-23' })).body as { id: string };
    expect((await waitForRun(url, unreachable.id)).error?.code).toBe('AGENT_UNREACHABLE');
    agent = await start(AGENT_BIN, ['--config', agentYaml], 'agent listening');
    await waitForAgentState(url, 'connected');

    // A second controller holding the wrong agent token: the agent refuses it at every attempt.
    const wrongYaml = join(base, 'wrong-controller.yaml');
    await writeControllerYaml(wrongYaml, {
      database: join(base, 'wrong.db'),
      agentUrl,
      apiTokenFile,
      agentTokenFile: wrongAgentTokenFile,
    });
    const wrong = await start(CLI_BIN, ['controller', '--config', wrongYaml], 'controller listening');
    const wrongUrl = `http://127.0.0.1:${wrong.port}`;
    const wrongRun = (await submit(wrongUrl, { action: 'store', today: '2026-11-23' })).body as { id: string };
    const failed = await waitForRun(wrongUrl, wrongRun.id);
    expect(failed.error, JSON.stringify(failed)).toMatchObject({ code: 'AGENT_UNREACHABLE' });
    expect(failed.error?.message).toMatch(/token refused/);

    // What a user reads afterwards.
    for (const where of [url, wrongUrl]) {
      for (const path of ['/api/v1/runs?limit=1000', '/api/v1/devices', '/api/v1/media', '/metrics', '/readyz']) {
        expect(
          (await recorded(transcript, `${where}${path}`, { headers: { authorization: `Bearer ${API_TOKEN}` } })).status,
        ).toBe(200);
      }
      for (const args of [['runs', '--json'], ['runs'], ['devices'], ['media']]) {
        const result = await runNodeScript(CLI_BIN, args, { CEDAR_STORE_URL: where, CEDAR_STORE_TOKEN: API_TOKEN });
        expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
        cliOutput.push(result.stdout, result.stderr);
      }
    }
    for (const service of [wrong, controller, agent]) await stop(service);

    const logs = services.flatMap((service) => service.logs);
    const databaseFiles = await Promise.all(
      [join(base, 'controller.db'), join(base, 'controller.db-wal'), join(base, 'wrong.db'), join(base, 'wrong.db-wal')]
        .filter((path) => existsSync(path))
        .map((path) => readFile(path, 'latin1')),
    );
    const places: Record<string, string> = {
      'service logs and stderr': logs.join('\n'),
      'HTTP answers': transcript.join('\n'),
      'CLI output': cliOutput.join('\n'),
      'database files': databaseFiles.join('\n'),
    };
    // The places are not empty: each has what a user reads there.
    expect(places['service logs and stderr']).toMatch(/token refused|connection refused/);
    expect(places['HTTP answers']).toMatch(/cedar_store_runs|UNAUTHORIZED/);
    expect(places['database files']).toMatch(/AGENT_UNREACHABLE/);
    for (const [place, text] of Object.entries(places)) {
      for (const secret of SECRETS) {
        expect(text.includes(secret), `${secret.slice(0, 14)}… in the ${place}`).toBe(false);
      }
    }
  });
});
