/** runs, media, devices and cancel through the whole CLI, against the fake controller. */
import { describe, expect, it } from 'vitest';
import { DevicesResponseSchema, MediaCatalogResponseSchema, RunListSchema } from '../http/schemas.js';
import { cli, DEVICE, fake, withToken } from './testing/fake-controller.js';

describe('runs, media, devices, cancel', () => {
  it('runs prints a table, passes its filters, and --json the answer as is', async () => {
    const server = await fake();
    const table = await cli([
      'runs',
      '--status',
      'failed',
      '--device',
      DEVICE,
      '--limit',
      '5',
      ...withToken(server.url),
    ]);
    expect(table.code).toBe(0);
    expect(Object.fromEntries(server.requests[0]!.query)).toEqual({ status: 'failed', device: DEVICE, limit: '5' });
    expect(table.stdout).toMatch(/^ID +ACTION +DEVICE +STATUS +REQUESTED +TOOK +DAYS +RESULT$/m);
    expect(table.stdout).toMatch(
      /^run-old +store +burner-1\/dvd0 +failed .* 3m 12s +2025-02-04 +WRITE_FAILED: xorriso/m,
    );
    const json = await cli(['runs', '--json', ...withToken(server.url)]);
    expect(RunListSchema.parse(JSON.parse(json.stdout))).toMatchObject({ runs: [{ id: 'run-old' }] });
  });

  it('runs and media still accept bare lists, though the controller sends { runs } and { discs }', async () => {
    const server = await fake({ bareLists: true });
    const runs = await cli(['runs', ...withToken(server.url)]);
    expect(runs.code).toBe(0);
    expect(runs.stdout).toContain('run-old');
    const media = await cli(['media', ...withToken(server.url)]);
    expect(media.code).toBe(0);
    expect(media.stdout).toContain('CEDAR BACKUP 03-FEB-2025  on burner-1/dvd0');
  });

  it('runs RUN_ID shows the summary, and --follow waits for the run', async () => {
    const server = await fake();
    await cli(['store', '--no-wait', ...withToken(server.url)]);
    const shown = await cli(['runs', 'run-1', ...withToken(server.url)]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('Run run-1: store on burner-1/dvd0, queued');
    const followed = await cli(['runs', 'run-1', '--follow', '--json', '-q', ...withToken(server.url)]);
    expect(followed.code).toBe(0);
    expect(JSON.parse(followed.stdout)).toMatchObject({ id: 'run-1', status: 'succeeded' });
    const unknown = await cli(['runs', 'run-404', ...withToken(server.url)]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('RUN_UNKNOWN: no run run-404\n');
  });

  it('media lists each disc with its sessions', async () => {
    const server = await fake();
    const result = await cli(['media', ...withToken(server.url)]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('CEDAR BACKUP 03-FEB-2025  on burner-1/dvd0');
    expect(result.stdout).toContain('2 sessions, 1.32 GiB');
    expect(result.stdout).toMatch(/CEDAR BACKUP 04-FEB-2025 +no +2025-02-04 +650 MiB/);
    const json = await cli(['media', '--json', ...withToken(server.url)]);
    expect(MediaCatalogResponseSchema.parse(JSON.parse(json.stdout)).discs).toHaveLength(1);
  });

  it('devices lists devices and agents', async () => {
    const server = await fake();
    const result = await cli(['devices', ...withToken(server.url)]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^burner-1\/dvd0 +virtual +dvd\+rw +yes +busy \(run run-7\) +2$/m);
    expect(result.stdout).toMatch(/^burner-1 +connected +0\.1\.0 +ws:\/\/127\.0\.0\.1:7701\/rpc/m);
    const json = await cli(['devices', '--json', ...withToken(server.url)]);
    expect(DevicesResponseSchema.parse(JSON.parse(json.stdout))).toMatchObject({
      devices: [{ ref: DEVICE, activity: 'busy', activeRun: 'run-7', queued: 2 }],
    });
  });

  it('cancel cancels a run', async () => {
    const server = await fake();
    await cli(['store', '--no-wait', ...withToken(server.url)]);
    const result = await cli(['cancel', 'run-1', ...withToken(server.url)]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('run run-1 cancelled\n');
    expect(server.requests.at(-1)).toMatchObject({ method: 'POST', path: '/api/v1/runs/run-1/cancel' });
  });

  it('cancel of a run that already finished says so and exits 0: nothing was wrong, nothing changed', async () => {
    const server = await fake();
    await cli(['store', '--no-wait', ...withToken(server.url)]);
    expect((await cli(['cancel', 'run-1', ...withToken(server.url)])).code).toBe(0);
    const again = await cli(['cancel', 'run-1', ...withToken(server.url)]);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('run run-1 had already finished (cancelled): nothing to cancel\n');
    const json = await cli(['cancel', 'run-1', '--json', ...withToken(server.url)]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ outcome: 'finished', run: { id: 'run-1', status: 'cancelled' } });
  });
});
