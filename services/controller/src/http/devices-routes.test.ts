import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { AUTH, DEVICE, TODAY, createApiFixture, gate, until } from '../testing/api-fixture.js';

describe('GET /api/v1/devices', () => {
  it('lists agents with their connection state and idle devices', async () => {
    const f = createApiFixture({ devices: [DEVICE, 'burner-2/bd0'] });
    const res = await request(f.app).get('/api/v1/devices').set(AUTH);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      timeZone: 'UTC',
      agents: [
        { id: 'burner-1', state: 'connected' },
        { id: 'burner-2', state: 'connected' },
      ],
      devices: [
        {
          ref: DEVICE,
          agent: 'burner-1',
          device: 'dvd0',
          backend: 'virtual',
          mediaType: 'dvd+rw',
          connected: true,
          activity: 'idle',
          queued: 0,
        },
        {
          ref: 'burner-2/bd0',
          agent: 'burner-2',
          device: 'bd0',
          backend: 'virtual',
          mediaType: 'dvd+rw',
          connected: true,
          activity: 'idle',
          queued: 0,
        },
      ],
    });
  });

  it('shows a busy device with its active run and how many wait behind it', async () => {
    const f = createApiFixture();
    const hold = gate();
    f.device().drive.holdNext('initialize', hold.promise);
    const active = await f.coordinator.submit({ action: 'initialize' });
    await f.coordinator.submit({ action: 'initialize' });
    await until(() => f.device().drive.operations.includes('initialize'));

    const res = await request(f.app).get('/api/v1/devices').set(AUTH);

    expect(res.body.devices[0]).toMatchObject({ ref: DEVICE, activity: 'busy', activeRun: active.id, queued: 1 });
    hold.open();
    await f.coordinator.drain();
    const after = await request(f.app).get('/api/v1/devices').set(AUTH);
    expect(after.body.devices[0]).toMatchObject({ activity: 'idle', queued: 0 });
    expect(after.body.devices[0].activeRun).toBeUndefined();
  });
});

describe('GET /api/v1/devices/:agent/:device/media', () => {
  it("reads the device's media now", async () => {
    const f = createApiFixture();
    f.device().drive.loadDisc('CEDAR BACKUP 23-NOV-2026', { '2026/11/23/a': 'x' });
    const res = await request(f.app).get('/api/v1/devices/burner-1/dvd0/media').set(AUTH);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      mediaPresent: true,
      mediaType: 'dvd+rw',
      rewritable: true,
      label: 'CEDAR BACKUP 23-NOV-2026',
      mounted: false,
      sessions: 1,
    });
    expect(res.body.bytesAvailable).toBeGreaterThan(0);
  });

  it('answers 404 DEVICE_UNKNOWN for a device that is not configured', async () => {
    const f = createApiFixture();
    const res = await request(f.app).get('/api/v1/devices/burner-1/cd9/media').set(AUTH);
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: 'DEVICE_UNKNOWN', message: expect.stringContaining('burner-1/dvd0') });
  });

  it.each([
    ['an agent id with forbidden characters', '/api/v1/devices/bur%24ner/dvd0/media', /agent: /],
    ['a path trick', '/api/v1/devices/..%2F..%2Fetc/dvd0/media', /agent: /],
    ['an over-long device id', `/api/v1/devices/burner-1/${'d'.repeat(65)}/media`, /device: /],
  ])('refuses %s with 400 naming the part', async (_case, path, message) => {
    const f = createApiFixture();
    const res = await request(f.app).get(path).set(AUTH);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_REQUEST');
    expect(res.body.error.message).toMatch(message);
    expect(f.device().drive.operations).toEqual([]);
  });
});

describe('GET /api/v1/media', () => {
  it('lists the catalog: each disc with its sessions, days, run ids and bytes', async () => {
    const f = createApiFixture();
    expect((await request(f.app).get('/api/v1/media').set(AUTH)).body).toEqual({ discs: [] });
    f.device().staging.addDay(TODAY, { a: 'x' });
    const run = await f.coordinator.submit({ action: 'store' });
    await f.coordinator.drain();

    const res = await request(f.app).get('/api/v1/media').set(AUTH);

    expect(res.status).toBe(200);
    expect(res.body.discs).toHaveLength(1);
    expect(res.body.discs[0]).toMatchObject({ label: 'CEDAR BACKUP 26-NOV-2026', device: DEVICE });
    expect(res.body.discs[0].sessions).toMatchObject([{ days: [TODAY], runId: run.id }]);
    expect(res.body.discs[0].sessions[0].bytes).toBeGreaterThan(0);
  });

  it('refuses query parameters', async () => {
    const f = createApiFixture();
    const res = await request(f.app).get('/api/v1/media?label=x').set(AUTH);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/unknown parameter "label" \(takes no parameters\)/);
  });
});
