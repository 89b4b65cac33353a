// The agent over a real socket, driven by a plain WebSocket client as a foreign program
// would, with the "disc" (an ISO file) read back by xorriso directly.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, realpath, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveAgentConfig, startAgent, type AgentServer } from '@cedar-store/device-agent';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flipByteOf, isoPaths, isoSessions } from '../support/iso-inspector.js';
import { RpcTestClient } from '../support/rpc-client.js';
import { stageDayOnDisk } from '../support/staging-dir.js';

const TOKEN = 'test-token-0123456789abcdef';
const LABEL1 = 'CEDAR BACKUP 23-NOV-2026';
const LABEL2 = 'CEDAR BACKUP 24-NOV-2026';

let base: string;
let stagingRoot: string;
let image: string;
let server: AgentServer;
let url: string;

async function imageDigest(): Promise<string> {
  return createHash('sha256')
    .update(await readFile(image))
    .digest('hex');
}

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'cedar-agent-socket-'));
  stagingRoot = join(base, 'stage');
  image = join(base, 'media', 'dvd0.iso');
  await mkdir(stagingRoot, { recursive: true });
  const config = await resolveAgentConfig(
    {
      agentId: 'burner-1',
      listen: { host: '127.0.0.1', port: 0 },
      auth: { token: TOKEN },
      stagingRoot,
      workingDir: join(base, 'work'),
      devices: [
        { id: 'dvd0', backend: 'virtual', path: image, mediaType: 'dvd+rw' },
        { id: 'cd0', backend: 'virtual', path: join(base, 'media', 'cd0.iso'), mediaType: 'cdrw-74' },
      ],
    },
    'test config',
    {},
  );
  const started = await startAgent(config, pino({ level: 'silent' }), { progressIntervalMs: 0 });
  server = started.server;
  url = `ws://127.0.0.1:${started.port}/rpc`;
});

afterAll(async () => {
  await server.close();
  await rm(base, { recursive: true, force: true });
});

