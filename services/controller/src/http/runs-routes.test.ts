import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { AUTH, DEVICE, TODAY, createApiFixture, gate, until } from '../testing/api-fixture.js';

const SECOND_DEVICE = 'burner-2/bd0';

function post(app: ReturnType<typeof createApiFixture>['app'], body: unknown) {
  return request(app)
    .post('/api/v1/runs')
    .set(AUTH)
    .send(body as object);
}

describe('POST /api/v1/runs', () => {
  it('queues a store, answers 202 with the run and its Location, and the run stores and verifies today', async () => {
    const f = createApiFixture();
    f.device().staging.addDay(TODAY, { 'etc/hosts': '127.0.0.1 localhost\n' });

    const res = await post(f.app, { action: 'store' });

    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ action: 'store', device: DEVICE, status: 'queued', options: {} });
    expect(res.headers.location).toBe(`/api/v1/runs/${res.body.id}`);

    await f.coordinator.drain();
    const run = await request(f.app).get(`/api/v1/runs/${res.body.id}`).set(AUTH);
    expect(run.status).toBe(200);
    expect(run.body.status).toBe('succeeded');
    expect(run.body.selection).toMatchObject({ days: [TODAY], rule: 'today', crossedMidnight: false });
    expect(run.body.write).toMatchObject({ sessions: 1 });
    expect(run.body.write.bytesWritten).toBeGreaterThan(0);
    expect(run.body.verify).toMatchObject({ ok: true, filesCompared: 1, mismatches: [] });
    expect(f.device().staging.isStored(TODAY)).toBe(true);
  });

  it('passes today and full through to the run', async () => {
    const f = createApiFixture();
    const res = await post(f.app, { action: 'store', device: DEVICE, today: '2026-11-20', full: true });
    expect(res.status).toBe(202);
    expect(res.body.options).toEqual({ today: '2026-11-20', full: true });
  });

  it('queues an audit of the only device with no options', async () => {
    const f = createApiFixture();
    const res = await post(f.app, { action: 'audit' });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ action: 'audit', device: DEVICE, options: {} });
  });

  it('passes dryRun through: the run is kept as a dry run and neither writes nor marks', async () => {
    const f = createApiFixture();
    f.device().staging.addDay(TODAY, { a: 'x' });
    const res = await post(f.app, { action: 'store', device: DEVICE, dryRun: true });
    expect(res.status).toBe(202);
    expect(res.body.options).toEqual({ dryRun: true });
    await f.coordinator.drain();
    const run = await request(f.app).get(`/api/v1/runs/${res.body.id}`).set(AUTH);
    expect(run.body).toMatchObject({ status: 'succeeded', options: { dryRun: true } });
    expect(run.body.image.estimatedBytes).toBeGreaterThan(0);
    expect(run.body.write).toBeUndefined();
    expect(f.device().staging.isStored(TODAY)).toBe(false);
  });

  it('uses the only device when none is named, and refuses to guess among several, listing them', async () => {
    const single = createApiFixture({ devices: [SECOND_DEVICE] });
    const defaulted = await post(single.app, { action: 'initialize' });
    expect(defaulted.status).toBe(202);
    expect(defaulted.body.device).toBe(SECOND_DEVICE);
    expect((await single.runs.list()).map((run) => run.device)).toEqual([SECOND_DEVICE]);

    const f = createApiFixture({ devices: [DEVICE, SECOND_DEVICE] });

    const res = await post(f.app, { action: 'store' });

    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_REQUEST');
    expect(res.body.error.message).toContain(DEVICE);
    expect(res.body.error.message).toContain(SECOND_DEVICE);
    expect(await f.runs.list()).toEqual([]);

    const named = await post(f.app, { action: 'store', device: SECOND_DEVICE });
    expect(named.status).toBe(202);
    expect(named.body.device).toBe(SECOND_DEVICE);
  });

  const refused: Array<[string, unknown, number, string, RegExp]> = [
    ['a wrong type for action', { action: 5 }, 400, 'INVALID_REQUEST', /^invalid request body: action: /],
    ['an unknown action', { action: 'burn' }, 400, 'INVALID_REQUEST', /action: .*store/],
    ['a missing action', {}, 400, 'INVALID_REQUEST', /action: /],
    ['a wrong type for full', { action: 'store', full: 'yes' }, 400, 'INVALID_REQUEST', /full: .*boolean/],
    ['an unknown field', { action: 'store', ful: true }, 400, 'INVALID_REQUEST', /"ful"/],
    [
      'an impossible date',
      { action: 'store', today: '2026-02-30' },
      400,
      'INVALID_REQUEST',
      /today: must be a real calendar date/,
    ],
    ['a date in the wrong form', { action: 'store', today: '26/11/2026' }, 400, 'INVALID_REQUEST', /today: /],
    [
      'an impossible day to verify',
      { action: 'verify', days: ['2026-02-30'] },
      400,
      'INVALID_REQUEST',
      /days\.0: must be a real calendar date/,
    ],
    [
      'a day named twice',
      { action: 'verify', days: [TODAY, TODAY] },
      400,
      'INVALID_REQUEST',
      /days: must not name a day twice/,
    ],
    [
      'a device that is not agent/device',
      { action: 'store', device: '../etc' },
      400,
      'INVALID_REQUEST',
      /device: must be "agent\/device"/,
    ],
    [
      'an unknown device',
      { action: 'store', device: 'burner-9/dvd0' },
      404,
      'DEVICE_UNKNOWN',
      /no device "burner-9\/dvd0".*burner-1\/dvd0/,
    ],
    [
      'an option the action does not take',
      { action: 'verify', days: [TODAY], full: true },
      400,
      'INVALID_REQUEST',
      /full: only a store takes it/,
    ],
    ['a verify without days', { action: 'verify' }, 400, 'INVALID_REQUEST', /days: verify needs/],
    [
      'a dry run of an action that has no plan',
      { action: 'initialize', dryRun: true },
      400,
      'INVALID_REQUEST',
      /dryRun: only store and rebuild take it/,
    ],
    ['a dryRun that is not a boolean', { action: 'store', dryRun: 'yes' }, 400, 'INVALID_REQUEST', /dryRun/],
    ['an array instead of an object', [{ action: 'store' }], 400, 'INVALID_REQUEST', /\(root\): .*object/],
    [
      'a restore target that climbs out of restoreRoot',
      { action: 'restore', day: TODAY, target: '../x' },
      400,
      'INVALID_REQUEST',
      /target: holds "\/": it must be one directory name/,
    ],
    [
      'a restore target of two components',
      { action: 'restore', day: TODAY, target: 'a/b' },
      400,
      'INVALID_REQUEST',
      /target: holds "\/"/,
    ],
    ['a restore without a target', { action: 'restore', day: TODAY }, 400, 'INVALID_REQUEST', /target: restore needs/],
    [
      'a restore with a bad glob',
      { action: 'restore', day: TODAY, target: 'x', paths: ['docs/[abc'] },
      400,
      'INVALID_REQUEST',
      /has no closing "\]"/,
    ],
    ['a restore without a day', { action: 'restore', target: 'x' }, 400, 'INVALID_REQUEST', /day: restore needs/],
    [
      'a restore option on another action',
      { action: 'store', target: 'x' },
      400,
      'INVALID_REQUEST',
      /target: only restore takes it, not store/,
    ],
    [
      'a day on an audit',
      { action: 'audit', day: TODAY },
      400,
      'INVALID_REQUEST',
      /day: only restore takes it, not audit/,
    ],
  ];

  it.each(refused)('refuses %s and creates no run', async (_case, body, status, code, message) => {
    const f = createApiFixture();
    const res = await post(f.app, body);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.message).toMatch(message);
    expect(await f.runs.list()).toEqual([]);
    expect((await request(f.app).get('/api/v1/runs').set(AUTH)).body.runs).toEqual([]);
  });

  it('refuses malformed JSON with 400 and creates no run', async () => {
    const f = createApiFixture();
    const res = await request(f.app)
      .post('/api/v1/runs')
      .set(AUTH)
      .set('Content-Type', 'application/json')
      .send('{"action": "store",');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: 'INVALID_REQUEST',
      message: expect.stringMatching(/^malformed JSON body/),
    });
    expect(await f.runs.list()).toEqual([]);
  });

  it('refuses a JSON scalar body (strict JSON) and creates no run', async () => {
    const f = createApiFixture();
    const res = await request(f.app)
      .post('/api/v1/runs')
      .set(AUTH)
      .set('Content-Type', 'application/json')
      .send('"store"');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_REQUEST');
    expect(await f.runs.list()).toEqual([]);
  });

  it('refuses a body that is not JSON with 415 and creates no run', async () => {
    const f = createApiFixture();
    const res = await request(f.app)
      .post('/api/v1/runs')
      .set(AUTH)
      .set('Content-Type', 'text/plain')
      .send('action=store');
    expect(res.status).toBe(415);
    expect(res.body.error).toMatchObject({
      code: 'INVALID_REQUEST',
      message: expect.stringContaining('application/json'),
    });
    expect(await f.runs.list()).toEqual([]);
  });

  it('refuses a request without a body and creates no run', async () => {
    const f = createApiFixture();
    const res = await request(f.app).post('/api/v1/runs').set(AUTH);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/needs a JSON body/);
    expect(await f.runs.list()).toEqual([]);
  });

  it('refuses a body over 1 MiB with 413 and creates no run', async () => {
    const f = createApiFixture();
    const res = await post(f.app, { action: 'store', padding: 'x'.repeat(1024 * 1024) });
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({
      code: 'INVALID_REQUEST',
      message: expect.stringMatching(/too large.*1 MiB/),
    });
    expect(await f.runs.list()).toEqual([]);
  });

  it('refuses query parameters it does not know and creates no run', async () => {
    const f = createApiFixture();
    const res = await request(f.app).post('/api/v1/runs?force=1').set(AUTH).send({ action: 'store' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^invalid request query: .*"force"/);
    expect(await f.runs.list()).toEqual([]);
  });
});

