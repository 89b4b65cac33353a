// The agent's plain HTTP side, as a container HEALTHCHECK or Prometheus reads it: /healthz
// and /metrics answer without the token and show nothing secret, while /rpc still wants it.
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveAgentConfig, startAgent, type AgentServer } from '@cedar-store/device-agent';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RpcTestClient } from '../support/rpc-client.js';
import { stageDayOnDisk } from '../support/staging-dir.js';

const TOKEN = 'health-test-token-0123456789abcdef';
const LABEL = 'CEDAR BACKUP 23-NOV-2026';
let base: string;
let server: AgentServer;
let url: string;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'cedar-agent-health-'));
  await mkdir(join(base, 'stage'), { recursive: true });
  const config = await resolveAgentConfig(
    {
      agentId: 'health',
      listen: { host: '127.0.0.1', port: 0 },
      auth: { token: TOKEN },
      stagingRoot: join(base, 'stage'),
      workingDir: join(base, 'work'),
      devices: [{ id: 'dvd0', backend: 'virtual', path: join(base, 'dvd0.iso'), mediaType: 'dvd+rw' }],
    },
    'health config',
    {},
  );
  const started = await startAgent(config, pino({ level: 'silent' }), { progressIntervalMs: 0 });
  server = started.server;
  url = `http://127.0.0.1:${started.port}`;
});

afterAll(async () => {
  await server?.close();
  await rm(base, { recursive: true, force: true });
});

describe('the agent over plain HTTP', { timeout: 60_000 }, () => {
  it('answers /healthz without the token: its devices, and whether a controller is connected', async () => {
    const before = await fetch(`${url}/healthz`);
    expect(before.status).toBe(200);
    expect(await before.json()).toEqual({
      status: 'ok',
      agentId: 'health',
      version: expect.any(String),
      controllerConnected: false,
      devices: [{ id: 'dvd0', backend: 'virtual', mediaType: 'dvd+rw' }],
    });

    const client = await RpcTestClient.connect(`ws://127.0.0.1:${new URL(url).port}/rpc`, TOKEN);
    try {
      expect(await (await fetch(`${url}/healthz`)).json()).toMatchObject({ controllerConnected: true });
    } finally {
      await client.close();
    }
  });

  it('counts operations by method and outcome, and the bytes written and verified, in /metrics', async () => {
    await stageDayOnDisk(join(base, 'stage'), '2026-11-23', { 'a.txt': { size: 100_000 } });
    const client = await RpcTestClient.connect(`ws://127.0.0.1:${new URL(url).port}/rpc`, TOKEN);
    try {
      const write = await client.call('media.write', {
        device: 'dvd0',
        days: ['2026-11-23'],
        label: LABEL,
        newDisc: true,
      });
      expect(write.error).toBeUndefined();
      const verify = await client.call('media.verify', { device: 'dvd0', days: ['2026-11-23'] });
      expect(verify.error).toBeUndefined();
      expect((await client.call('media.status', { device: 'nope' })).error).toBeDefined();
    } finally {
      await client.close();
    }
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(/^cedar_store_agent_operations_total\{method="media.write",outcome="succeeded"\} 1$/m);
    expect(text).toMatch(/^cedar_store_agent_operations_total\{method="media.status",outcome="device_unknown"\} 1$/m);
    expect(text).toMatch(/^cedar_store_agent_operations_total\{method="staging.inspect",outcome="succeeded"\} 0$/m);
    const written = Number(/^cedar_store_agent_bytes_written_total (\d+)$/m.exec(text)?.[1]);
    expect(written).toBeGreaterThanOrEqual(100_000);
    expect(Number(/^cedar_store_agent_bytes_verified_total (\d+)$/m.exec(text)?.[1])).toBe(100_000);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(base);

    // Prometheus' own checker reads it as well-formed exposition text with sound names.
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.error, 'promtool is missing: install the Debian package prometheus').toBeUndefined();
    expect(`${check.stdout}${check.stderr}`.trim()).toBe('');
    expect(check.status).toBe(0);
  });

  it('still refuses the WebSocket without the token, and answers other paths with where /rpc is', async () => {
    await expect(
      RpcTestClient.connect(`ws://127.0.0.1:${new URL(url).port}/rpc`, 'wrong-token-0123456789'),
    ).rejects.toThrow();
    const other = await fetch(`${url}/secret`);
    expect(other.status).toBe(426);
    expect(await other.text()).toContain('/rpc');
  });
});
