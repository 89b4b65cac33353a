import type { DeviceDescription } from '@cedar-store/ports';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentClient, RemoteDeviceDirectory, UNDESCRIBED_DEVICE } from './index.js';
import { FAKE_DEVICES, FAKE_TOKEN, FakeAgent } from './testing/fake-agent.js';
import { freePort, waitFor, waitForState } from './testing/wait.js';

const FAST = { reconnect: { minDelayMs: 20, maxDelayMs: 200 }, unreachableGraceMs: 200 };

let fake: FakeAgent;
let directory: RemoteDeviceDirectory;
let described: Array<[string, DeviceDescription[]]>;
let present: AgentClient;
let awayUrl: string;

beforeEach(async () => {
  fake = await FakeAgent.start();
  awayUrl = `ws://127.0.0.1:${await freePort()}/rpc`;
  present = new AgentClient({ id: 'burner-1', url: fake.url, token: FAKE_TOKEN }, FAST);
  const away = new AgentClient({ id: 'burner-2', url: awayUrl, token: FAKE_TOKEN }, FAST);
  described = [];
  directory = new RemoteDeviceDirectory([present, away], {
    remembered: new Map([['burner-2', [{ id: 'bd0', backend: 'xorriso', mediaType: 'bd-re' }]]]),
    configuredDevices: ['burner-2/bd0', 'burner-2/cd1', 'burner-1/dvd0', 'burner-9/dvd0'],
    onDescribed: (agentId, devices) => described.push([agentId, devices]),
  });
  directory.start();
  await waitForState(present, 'connected');
  await waitFor('the away agent to fail once', () => away.info().lastError !== undefined);
});

afterEach(async () => {
  await directory.stop();
  await fake.close();
});

describe('RemoteDeviceDirectory', { timeout: 20_000 }, () => {
  it('lists what connected agents describe, and what is remembered or configured for the others', async () => {
    expect(await directory.list()).toEqual([
      {
        ref: 'burner-1/dvd0',
        agentId: 'burner-1',
        deviceId: 'dvd0',
        backend: 'virtual',
        mediaType: 'dvd+rw',
        connected: true,
      },
      {
        ref: 'burner-1/cd0',
        agentId: 'burner-1',
        deviceId: 'cd0',
        backend: 'virtual',
        mediaType: 'cdrw-74',
        connected: true,
      },
      {
        ref: 'burner-2/bd0',
        agentId: 'burner-2',
        deviceId: 'bd0',
        backend: 'xorriso',
        mediaType: 'bd-re',
        connected: false,
      },
      { ref: 'burner-2/cd1', agentId: 'burner-2', deviceId: 'cd1', ...UNDESCRIBED_DEVICE, connected: false },
    ]);
    expect(described).toEqual([['burner-1', FAKE_DEVICES]]);
    const agents = await directory.agents();
    expect(agents.map((a) => [a.id, a.state])).toEqual([
      ['burner-1', 'connected'],
      ['burner-2', 'disconnected'],
    ]);
    expect(agents[1]?.lastError).toMatch(/ECONNREFUSED/);
  });

  it('keeps listing an agent that went away with the devices it described last', async () => {
    await fake.close();
    await waitForState(present, 'disconnected');
    const listed = await directory.list();
    expect(listed.filter((d) => d.agentId === 'burner-1')).toEqual([
      expect.objectContaining({ ref: 'burner-1/dvd0', connected: false }),
      expect.objectContaining({ ref: 'burner-1/cd0', connected: false }),
    ]);
  });

  it.each([
    ['an agent that is not configured', 'burner-9/dvd0', /no agent "burner-9" is configured.*burner-1, burner-2/],
    [
      'a device the connected agent lacks',
      'burner-1/dvd9',
      /agent burner-1 has no device "dvd9"; its devices: burner-1\/dvd0, burner-1\/cd0/,
    ],
    ['something that is not a device ref', 'dvd0', /name devices "agent\/device"/],
  ])('refuses %s with DEVICE_UNKNOWN', (_, ref, message) => {
    expect(() => directory.drive(ref)).toThrow(
      expect.objectContaining({ code: 'DEVICE_UNKNOWN', message: expect.stringMatching(message) }),
    );
    expect(() => directory.staging(ref)).toThrow(expect.objectContaining({ code: 'DEVICE_UNKNOWN' }));
  });

  it('hands out the ports of an agent that is away, whose calls then fail fast with AGENT_UNREACHABLE', async () => {
    await expect(directory.drive('burner-2/bd0').status()).rejects.toMatchObject({
      code: 'AGENT_UNREACHABLE',
      message: expect.stringContaining(`agent burner-2 at ${awayUrl} is not connected`),
    });
    await expect(directory.staging('burner-2/cd1').inspect(['2026-11-26'])).rejects.toMatchObject({
      code: 'AGENT_UNREACHABLE',
    });
  });
});
