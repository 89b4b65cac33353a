// The controller's remote adapters against the real agent over a real WebSocket: a virtual
// dvd+rw (an ISO file written by real xorriso) in temp directories, reached only through
// RemoteDeviceDirectory, as the use cases reach it. The disc is read back by xorriso
// directly, not through the code under test.
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentClient, RemoteDeviceDirectory } from '@cedar-store/controller';
import { createLogger, resolveAgentConfig, startAgent, type AgentConfig } from '@cedar-store/device-agent';
import type { AgentServer } from '@cedar-store/device-agent';
import type { DeviceDescription, Progress } from '@cedar-store/ports';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor, waitForState } from '../../services/controller/src/agents/testing/wait.js';
import { isoPaths } from '../support/iso-inspector.js';
import { selfSignedCertificate } from '../support/certificate.js';
import { stageDayOnDisk } from '../support/staging-dir.js';

const TOKEN = 'remote-agent-token-0123456789abcdef';
const DEVICE = 'burner-1/dvd0';
const DAY = '2026-11-26';
const LABEL = 'CEDAR BACKUP 26-NOV-2026';

let base: string;
let stagingRoot: string;
let image: string;
let config: AgentConfig;
let server: AgentServer;
let port: number;
let client: AgentClient;
let directory: RemoteDeviceDirectory;
const described: Array<[string, DeviceDescription[]]> = [];

async function startTheAgent(onPort: number): Promise<void> {
  const started = await startAgent(
    { ...config, listen: { ...config.listen, port: onPort } },
    createLogger({ level: 'silent' }),
    { progressIntervalMs: 0 },
  );
  server = started.server;
  port = started.port;
}

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'cedar-remote-agent-'));
  stagingRoot = join(base, 'stage');
  image = join(base, 'media', 'dvd0.iso');
  await mkdir(stagingRoot, { recursive: true });
  config = await resolveAgentConfig(
    {
      agentId: 'burner-1',
      listen: { host: '127.0.0.1', port: 0 },
      auth: { token: TOKEN },
      stagingRoot,
      workingDir: join(base, 'work'),
      devices: [{ id: 'dvd0', backend: 'virtual', path: image, mediaType: 'dvd+rw' }],
    },
    'test config',
    {},
  );
  await startTheAgent(0);
  client = new AgentClient(
    { id: 'burner-1', url: `ws://127.0.0.1:${port}/rpc`, token: TOKEN },
    { reconnect: { minDelayMs: 50, maxDelayMs: 500 }, unreachableGraceMs: 1000 },
  );
  directory = new RemoteDeviceDirectory([client], {
    onDescribed: (agentId, devices) => described.push([agentId, devices]),
  });
  directory.start();
  await waitForState(client, 'connected');
});

afterAll(async () => {
  await directory?.stop();
  await server?.close();
  if (base) await rm(base, { recursive: true, force: true });
});