describe('agent over a real WebSocket', { timeout: 60_000 }, () => {
  it('refuses a missing or wrong token at the upgrade, and a wrong path', async () => {
    await expect(RpcTestClient.connect(url, undefined)).rejects.toMatchObject({ status: 401 });
    await expect(RpcTestClient.connect(url, 'not-the-token-at-all-000')).rejects.toMatchObject({ status: 401 });
    await expect(RpcTestClient.connect(url.replace('/rpc', '/other'), TOKEN)).rejects.toMatchObject({ status: 404 });
  });

  it('writes a new disc, appends a second session, and both read back with xorriso', async () => {
    await stageDayOnDisk(stagingRoot, '2026-11-23', {
      'etc/hosts': '127.0.0.1 localhost\n',
      'data.bin': 'x'.repeat(5000),
    });
    await stageDayOnDisk(stagingRoot, '2026-11-24', { 'notes.txt': 'second night\n' });
    const client = await RpcTestClient.connect(url, TOKEN);
    try {
      const described = await client.call('agent.describe');
      expect(described.result).toMatchObject({
        agentId: 'burner-1',
        devices: [{ id: 'dvd0', backend: 'virtual', mediaType: 'dvd+rw' }, { id: 'cd0' }],
      });

      const first = await client.call('media.write', {
        device: 'dvd0',
        days: ['2026-11-23'],
        label: LABEL1,
        newDisc: true,
      });
      expect(first.result).toMatchObject({ sessions: 1 });
      const second = await client.call('media.write', {
        device: 'dvd0',
        days: ['2026-11-24'],
        label: LABEL2,
        newDisc: false,
      });
      expect(second.result).toMatchObject({ sessions: 2 });
      expect(client.notifications.some((n) => n.method === 'progress' && n.params.phase === 'write')).toBe(true);

      const sessions = await isoSessions(image);
      expect(sessions.map((s) => s.volumeId)).toEqual([LABEL1, LABEL2]);
      expect(await isoPaths(image)).toEqual(
        expect.arrayContaining([
          '2026/11/23/etc/hosts',
          '2026/11/23/data.bin',
          '2026/11/24/notes.txt',
          '2026/11/23/cback.stage',
        ]),
      );

      const status = await client.call('media.status', { device: 'dvd0' });
      expect(status.result).toMatchObject({ mediaPresent: true, label: LABEL2, sessions: 2, mounted: false });

      const verified = await client.call('media.verify', { device: 'dvd0', days: ['2026-11-23', '2026-11-24'] });
      expect(verified.result).toMatchObject({ ok: true, mismatches: [] });
      expect((verified.result as { bytesCompared: number }).bytesCompared).toBe(20 + 5000 + 13);

      await flipByteOf(image, '2026/11/23/data.bin');
      const damaged = await client.call('media.verify', { device: 'dvd0', days: ['2026-11-23', '2026-11-24'] });
      expect(damaged.result).toMatchObject({
        ok: false,
        mismatches: [{ path: '2026/11/23/data.bin', kind: 'content' }],
      });
    } finally {
      await client.close();
    }
  });

  it('leaves the image byte-identical when a write does not fit', async () => {
    await stageDayOnDisk(stagingRoot, '2026-11-25', { huge: { size: 5 * 2 ** 30 } });
    const client = await RpcTestClient.connect(url, TOKEN);
    try {
      const before = await imageDigest();
      const reply = await client.call('media.write', {
        device: 'dvd0',
        days: ['2026-11-25'],
        label: LABEL2,
        newDisc: false,
      });
      expect(reply.error?.data?.code).toBe('MEDIA_FULL');
      expect(reply.error?.message).toMatch(/not have enough capacity/);
      const asNewDisc = await client.call('media.write', {
        device: 'dvd0',
        days: ['2026-11-25'],
        label: LABEL2,
        newDisc: true,
      });
      expect(asNewDisc.error?.data?.code).toBe('MEDIA_FULL');
      expect(await imageDigest()).toBe(before);
    } finally {
      await client.close();
    }
  });

  it('refuses path tricks and impossible dates, changing nothing', async () => {
    const outside = join(base, 'outside');
    await stageDayOnDisk(outside, '2026-11-20', { secret: 'not for the disc' });
    await mkdir(join(stagingRoot, '2026', '11'), { recursive: true });
    await symlink(join(outside, '2026', '11', '20'), join(stagingRoot, '2026', '11', '20'));
    const client = await RpcTestClient.connect(url, TOKEN);
    try {
      for (const day of ['../../etc', '/etc/passwd', '2026-11-23/../../x', '2026-02-30', '2026-13-01', '']) {
        const reply = await client.call('staging.inspect', { days: [day] });
        expect(reply.error, day).toMatchObject({ code: -32602, data: { code: 'INVALID_REQUEST' } });
      }
      // The day symlinked out of the root is reported, not read; writing or marking it is refused.
      const inspected = await client.call('staging.inspect', { days: ['2026-11-20'] });
      expect(inspected.result).toEqual({
        days: [
          {
            day: '2026-11-20',
            exists: true,
            staged: false,
            stored: false,
            bytes: 0,
            escapesTo: await realpath(join(outside, '2026', '11', '20')),
          },
        ],
      });
      const escape = await client.call('media.write', {
        device: 'cd0',
        days: ['2026-11-20'],
        label: LABEL1,
        newDisc: true,
      });
      expect(escape.error).toMatchObject({ data: { code: 'NO_STAGING_DIRECTORY' } });
      expect(escape.error?.message).toMatch(/outside the staging root/);
      const mark = await client.call('staging.markStored', { days: ['2026-11-20'] });
      expect(mark.error).toMatchObject({ data: { code: 'NO_STAGING_DIRECTORY' } });
      expect((await client.call('media.status', { device: 'cd0' })).result).toMatchObject({ sessions: 0 });
      const badLabel = await client.call('media.write', {
        device: 'cd0',
        days: ['2026-11-23'],
        label: 'BAD\u0007LABEL',
        newDisc: true,
      });
      expect(badLabel.error).toMatchObject({ code: -32602 });
      const optionLabel = await client.call('media.initialize', { device: 'cd0', label: '-Z/dev/sdb' });
      expect(optionLabel.error).toMatchObject({ code: -32602, data: { code: 'INVALID_REQUEST' } });
      expect(optionLabel.error?.message).toMatch(/label/);
    } finally {
      await client.close();
    }
  });

  it('answers malformed JSON, unknown methods and bad params, and stays usable', async () => {
    const client = await RpcTestClient.connect(url, TOKEN);
    try {
      expect((await client.send('{"jsonrpc": "2.0", "id": 1, "method"', null)).error?.code).toBe(-32700);
      expect((await client.call('media.burnEverything', {})).error?.code).toBe(-32601);
      expect((await client.call('media.status', { device: 'dvd0', extra: true })).error?.code).toBe(-32602);
      expect((await client.call('media.status', { device: 'nope' })).error?.data?.code).toBe('DEVICE_UNKNOWN');
      expect((await client.send({ jsonrpc: '1.0', id: 'x', method: 'agent.describe' }, 'x')).error?.code).toBe(-32600);
      expect((await client.call('agent.describe')).result).toMatchObject({ agentId: 'burner-1' });
    } finally {
      await client.close();
    }
  });

  it('refuses a second write on a busy device with DEVICE_BUSY while status still answers', async () => {
    await stageDayOnDisk(stagingRoot, '2026-11-26', { big: { size: 300 * 2 ** 20 } });
    const client = await RpcTestClient.connect(url, TOKEN);
    try {
      const first = client.call('media.write', { device: 'dvd0', days: ['2026-11-26'], label: LABEL2, newDisc: true });
      const second = await client.call('media.write', {
        device: 'dvd0',
        days: ['2026-11-24'],
        label: LABEL2,
        newDisc: false,
      });
      expect(second.error?.data?.code).toBe('DEVICE_BUSY');
      const blank = await client.call('media.blank', { device: 'dvd0' });
      expect(blank.error?.data?.code).toBe('DEVICE_BUSY');
      const status = await client.call('media.status', { device: 'dvd0' });
      expect(status.error).toBeUndefined();
      expect((await first).result).toMatchObject({ sessions: 1 });
    } finally {
      await client.close();
    }
  });
});
