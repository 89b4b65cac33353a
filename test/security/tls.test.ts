// TLS between controller and agent, end to end with the built services: a CA made in the test
// (a self-signed certificate for 127.0.0.1), an agent serving wss:// with it, and three
// controllers: one given that CA stores a day; one given another CA is refused with a message
// about the certificate; one speaking plain ws:// to the TLS agent fails clearly. The refused
// ones write nothing: the disc image stays byte-identical and no store indicator appears.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCertificate } from '../support/certificate.js';
import { isoPaths } from '../support/iso-inspector.js';
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

const API_TOKEN = 'tls-api-token-Rf5Tg8Yh1Uj4Ik7Ol';
const AGENT_TOKEN = 'tls-agent-token-Pq2Wr5Et8Yu1Io4Aa';

let base: string;
let agent: ServiceProcess;
const controllers: ServiceProcess[] = [];
const transcript: Transcript = [];
let apiTokenFile: string;
let agentTokenFile: string;
let rightCa: string;
let wrongCa: string;

const image = (): string => join(base, 'dvd0.iso');
const stored = (day: string): boolean => existsSync(join(base, 'stage', ...day.split('-'), 'cback.store'));
const digest = async (): Promise<string> =>
  createHash('sha256')
    .update(await readFile(image()))
    .digest('hex');

beforeAll(async () => {
  await buildServices();
  base = await mkdtemp(join(tmpdir(), 'cedar-tls-'));
  await mkdir(join(base, 'ca-right'), { recursive: true });
  await mkdir(join(base, 'ca-wrong'), { recursive: true });
  const right = await selfSignedCertificate(join(base, 'ca-right'));
  rightCa = right.cert;
  wrongCa = (await selfSignedCertificate(join(base, 'ca-wrong'))).cert;
  await mkdir(join(base, 'stage'), { recursive: true });
  apiTokenFile = await writeTokenFile(join(base, 'api.token'), API_TOKEN);
  agentTokenFile = await writeTokenFile(join(base, 'agent.token'), AGENT_TOKEN);
  const agentYaml = join(base, 'agent.yaml');
  await writeAgentYaml(agentYaml, {
    base,
    port: 0,
    tokenFile: agentTokenFile,
    tls: right,
    limits: '{ handshakeTimeoutSeconds: 2 }',
  });
  agent = await startService(AGENT_BIN, ['--config', agentYaml], 'agent listening');
}, 180_000);

afterAll(async () => {
  for (const service of [...controllers, agent]) {
    if (service && service.child.exitCode === null && service.child.signalCode === null) {
      service.child.kill('SIGTERM');
      await service.exited;
    }
  }
  if (base) await rm(base, { recursive: true, force: true });
});

async function controller(name: string, agentUrl: string, caFile?: string): Promise<string> {
  const config = join(base, `${name}.yaml`);
  await writeControllerYaml(config, {
    database: join(base, `${name}.db`),
    agentUrl,
    apiTokenFile,
    agentTokenFile,
    ...(caFile ? { caFile } : {}),
  });
  const started = await startService(CLI_BIN, ['controller', '--config', config], 'controller listening');
  controllers.push(started);
  return `http://127.0.0.1:${started.port}`;
}

const auth = { authorization: `Bearer ${API_TOKEN}` };

