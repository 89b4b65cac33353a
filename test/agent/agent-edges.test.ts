// The agent's edges over a real socket: TLS, frame and in-flight limits, the heartbeat,
// missing programs, a mounted device, and the operations around a write (initialize, verify
// progress, export), each with a fresh agent configured for the case.
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MountTable,
  resolveAgentConfig,
  startAgent,
  type AgentOptions,
  type AgentServer,
} from '@cedar-store/device-agent';
import { pino } from 'pino';
import WebSocket from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isoPaths, isoSessions } from '../support/iso-inspector.js';
import { RpcTestClient } from '../support/rpc-client.js';
import { selfSignedCertificate } from '../support/certificate.js';
import { stageDayOnDisk } from '../support/staging-dir.js';

const TOKEN = 'edge-test-token-0123456789abcdef';
const LABEL = 'CEDAR BACKUP 23-NOV-2026';

let base: string;
let servers: AgentServer[];

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'cedar-agent-edges-'));
  await mkdir(join(base, 'stage'), { recursive: true });
  servers = [];
});

afterEach(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await rm(base, { recursive: true, force: true });
});

async function agent(
  extra: Record<string, unknown> = {},
  options: AgentOptions = {},
): Promise<{ port: number; image: string }> {
  const image = join(base, 'dvd0.iso');
  const config = await resolveAgentConfig(
    {
      agentId: 'edge',
      listen: { host: '127.0.0.1', port: 0 },
      auth: { token: TOKEN },
      stagingRoot: join(base, 'stage'),
      workingDir: join(base, 'work'),
      devices: [{ id: 'dvd0', backend: 'virtual', path: image, mediaType: 'dvd+rw' }],
      ...extra,
    },
    'edge config',
    {},
  );
  const started = await startAgent(config, pino({ level: 'silent' }), { progressIntervalMs: 0, ...options });
  servers.push(started.server);
  return { port: started.port, image };
}