describe('GET /api/v1/runs', () => {
  /** Three runs, submitted in this order; returns the fixture and the run ids oldest first. */
  async function threeRuns() {
    const f = createApiFixture({ devices: [DEVICE, SECOND_DEVICE] });
    const submitted: string[] = [];
    for (const device of [DEVICE, SECOND_DEVICE, DEVICE]) {
      const res = await post(f.app, { action: 'initialize', device });
      expect(res.status).toBe(202);
      submitted.push(res.body.id as string);
    }
    await f.coordinator.drain();
    return { f, submitted };
  }

  const ids = (body: { runs: Array<{ id: string }> }) => body.runs.map((run) => run.id);

  it('lists runs newest first, filtered by status and device, limited', async () => {
    const { f, submitted } = await threeRuns();
    const newestFirst = [...submitted].reverse();

    const all = await request(f.app).get('/api/v1/runs').set(AUTH);
    expect(all.status).toBe(200);
    expect(ids(all.body)).toEqual(newestFirst);

    const onOne = await request(f.app)
      .get('/api/v1/runs')
      .query({ device: SECOND_DEVICE, status: 'succeeded' })
      .set(AUTH);
    expect(ids(onOne.body)).toEqual([submitted[1]]);
    expect(onOne.body.runs[0]).toMatchObject({ device: SECOND_DEVICE, status: 'succeeded' });

    const onFirst = await request(f.app).get('/api/v1/runs').query({ device: DEVICE }).set(AUTH);
    expect(ids(onFirst.body)).toEqual([submitted[2], submitted[0]]);

    const limited = await request(f.app).get('/api/v1/runs?limit=2').set(AUTH);
    expect(limited.status).toBe(200);
    expect(ids(limited.body)).toEqual(newestFirst.slice(0, 2));

    const none = await request(f.app).get('/api/v1/runs?status=failed').set(AUTH);
    expect(none.body.runs).toEqual([]);
  });

  it.each([
    ['status=done', /^invalid request query: status: /],
    ['device=nodevice', /^invalid request query: device: must be "agent\/device"/],
    ['limit=0', /limit: .*>=1/],
    ['limit=1001', /limit: .*<=1000/],
    ['limit=abc', /limit: /],
    ['limit=1.5', /limit: /],
    ['status=queued&status=running', /status: /],
    ['page=2', /"page"/],
  ])('refuses ?%s with 400 naming the parameter', async (query, message) => {
    const f = createApiFixture();
    const res = await request(f.app).get(`/api/v1/runs?${query}`).set(AUTH);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_REQUEST');
    expect(res.body.error.message).toMatch(message);
  });
});