async function store(
  url: string,
  today: string,
): Promise<{ status: string; error?: { code: string; message: string } }> {
  const submitted = await recorded(transcript, `${url}/api/v1/runs`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ action: 'store', today }),
  });
  expect(submitted.status, submitted.text).toBe(202);
  const id = (submitted.body as { id: string }).id;
  for (;;) {
    const run = (await recorded(transcript, `${url}/api/v1/runs/${id}`, { headers: auth })).body as {
      status: string;
      error?: { code: string; message: string };
    };
    if (!['queued', 'running'].includes(run.status)) return run;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits until the controller has tried the agent and says why it is not connected. */
async function lastError(url: string): Promise<string> {
  for (;;) {
    const { body } = await recorded(transcript, `${url}/api/v1/devices`, { headers: auth });
    const found = (body as { agents: Array<{ lastError?: string }> }).agents[0]?.lastError;
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('TLS between controller and agent', { timeout: 180_000 }, () => {
  it('stores over wss:// with the CA that signed the agent certificate', async () => {
    await stageDayOnDisk(join(base, 'stage'), '2026-11-23', { 'notes.txt': 'over tls\n' });
    const url = await controller('right', `wss://127.0.0.1:${agent.port}/rpc`, rightCa);
    const run = await store(url, '2026-11-23');
    expect(run, JSON.stringify(run)).toMatchObject({ status: 'succeeded' });
    expect(await isoPaths(image())).toContain('2026/11/23/notes.txt');
    expect(stored('2026-11-23')).toBe(true);
  });

  it('refuses an agent whose certificate another CA signed: AGENT_UNREACHABLE about the certificate, nothing written', async () => {
    await stageDayOnDisk(join(base, 'stage'), '2026-11-24', { 'notes.txt': 'must not be written\n' });
    const before = await digest();
    const url = await controller('wrong-ca', `wss://127.0.0.1:${agent.port}/rpc`, wrongCa);
    expect(await lastError(url)).toMatch(/certificate/i);
    const run = await store(url, '2026-11-24');
    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('AGENT_UNREACHABLE');
    expect(run.error?.message).toMatch(/certificate.*not trusted.*CA/i);
    expect(await digest()).toBe(before);
    expect(stored('2026-11-24')).toBe(false);
  });

  it('drops a client that starts a TLS handshake and never finishes it, still serving the controller', async () => {
    const socket = connect(agent.port, '127.0.0.1');
    socket.on('error', () => undefined);
    // The first bytes of a TLS record header, then silence.
    socket.write(Buffer.from([0x16, 0x03, 0x01]));
    await new Promise<void>((resolve) => socket.on('close', () => resolve()));
    const url = await controller('after-slow', `wss://127.0.0.1:${agent.port}/rpc`, rightCa);
    await stageDayOnDisk(join(base, 'stage'), '2026-11-25', { 'notes.txt': 'after a slow client\n' });
    expect(await store(url, '2026-11-25')).toMatchObject({ status: 'succeeded' });
    // Node's own TLS handshake timeout is two minutes: this bound is the agent's handshakeTimeoutSeconds.
  }, 60_000);

  it('stops a controller whose CA file holds no certificate, naming the file', async () => {
    const garbage = join(base, 'not-a-ca.pem');
    await writeFile(garbage, 'this is not a certificate\n');
    const config = join(base, 'garbage-ca.yaml');
    await writeControllerYaml(config, {
      database: join(base, 'garbage-ca.db'),
      agentUrl: `wss://127.0.0.1:${agent.port}/rpc`,
      apiTokenFile,
      agentTokenFile,
      caFile: garbage,
    });
    const result = await runNodeScript(CLI_BIN, ['controller', '--config', config]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(garbage);
    expect(result.stderr).toMatch(/no PEM certificate/);
  });

  it('fails plain ws:// to a TLS agent clearly, nothing written', async () => {
    const before = await digest();
    const url = await controller('plain', `ws://127.0.0.1:${agent.port}/rpc`);
    const reason = await lastError(url);
    expect(reason).toMatch(/wss:\/\//);
    const run = await store(url, '2026-11-24');
    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('AGENT_UNREACHABLE');
    expect(run.error?.message).toMatch(/wss:\/\//);
    expect(await digest()).toBe(before);
    expect(stored('2026-11-24')).toBe(false);
    // The tokens travel only inside TLS or not at all: nothing printed them on the way.
    const everything = [...transcript, ...agent.logs, ...controllers.flatMap((c) => c.logs)].join('\n');
    expect(everything).not.toContain(API_TOKEN);
    expect(everything).not.toContain(AGENT_TOKEN);
  });
});
