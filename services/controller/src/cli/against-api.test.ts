import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DevicesResponseSchema,
  MediaCatalogResponseSchema,
  RunListSchema,
  RunResponseSchema,
} from '../http/schemas.js';
import { API_TOKEN, DEVICE, TODAY, createApiFixture, gate, until } from '../testing/api-fixture.js';
import type { CliEnvironment } from './environment.js';
import { runCli } from './run-cli.js';
import { FAST_CLIENT_SETTINGS } from '../testing/cli-settings.js';

/*
 * The CLI against the real controller app (routes, schemas, coordinator and executor over
 * in-memory adapters) on a real socket: what program.test.ts's fake controller cannot
 * prove, that the CLI reads the answers the controller actually sends.
 */

type Fixture = ReturnType<typeof createApiFixture>;

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

/** A fixture with TODAY staged, its app listening on 127.0.0.1. */
async function controller(): Promise<{ f: Fixture; url: string }> {
  const f = createApiFixture();
  f.device().staging.addDay(TODAY, { 'etc/hosts': '127.0.0.1 localhost\n', 'var/log/messages': 'boot\n' });
  const server = f.app.listen(0, '127.0.0.1');
  servers.push(server);
  await once(server, 'listening');
  return { f, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const env: CliEnvironment = {
    stdout: { write: (chunk: string) => out.push(chunk), isTTY: false, columns: 100 },
    stderr: { write: (chunk: string) => err.push(chunk), isTTY: false, columns: 100 },
    env: {},
    serverCommands: { controller: async () => 0, local: async () => 0 },
    settings: FAST_CLIENT_SETTINGS,
  };
  const code = await runCli(argv, env);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

const withToken = (url: string, token = API_TOKEN): string[] => ['--url', url, '--token', token];

/** Runs one store through the CLI and hands back the run the controller recorded. */
async function storeOnce(url: string) {
  const stored = await cli(['store', '--json', '-q', ...withToken(url)]);
  expect(stored.code).toBe(0);
  return RunResponseSchema.parse(JSON.parse(stored.stdout));
}

describe('the CLI against the real controller API', () => {
  it('store waits for the run, logs its steps and exits 0 with a summary', async () => {
    const { f, url } = await controller();
    const result = await cli(['store', ...withToken(url)]);
    expect(result.stderr).not.toMatch(/error|does not answer like/);
    expect(result.code).toBe(0);
    const [run] = await f.runs.list();
    expect(run).toMatchObject({ action: 'store', device: DEVICE, status: 'succeeded' });
    expect(result.stderr).toMatch(/Z select: finished in \d+ ms$/m);
    expect(result.stderr).toMatch(new RegExp(`Z run ${run!.id} succeeded$`, 'm'));
    expect(result.stdout).toContain(`Run ${run!.id}: store on ${DEVICE}, succeeded`);
    expect(result.stdout).toMatch(new RegExp(`^ {2}Days {8}${TODAY}\\b`, 'm'));
    expect(result.stdout).toMatch(/^ {2}Verify {6}ok: 2 files/m);
    expect(f.device().staging.isStored(TODAY)).toBe(true);
  });

  it('store --json prints only the final run, as GET /runs/:id answers it', async () => {
    const { f, url } = await controller();
    const result = await cli(['store', '--json', ...withToken(url)]);
    expect(result.code).toBe(0);
    const printed = RunResponseSchema.parse(JSON.parse(result.stdout));
    expect(printed).toMatchObject({ action: 'store', status: 'succeeded', selection: { days: [TODAY] } });
    expect(printed).toEqual(await f.runs.get(printed.id));
  });

  it('media prints each disc with its sessions, and --json the { discs } answer', async () => {
    const { url } = await controller();
    const run = await storeOnce(url);
    const table = await cli(['media', ...withToken(url)]);
    expect(table.stderr).toBe('');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`^${run.image!.label}  on ${DEVICE}, started .*, 1 session, `, 'm'));
    expect(table.stdout).toMatch(/^ {2}SESSION LABEL +NEW DISC +DAYS +BYTES +WRITTEN +VERIFIED +RUN$/m);
    // The store read the disc back, so the session says it was verified.
    expect(table.stdout).toMatch(new RegExp(`^  ${run.image!.label} +(yes|no) +${TODAY} +.* yes +${run.id}$`, 'm'));
    const json = await cli(['media', '--json', ...withToken(url)]);
    expect(json.code).toBe(0);
    const answer = MediaCatalogResponseSchema.parse(JSON.parse(json.stdout));
    expect(answer.discs).toHaveLength(1);
    expect(answer.discs[0]!.sessions[0]).toMatchObject({ device: DEVICE, days: [TODAY], runId: run.id });
  });

  it('media says so when the catalog is empty', async () => {
    const { url } = await controller();
    const result = await cli(['media', ...withToken(url)]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('No disc in the catalog yet.\n');
  });

  it('runs prints a table, and --json the { runs } answer', async () => {
    const { url } = await controller();
    const run = await storeOnce(url);
    const table = await cli(['runs', '--status', 'succeeded', '--device', DEVICE, ...withToken(url)]);
    expect(table.stderr).toBe('');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ID +ACTION +DEVICE +STATUS +REQUESTED +TOOK +DAYS +RESULT$/m);
    expect(table.stdout).toMatch(
      new RegExp(`^${run.id} +store +burner-1/dvd0 +succeeded .* ${TODAY} +.*verified`, 'm'),
    );
    const json = await cli(['runs', '--json', '--limit', '5', ...withToken(url)]);
    expect(json.code).toBe(0);
    expect(RunListSchema.parse(JSON.parse(json.stdout)).runs.map((listed) => listed.id)).toEqual([run.id]);
  });

  it('devices prints devices and agents, busy with its run and queue, and --json the answer', async () => {
    const { f, url } = await controller();
    const hold = gate();
    f.device().drive.holdNext('initialize', hold.promise);
    const active = await f.coordinator.submit({ action: 'initialize' });
    await f.coordinator.submit({ action: 'initialize' });
    await until(() => f.device().drive.operations.includes('initialize'));

    const table = await cli(['devices', ...withToken(url)]);
    expect(table.stderr).toBe('');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^DEVICE +BACKEND +MEDIA +CONNECTED +STATE +QUEUED$/m);
    expect(table.stdout).toMatch(
      new RegExp(`^burner-1/dvd0 +virtual +dvd\\+rw +yes +busy \\(run ${active.id}\\) +1$`, 'm'),
    );
    expect(table.stdout).toMatch(/^burner-1 +connected +/m);
    const json = await cli(['devices', '--json', ...withToken(url)]);
    expect(json.code).toBe(0);
    expect(DevicesResponseSchema.parse(JSON.parse(json.stdout))).toMatchObject({
      agents: [{ id: 'burner-1', state: 'connected' }],
      devices: [{ ref: DEVICE, activity: 'busy', activeRun: active.id, queued: 1 }],
    });

    hold.open();
    await f.coordinator.drain();
    const idle = await cli(['devices', ...withToken(url)]);
    expect(idle.stdout).toMatch(/^burner-1\/dvd0 +virtual +dvd\+rw +yes +idle +0$/m);
  });

  it('verify --day on an unknown device exits 2 with DEVICE_UNKNOWN', async () => {
    const { f, url } = await controller();
    const result = await cli(['verify', '--day', TODAY, '--device', 'burner-9/dvd0', ...withToken(url)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^DEVICE_UNKNOWN: no device "burner-9\/dvd0".*burner-1\/dvd0/);
    expect(result.stdout).toBe('');
    expect(await f.runs.list()).toEqual([]);
  });

  it('a wrong token exits 3 and says the token was refused', async () => {
    const { f, url } = await controller();
    const result = await cli(['store', ...withToken(url, 'not-the-token')]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`the controller at ${url} refused the token`);
    expect(result.stdout).toBe('');
    expect(await f.runs.list()).toEqual([]);
  });
});