describe('remote agent adapters against the real agent', { timeout: 60_000 }, () => {
  it('stores a day through the remote ports: inspect, status, estimate, write with progress, verify, store indicator', async () => {
    await stageDayOnDisk(stagingRoot, DAY, { 'etc/hosts': '127.0.0.1 localhost\n', 'data.bin': 'x'.repeat(5000) });
    expect(await directory.list()).toEqual([
      { ref: DEVICE, agentId: 'burner-1', deviceId: 'dvd0', backend: 'virtual', mediaType: 'dvd+rw', connected: true },
    ]);
    expect(described).toEqual([['burner-1', [{ id: 'dvd0', backend: 'virtual', mediaType: 'dvd+rw' }]]]);
    expect(await directory.agents()).toEqual([
      expect.objectContaining({ id: 'burner-1', state: 'connected', version: expect.any(String) }),
    ]);
    const staging = directory.staging(DEVICE);
    const drive = directory.drive(DEVICE);

    expect(await staging.inspect([DAY, '2026-11-27'])).toEqual([
      // The shape (the image bound's input): cback.stage, data.bin, etc, etc/hosts.
      {
        day: DAY,
        exists: true,
        staged: true,
        stored: false,
        bytes: 20 + 5000,
        shape: { files: 3, directories: 1, nameBytes: 27, dataSectors: 4 },
      },
      { day: '2026-11-27', exists: false, staged: false, stored: false, bytes: 0 },
    ]);
    expect(await drive.status()).toMatchObject({ mediaType: 'dvd+rw', sessions: 0, mounted: false });
    const estimated = await drive.estimate({ days: [DAY], newDisc: true });
    expect(estimated.bytes).toBeGreaterThan(5000);

    const progress: Progress[] = [];
    const written = await drive.write({ days: [DAY], label: LABEL, newDisc: true }, (p) => progress.push(p));
    expect(written).toMatchObject({ sessions: 1 });
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((p) => p.phase === 'write' || p.phase === 'blank')).toBe(true);
    expect(await isoPaths(image)).toEqual(expect.arrayContaining(['2026/11/26/etc/hosts', '2026/11/26/data.bin']));

    const report = await drive.verify({ days: [DAY] });
    expect(report).toMatchObject({ ok: true, mismatches: [], bytesCompared: 20 + 5000 });
    expect(await drive.status()).toMatchObject({ label: LABEL, sessions: 1 });

    expect(await staging.markStored([DAY])).toEqual([DAY]);
    expect(await staging.inspect([DAY])).toEqual([expect.objectContaining({ day: DAY, stored: true })]);
  });

  it('fails fast with AGENT_UNREACHABLE while the agent is down, and reconnects by itself when it is back', async () => {
    const samePort = port;
    await server.close();
    await waitForState(client, 'disconnected');
    const drive = directory.drive(DEVICE);
    const started = Date.now();
    await expect(drive.status()).rejects.toMatchObject({
      code: 'AGENT_UNREACHABLE',
      message: expect.stringMatching(/agent burner-1 at ws:\/\/127\.0\.0\.1:\d+\/rpc is not connected/),
    });
    expect(Date.now() - started).toBeLessThan(5000);
    // Still listed, from what it described last, so a user sees what is missing.
    expect(await directory.list()).toEqual([expect.objectContaining({ ref: DEVICE, connected: false })]);

    await startTheAgent(samePort);
    await waitForState(client, 'connected', 20_000);
    expect(await drive.status()).toMatchObject({ label: LABEL, sessions: 1 });
    expect(described).toHaveLength(2);
  });
});

describe('remote agent over TLS', { timeout: 60_000 }, () => {
  it('connects to a wss:// agent given the CA of its certificate, and explains the refusal without it', async () => {
    const { cert, key } = await selfSignedCertificate(base);
    const tls = await startAgent(
      { ...config, listen: { host: '127.0.0.1', port: 0 }, tls: { certFile: cert, keyFile: key } },
      createLogger({ level: 'silent' }),
    );
    const url = `wss://127.0.0.1:${tls.port}/rpc`;
    const options = { reconnect: { minDelayMs: 50, maxDelayMs: 500 } };
    const trusting = new AgentClient({ id: 'burner-1', url, token: TOKEN, ca: await readFile(cert, 'utf8') }, options);
    const doubting = new AgentClient({ id: 'burner-1', url, token: TOKEN }, options);
    try {
      trusting.start();
      doubting.start();
      await waitForState(trusting, 'connected');
      expect(await trusting.call('media.status', { device: 'dvd0' })).toMatchObject({ mediaType: 'dvd+rw' });
      await waitFor('the untrusted attempt to fail', () => doubting.info().lastError !== undefined);
      expect(doubting.info()).toMatchObject({ state: 'disconnected' });
      expect(doubting.info().lastError).toMatch(/SELF_SIGNED_CERT.*is not trusted.*give the controller the CA/);
    } finally {
      await Promise.all([trusting.stop(), doubting.stop()]);
      await tls.server.close();
    }
  });
});