describe('agent edges', { timeout: 60_000 }, () => {
  it('speaks TLS with the configured certificate, and a client without the CA is refused', async () => {
    const { cert, key } = await selfSignedCertificate(base);
    const { port } = await agent({ tls: { certFile: cert, keyFile: key } });
    const { readFile } = await import('node:fs/promises');
    const ca = await readFile(cert);
    const client = await RpcTestClient.connect(`wss://127.0.0.1:${port}/rpc`, TOKEN, { ca });
    try {
      expect((await client.call('agent.describe')).result).toMatchObject({ agentId: 'edge' });
    } finally {
      await client.close();
    }
    await expect(RpcTestClient.connect(`wss://127.0.0.1:${port}/rpc`, TOKEN)).rejects.toThrow(
      /self.signed|certificate/i,
    );
  });

  it('survives a malformed upgrade path and a peer that resets the connection before the upgrade', async () => {
    const { port } = await agent();
    const upgrade = (path: string, token: string): string =>
      `GET ${path} HTTP/1.1\r\nHost: agent\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
      `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer ${token}\r\n\r\n`;
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(upgrade('//', TOKEN)));
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    for (let attempt = 0; attempt < 20; attempt++) {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(upgrade('/rpc', 'wrong-token-wrong-token'));
        socket.resetAndDestroy();
      });
      socket.on('error', () => {});
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    const client = await RpcTestClient.connect(`ws://127.0.0.1:${port}/rpc`, TOKEN);
    expect((await client.call('agent.describe')).result).toMatchObject({ agentId: 'edge' });
    await client.close();
  });

  it('closes a connection that sends a frame over the size limit', async () => {
    const { port } = await agent({ limits: { maxFrameBytes: 1024 } });
    const client = await RpcTestClient.connect(`ws://127.0.0.1:${port}/rpc`, TOKEN);
    const closed = new Promise<number>((resolve) => client.socket.once('close', (code) => resolve(code)));
    client.socket.send(
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'agent.describe', params: { pad: 'x'.repeat(4000) } }),
    );
    expect(await closed).toBe(1009);
  });

  it('answers binary frames with an error and keeps the connection', async () => {
    const { port } = await agent();
    const client = await RpcTestClient.connect(`ws://127.0.0.1:${port}/rpc`, TOKEN);
    try {
      const reply = new Promise((resolve) =>
        client.socket.once('message', (data) => resolve(JSON.parse(data.toString()))),
      );
      client.socket.send(Buffer.from([1, 2, 3]), { binary: true });
      expect(await reply).toMatchObject({ error: { code: -32600 } });
      expect((await client.call('agent.describe')).result).toBeDefined();
    } finally {
      await client.close();
    }
  });

  it('drops a peer that stops answering pings', async () => {
    const { port } = await agent({ limits: { heartbeatSeconds: 1 } });
    const socket = new WebSocket(`ws://127.0.0.1:${port}/rpc`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
      autoPong: false,
    });
    await new Promise((resolve) => socket.once('open', resolve));
    const started = Date.now();
    const code = await new Promise<number>((resolve) => socket.once('close', (c) => resolve(c)));
    expect(code).toBe(1006);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('refuses requests beyond the in-flight limit of a connection', async () => {
    await stageDayOnDisk(join(base, 'stage'), '2026-11-23', { big: { size: 300 * 2 ** 20 } });
    const { port } = await agent({ limits: { maxInFlightPerConnection: 1 } });
    const client = await RpcTestClient.connect(`ws://127.0.0.1:${port}/rpc`, TOKEN);
    try {
      const write = client.call('media.write', { device: 'dvd0', days: ['2026-11-23'], label: LABEL, newDisc: true });
      const refused = await client.call('agent.describe');
      // A server error (-32000 to -32099), not -32602: the same request is fine once answers come.
      expect(refused.error).toMatchObject({ code: -32001, data: { code: 'INVALID_REQUEST' } });
      expect(refused.error?.message).toMatch(/too many requests in flight/);
      expect((await write).result).toMatchObject({ sessions: 1 });
      expect((await client.call('agent.describe')).result).toBeDefined();
    } finally {
      await client.close();
    }
  });

  it('reports a missing program as TOOL_MISSING naming the Debian package', async () => {
    await stageDayOnDisk(join(base, 'stage'), '2026-11-23', { a: 'data' });
    const emptyPath = join(base, 'no-programs');
    await mkdir(emptyPath);
    const { port } = await agent({}, { searchPath: emptyPath });
    await writeFile(join(base, 'dvd0.iso'), 'not blank any more');
    const client = await RpcTestClient.connect(`ws://127.0.0.1:${port}/rpc`, TOKEN);
    try {
      const reply = await client.call('media.status', { device: 'dvd0' });
      expect(reply.error).toMatchObject({ data: { code: 'TOOL_MISSING' } });
      expect(reply.error?.message).toMatch(/apt-get install xorriso/);
    } finally {
      await client.close();
    }
  });

  it('refuses to write a mounted device with DEVICE_MOUNTED and reports it mounted', async () => {
    await stageDayOnDisk(join(base, 'stage'), '2026-11-23', { a: 'data' });
    const mounts = join(base, 'mounts');
    const image = join(base, 'dvd0.iso');
    await writeFile(mounts, `${image} /media/backup iso9660 ro,relatime 0 0\n`);
    const { port } = await agent({}, { mountTable: new MountTable(mounts) });
    const client = await RpcTestClient.connect(`ws://127.0.0.1:${port}/rpc`, TOKEN);
    try {
      const reply = await client.call('media.write', {
        device: 'dvd0',
        days: ['2026-11-23'],
        label: LABEL,
        newDisc: true,
      });
      expect(reply.error).toMatchObject({ data: { code: 'DEVICE_MOUNTED' } });
      expect(reply.error?.message).toMatch(/umount \/media\/backup/);
      expect((await client.call('media.status', { device: 'dvd0' })).result).toMatchObject({
        mounted: true,
        sessions: 0,
      });
    } finally {
      await client.close();
    }
  });

  it('initializes, writes, verifies with progress, exports, and leaves no mount point behind', async () => {
    await stageDayOnDisk(join(base, 'stage'), '2026-11-23', { 'docs/a.txt': 'alpha', big: { size: 3 * 2 ** 20 } });
    const { port, image } = await agent();
    const client = await RpcTestClient.connect(`ws://127.0.0.1:${port}/rpc`, TOKEN);
    try {
      expect(
        (await client.call('media.initialize', { device: 'dvd0', label: 'CEDAR BACKUP 22-NOV-2026' })).result,
      ).toEqual({});
      expect(await isoPaths(image)).toEqual(['CedarBackup/']);
      expect((await client.call('media.status', { device: 'dvd0' })).result).toMatchObject({
        label: 'CEDAR BACKUP 22-NOV-2026',
        sessions: 1,
      });

      await client.call('media.write', { device: 'dvd0', days: ['2026-11-23'], label: LABEL, newDisc: false });
      expect((await isoSessions(image)).length).toBe(2);
      const verify = await client.call('media.verify', { device: 'dvd0', days: ['2026-11-23'] });
      expect(verify.result).toMatchObject({ ok: true, filesCompared: 3, bytesCompared: 5 + 3 * 2 ** 20 });
      const phases = client.notifications.filter((n) => n.params.phase === 'verify').map((n) => n.params);
      expect(phases.at(-1)).toMatchObject({ bytesDone: 5 + 3 * 2 ** 20, bytesTotal: 5 + 3 * 2 ** 20 });
      expect(new Set(phases.map((p) => p.opId)).size).toBe(1);
      expect((await readdir(join(base, 'work'))).filter((name) => name.startsWith('verify-'))).toEqual([]);

      const exported = await client.call('media.export', { days: ['2026-11-23'], label: LABEL });
      const { path } = exported.result as { path: string; bytes: number };
      expect(path.startsWith(join(base, 'work', 'exports'))).toBe(true);
      expect(await isoPaths(path)).toEqual(expect.arrayContaining(['2026/11/23/docs/a.txt', '2026/11/23/big']));
      expect((await isoSessions(path)).map((s) => s.volumeId)).toEqual([LABEL]);

      await client.call('media.blank', { device: 'dvd0' });
      expect((await client.call('media.status', { device: 'dvd0' })).result).toMatchObject({
        sessions: 0,
        label: null,
        bytesUsed: 0,
      });
    } finally {
      await client.close();
    }
  });
});
