import type { MediaStatus, Progress, StagingDayInfo, VerifyReport } from '@cedar-store/ports';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentClient, RemoteMediaDrive, RemoteStagingArea } from './index.js';
import { FAKE_TOKEN, FakeAgent } from './testing/fake-agent.js';
import { waitForState } from './testing/wait.js';

const DAYS = ['2026-11-25', '2026-11-26'];
const LABEL = 'CEDAR BACKUP 26-NOV-2026';
const STATUS: MediaStatus = {
  mediaPresent: true,
  mediaType: 'cdrw-74',
  rewritable: true,
  label: null,
  mounted: false,
  sessions: 0,
  boundaries: null,
  bytesUsed: 0,
  bytesAvailable: 650_000_000,
};
const REPORT: VerifyReport = { ok: true, method: 'fuseiso', filesCompared: 3, bytesCompared: 42, mismatches: [] };
const INSPECTED: StagingDayInfo[] = [
  { day: '2026-11-25', exists: true, staged: true, stored: false, bytes: 10 },
  { day: '2026-11-26', exists: false, staged: false, stored: false, bytes: 0 },
];

let fake: FakeAgent;
let client: AgentClient;
let drive: RemoteMediaDrive;
let staging: RemoteStagingArea;

beforeEach(async () => {
  fake = await FakeAgent.start();
  const progressOf = (phase: Progress['phase']) => (call: { progress(p: Progress): void }) =>
    call.progress({ phase, bytesDone: 3, bytesTotal: 4 });
  fake
    .on('media.status', () => STATUS)
    .on('media.estimate', () => ({ bytes: 123_456 }))
    .on('media.write', (call) => (progressOf('write')(call), { bytesWritten: 4, sessions: 1 }))
    .on('media.blank', (call) => (progressOf('blank')(call), {}))
    .on('media.initialize', () => ({}))
    .on('media.verify', (call) => (progressOf('verify')(call), REPORT))
    .on('media.export', () => ({ path: '/var/lib/cedar-store/work/export.iso', bytes: 2048 }))
    .on('staging.inspect', () => ({ days: INSPECTED }))
    .on('staging.markStored', () => ({ days: ['2026-11-25'] }));
  client = new AgentClient({ id: 'burner-1', url: fake.url, token: FAKE_TOKEN });
  client.start();
  await waitForState(client, 'connected');
  drive = new RemoteMediaDrive(client, 'cd0');
  staging = new RemoteStagingArea(client);
});

afterEach(async () => {
  await client.stop();
  await fake.close();
});

describe('remote ports', { timeout: 20_000 }, () => {
  it('maps each MediaDrive method to its agent method, with the device and progress', async () => {
    const progress: Progress[] = [];
    const listen = (p: Progress) => progress.push(p);
    expect(await drive.status()).toEqual(STATUS);
    expect(await drive.estimate({ days: DAYS, newDisc: true })).toEqual({ bytes: 123_456 });
    expect(await drive.write({ days: DAYS, label: LABEL, newDisc: false }, listen)).toEqual({
      bytesWritten: 4,
      sessions: 1,
    });
    expect(await drive.blank(listen)).toBeUndefined();
    expect(await drive.initialize(LABEL)).toBeUndefined();
    expect(await drive.verify({ days: DAYS }, listen)).toEqual(REPORT);
    expect(await drive.exportImage({ days: DAYS, label: LABEL })).toEqual({
      path: '/var/lib/cedar-store/work/export.iso',
      bytes: 2048,
    });
    expect(fake.received.slice(1)).toEqual([
      { method: 'media.status', params: { device: 'cd0' } },
      { method: 'media.estimate', params: { device: 'cd0', days: DAYS, newDisc: true, stamped: true } },
      { method: 'media.write', params: { device: 'cd0', days: DAYS, label: LABEL, newDisc: false } },
      { method: 'media.blank', params: { device: 'cd0' } },
      { method: 'media.initialize', params: { device: 'cd0', label: LABEL } },
      { method: 'media.verify', params: { device: 'cd0', days: DAYS } },
      { method: 'media.export', params: { days: DAYS, label: LABEL } },
    ]);
    expect(progress.map((p) => p.phase)).toEqual(['write', 'blank', 'verify']);
  });

  it('maps the StagingArea methods to staging.inspect and staging.markStored', async () => {
    expect(await staging.inspect(DAYS)).toEqual(INSPECTED);
    expect(await staging.markStored(['2026-11-25'])).toEqual(['2026-11-25']);
    expect(fake.received.slice(1)).toEqual([
      { method: 'staging.inspect', params: { days: DAYS } },
      { method: 'staging.markStored', params: { days: ['2026-11-25'] } },
    ]);
  });
});