describe('GET /api/v1/runs/:id', () => {
  it('answers 404 naming an unknown run', async () => {
    const f = createApiFixture();
    const res = await request(f.app).get('/api/v1/runs/4b1e2c3d-0000-4000-8000-000000000000').set(AUTH);
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({
      code: 'INVALID_REQUEST',
      message: expect.stringMatching(/^no run 4b1e2c3d-0000-4000-8000-000000000000/),
    });
  });

  it.each([
    ['a path trick', '..%2F..%2Fetc'],
    ['forbidden characters', 'run%20id%3B'],
    ['an over-long id', 'a'.repeat(101)],
    ['a malformed escape', '%E0%A4%A'],
  ])('refuses %s in the id with 400', async (_case, id) => {
    const f = createApiFixture();
    const res = await request(f.app).get(`/api/v1/runs/${id}`).set(AUTH);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: 'INVALID_REQUEST',
      message: expect.stringMatching(/^invalid request path: /),
    });
  });
});

describe('POST /api/v1/runs/:id/cancel', () => {
  it('cancels a queued run, which then never runs, while the run ahead of it finishes', async () => {
    const f = createApiFixture();
    f.device().staging.addDay(TODAY, { a: 'x' });
    const hold = gate();
    f.device().drive.holdNext('write', hold.promise);
    const first = await post(f.app, { action: 'store' });
    const second = await post(f.app, { action: 'store' });
    await until(() => f.device().drive.operations.includes('write'));

    const res = await request(f.app).post(`/api/v1/runs/${second.body.id}/cancel`).set(AUTH);

    expect(res.status).toBe(200);
    expect(res.body.outcome).toBe('cancelled');
    expect(res.body.run).toMatchObject({ id: second.body.id, status: 'cancelled' });
    hold.open();
    await f.coordinator.drain();
    expect((await f.runs.get(first.body.id))?.status).toBe('succeeded');
    const cancelled = await f.runs.get(second.body.id);
    expect(cancelled?.status).toBe('cancelled');
    expect(cancelled?.startedAt).toBeUndefined();
    expect((await f.runs.events(second.body.id)).map((event) => event.type)).toEqual(['finished']);
    expect(f.device().drive.operations.filter((operation) => operation === 'write')).toHaveLength(1);
  });

  it('asks a running run to stop at its next step, before it writes anything', async () => {
    const f = createApiFixture();
    f.device().staging.addDay(TODAY, { a: 'x' });
    const hold = gate();
    f.device().drive.holdNext('estimate', hold.promise);
    const run = await post(f.app, { action: 'store' });
    await until(() => f.device().drive.operations.includes('estimate'));

    const res = await request(f.app).post(`/api/v1/runs/${run.body.id}/cancel`).set(AUTH);

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ outcome: 'requested', run: { id: run.body.id, status: 'running' } });
    hold.open();
    await f.coordinator.drain();
    expect((await f.runs.get(run.body.id))?.status).toBe('cancelled');
    expect(f.device().drive.operations).not.toContain('write');
  });

  it('answers 409 for a run that already finished, and 404 for an unknown one', async () => {
    const f = createApiFixture();
    const run = await post(f.app, { action: 'initialize' });
    await f.coordinator.drain();

    const finished = await request(f.app).post(`/api/v1/runs/${run.body.id}/cancel`).set(AUTH);
    expect(finished.status).toBe(409);
    expect(finished.body.error).toMatchObject({
      code: 'INVALID_REQUEST',
      message: expect.stringMatching(/already finished \(succeeded\)/),
    });

    const unknown = await request(f.app).post('/api/v1/runs/no-such-run/cancel').set(AUTH);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toMatch(/^no run no-such-run/);
  });

  it('refuses a cancel body with fields in it, leaving the run queued', async () => {
    const f = createApiFixture();
    const hold = gate();
    f.device().drive.holdNext('initialize', hold.promise);
    await post(f.app, { action: 'initialize' });
    const queued = await post(f.app, { action: 'initialize' });

    const res = await request(f.app).post(`/api/v1/runs/${queued.body.id}/cancel`).set(AUTH).send({ force: true });

    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/unknown field "force" \(takes no fields\)/);
    const notJson = await request(f.app)
      .post(`/api/v1/runs/${queued.body.id}/cancel`)
      .set(AUTH)
      .set('Content-Type', 'text/plain')
      .send('now');
    expect(notJson.status).toBe(415);
    expect((await f.runs.get(queued.body.id))?.status).toBe('queued');
    hold.open();
    await f.coordinator.drain();
  });
});
