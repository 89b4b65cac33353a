import { once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Run, RunEventBody } from '@cedar-store/ports';
import { afterEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  CancelResponseSchema,
  DevicesResponseSchema,
  ErrorBodySchema,
  MediaCatalogResponseSchema,
  RunEventMessageSchema,
  RunListSchema,
  RunResponseSchema,
} from '../http/schemas.js';
import type { CliEnvironment } from './environment.js';
import { runCli } from './program.js';
import { FAST_CLIENT_SETTINGS } from '../testing/cli-settings.js';

/** Every command docs/cli.md lists, plus cancel and import-config. */
const COMMANDS = [
  'store',
  'rebuild',
  'initialize',
  'verify',
  'runs',
  'media',
  'devices',
  'cancel',
  'controller',
  'local',
  'import-config',
];

/*
 * The whole CLI against a small fake controller speaking the HTTP API (docs/http-api.md) over a real socket:
 * bearer token, `{ error: { code, message } }`, 202 on submit, and an SSE event stream that
 * honours Last-Event-ID and ends after `finished`. Every answer it sends is parsed with the
 * real API's response schema first, so its shapes cannot drift from the controller's; the
 * faults it can inject (dropped streams, stalls) are what the real app cannot easily do.
 * against-api.test.ts runs the CLI against the real app.
 */

const TOKEN = 'test-token';
const DEVICE = 'burner-1/dvd0';

type Recorded = {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: unknown;
};

type FakeOptions = {
  outcome?: 'succeeded' | 'failed';
  /** The first event stream breaks after this many events (the next ones resume). */
  dropAfter?: number;
  /** Events are spaced out so progress arrives as it would live. */
  eventDelayMs?: number;
  /**
   * Answer GET /runs and GET /media with bare arrays instead of `{ runs }` and `{ discs }`:
   * not what the controller sends, but what the CLI still accepts.
   */
  bareLists?: boolean;
  /** No event stream at all: the route answers 404. */
  noEvents?: boolean;
  /** The first event stream goes silent (open, no bytes) after this many events. */
  stallAfter?: number;
  /** The whole controller goes away after this many events of the first stream. */
  goAwayAfter?: number;
  /** The stream ends without the finished event, though the run has finished. */
  omitFinished?: boolean;
};

type Fake = { url: string; requests: Recorded[]; eventRequests: Recorded[]; close(): Promise<void> };

const GiB = 1024 ** 3;
const gib = (count: number): number => Math.round(count * GiB);

function queuedRun(id: string, body: Record<string, unknown>): Run {
  const options: Run['options'] = {};
  if (typeof body.full === 'boolean') options.full = body.full;
  if (typeof body.today === 'string') options.today = body.today;
  if (Array.isArray(body.days)) options.days = body.days as string[];
  return {
    id,
    action: body.action as Run['action'],
    device: typeof body.device === 'string' ? body.device : DEVICE,
    status: 'queued',
    requestedAt: '2025-02-05T01:30:00.000Z',
    options,
    warnings: [],
  };
}

function finalRun(run: Run, outcome: 'succeeded' | 'failed'): Run {
  const base: Run = {
    ...run,
    status: outcome,
    startedAt: '2025-02-05T01:30:01.000Z',
    finishedAt: '2025-02-05T01:33:13.000Z',
    selection: { today: '2025-02-05', days: ['2025-02-04'], rule: 'yesterday', crossedMidnight: true },
    blanking: {
      newDisc: true,
      rule: 'factor',
      ratio: 1.08,
      factor: 1.3,
      mode: 'daily',
      availableBytes: gib(1.1),
      requiredBytes: gib(1.02),
    },
    image: { label: 'CEDAR BACKUP 04-FEB-2025', estimatedBytes: gib(1.02), availableBytes: gib(4.38) },
    warnings: [{ code: 'MIDNIGHT_CROSSED', message: 'midnight was crossed: 2025-02-04 was written' }],
  };
  if (outcome === 'failed') {
    return { ...base, error: { code: 'WRITE_FAILED', message: 'xorriso failed: SCSI error on write' } };
  }
  return {
    ...base,
    write: { bytesWritten: gib(1.02), sessions: 1, durationMs: 160_000 },
    verify: { ok: true, method: 'fuseiso', filesCompared: 1234, bytesCompared: gib(1.02), mismatches: [] },
  };
}

function runEvents(outcome: 'succeeded' | 'failed'): RunEventBody[] {
  const total = gib(1.02);
  const events: RunEventBody[] = [
    { type: 'step', step: 'select', state: 'started' },
    { type: 'step', step: 'select', state: 'finished', durationMs: 12 },
    { type: 'warning', code: 'MIDNIGHT_CROSSED', message: 'midnight was crossed: 2025-02-04 was written' },
    { type: 'step', step: 'write', state: 'started' },
  ];
  for (const fraction of [0, 0.25, 0.5, 0.75, 1]) {
    events.push({
      type: 'progress',
      phase: 'write',
      bytesDone: Math.round(total * fraction),
      bytesTotal: Math.round(total),
    });
  }
  if (outcome === 'failed') {
    events.push({ type: 'step', step: 'write', state: 'failed', durationMs: 2000, detail: 'WRITE_FAILED: SCSI error' });
    events.push({
      type: 'finished',
      status: 'failed',
      error: { code: 'WRITE_FAILED', message: 'xorriso failed: SCSI error on write' },
    });
  } else {
    events.push({ type: 'step', step: 'write', state: 'finished', durationMs: 160_000 });
    events.push({ type: 'finished', status: 'succeeded' });
  }
  return events;
}

async function startFake(options: FakeOptions = {}): Promise<Fake> {
  const outcome = options.outcome ?? 'succeeded';
  const requests: Recorded[] = [];
  const eventRequests: Recorded[] = [];
  const runs = new Map<string, Run>();
  let nextId = 1;
  let streamsOpened = 0;

  /** Sends `body` as the real API would: it must parse with the real response schema. */
  const send = <S extends z.ZodType>(res: ServerResponse, status: number, schema: S, body: z.input<S>): void => {
    const parsed = schema.parse(body);
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(parsed));
  };
  const refuse = (res: ServerResponse, status: number, code: string, message: string): void =>
    send(res, status, ErrorBodySchema, { error: { code, message } });

  const streamEvents = async (run: Run, req: IncomingMessage, res: ServerResponse): Promise<void> => {
    streamsOpened += 1;
    const after = Number(req.headers['last-event-id'] ?? 0);
    const all = runEvents(outcome);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write(': stream open\n\n');
    let sent = 0;
    for (const [index, body] of all.entries()) {
      const seq = index + 1;
      if (seq <= after) continue;
      if (options.dropAfter !== undefined && streamsOpened === 1 && sent === options.dropAfter) {
        // Let what was written reach the client first, as a connection cut between two events would.
        await new Promise((resolve) => setTimeout(resolve, 30));
        res.socket?.destroy();
        return;
      }
      if (options.stallAfter !== undefined && streamsOpened === 1 && sent === options.stallAfter) return;
      if (options.goAwayAfter !== undefined && sent === options.goAwayAfter) {
        await new Promise((resolve) => setTimeout(resolve, 30));
        server.close();
        server.closeAllConnections();
        return;
      }
      if (body.type === 'finished') runs.set(run.id, finalRun(run, outcome));
      else runs.set(run.id, { ...run, status: 'running', startedAt: '2025-02-05T01:30:01.000Z' });
      if (body.type === 'finished' && options.omitFinished) break;
      const event = RunEventMessageSchema.parse({ ...body, runId: run.id, seq, at: new Date().toISOString() });
      res.write(`id: ${seq}\nevent: ${body.type}\ndata: ${JSON.stringify(event)}\n\n`);
      sent += 1;
      if (options.eventDelayMs) await new Promise((resolve) => setTimeout(resolve, options.eventDelayMs));
    }
    res.end();
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const recorded: Recorded = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: text ? (JSON.parse(text) as unknown) : undefined,
    };
    requests.push(recorded);
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      return refuse(res, 401, 'UNAUTHORIZED', 'missing or wrong bearer token');
    }
    const parts = url.pathname.split('/').filter(Boolean);
    if (parts[0] !== 'api' || parts[1] !== 'v1') return refuse(res, 404, 'NOT_FOUND', 'no such route');
    const [resource, id, sub] = parts.slice(2);
    if (resource === 'runs' && req.method === 'POST' && id === undefined) {
      const body = recorded.body as Record<string, unknown>;
      if (body.device === 'burner-9/cd0') return refuse(res, 404, 'DEVICE_UNKNOWN', 'no device "burner-9/cd0"');
      if (body.device === 'burner-1/busy') return refuse(res, 409, 'DEVICE_BUSY', 'the device is busy');
      const run = queuedRun(`run-${nextId++}`, body);
      runs.set(run.id, run);
      return send(res, 202, RunResponseSchema, run);
    }
    if (resource === 'runs' && req.method === 'GET' && id === undefined) {
      let list = [...runs.values()];
      if (list.length === 0) list = [finalRun(queuedRun('run-old', { action: 'store' }), 'failed')];
      if (options.bareLists) return send(res, 200, RunListSchema.shape.runs, list);
      return send(res, 200, RunListSchema, { runs: list });
    }
    const run = id === undefined ? undefined : runs.get(id);
    if (resource === 'runs' && !run) return refuse(res, 404, 'RUN_UNKNOWN', `no run ${id}`);
    if (resource === 'runs' && run && sub === 'events') {
      eventRequests.push(recorded);
      if (options.noEvents) return refuse(res, 404, 'NOT_FOUND', 'no such route');
      return streamEvents(run, req, res);
    }
    if (resource === 'runs' && run && sub === 'cancel' && req.method === 'POST') {
      if (run.status === 'succeeded' || run.status === 'failed' || run.status === 'cancelled') {
        return refuse(
          res,
          409,
          'INVALID_REQUEST',
          `run ${run.id} already finished (${run.status}): there is nothing to cancel`,
        );
      }
      const cancelled: Run = { ...run, status: 'cancelled', finishedAt: '2025-02-05T01:31:00.000Z' };
      runs.set(run.id, cancelled);
      return send(res, 200, CancelResponseSchema, { outcome: 'cancelled', run: cancelled });
    }
    if (resource === 'runs' && run && sub === undefined) {
      // Without a stream, the run ends after a couple of reads: polling must still see it finish.
      if (options.noEvents && run.status !== 'succeeded') {
        const reads = requests.filter((r) => r.path === url.pathname).length;
        if (reads >= 2) runs.set(run.id, finalRun(run, 'succeeded'));
      }
      return send(res, 200, RunResponseSchema, runs.get(run.id)!);
    }
    if (resource === 'devices') {
      return send(res, 200, DevicesResponseSchema, {
        agents: [{ id: 'burner-1', url: 'ws://127.0.0.1:7701/rpc', state: 'connected', version: '0.1.0' }],
        devices: [
          {
            ref: DEVICE,
            agent: 'burner-1',
            device: 'dvd0',
            backend: 'virtual',
            mediaType: 'dvd+rw',
            connected: true,
            activity: 'busy',
            activeRun: 'run-7',
            queued: 2,
          },
        ],
      });
    }
    if (resource === 'media') {
      const discs: z.input<typeof MediaCatalogResponseSchema>['discs'] = [
        {
          label: 'CEDAR BACKUP 03-FEB-2025',
          device: DEVICE,
          startedAt: '2025-02-03T01:30:00.000Z',
          sessions: [
            {
              device: DEVICE,
              discLabel: 'CEDAR BACKUP 03-FEB-2025',
              sessionLabel: 'CEDAR BACKUP 03-FEB-2025',
              newDisc: true,
              days: ['2025-02-03'],
              bytes: 700 * 1024 ** 2,
              runId: 'run-3',
              writtenAt: '2025-02-03T01:35:00.000Z',
            },
            {
              device: DEVICE,
              discLabel: 'CEDAR BACKUP 03-FEB-2025',
              sessionLabel: 'CEDAR BACKUP 04-FEB-2025',
              newDisc: false,
              days: ['2025-02-04'],
              bytes: 650 * 1024 ** 2,
              runId: 'run-4',
              writtenAt: '2025-02-04T01:35:00.000Z',
            },
          ],
        },
      ];
      if (options.bareLists) return send(res, 200, MediaCatalogResponseSchema.shape.discs, discs);
      return send(res, 200, MediaCatalogResponseSchema, { discs });
    }
    return refuse(res, 404, 'NOT_FOUND', 'no such route');
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => refuse(res, 500, 'INTERNAL', String(error)));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    eventRequests,
    close: async () => {
      server.closeAllConnections();
      // Already closed by goAwayAfter: the callback then carries an error, which is fine here.
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

class MemoryStream {
  readonly chunks: string[] = [];
  constructor(
    readonly isTTY = false,
    readonly columns = 100,
  ) {}
  write(chunk: string): boolean {
    this.chunks.push(chunk);
    return true;
  }
  get text(): string {
    return this.chunks.join('');
  }
  // What cli-progress calls through node:readline on a terminal.
  cursorTo(): boolean {
    return true;
  }
  moveCursor(): boolean {
    return true;
  }
  clearLine(): boolean {
    return true;
  }
  clearScreenDown(): boolean {
    return true;
  }
}

type Cli = { code: number; stdout: string; stderr: string };

const fakes: Fake[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

async function fake(options?: FakeOptions): Promise<Fake> {
  const started = await startFake(options);
  fakes.push(started);
  return started;
}

async function cli(
  argv: string[],
  processEnv: NodeJS.ProcessEnv = {},
  streams: { stderrTTY?: boolean; settings?: CliEnvironment['settings'] } = {},
): Promise<Cli & { env: CliEnvironment }> {
  const stdout = new MemoryStream();
  const stderr = new MemoryStream(streams.stderrTTY ?? false);
  const env: CliEnvironment = {
    stdout,
    stderr,
    env: processEnv,
    serverCommands: {
      controller: async () => 0,
      local: async () => 0,
    },
    settings: { ...FAST_CLIENT_SETTINGS, ...streams.settings },
  };
  const code = await runCli(argv, env);
  return { code, stdout: stdout.text, stderr: stderr.text, env };
}

const withToken = (url: string): string[] => ['--url', url, '--token', TOKEN];

describe('store', () => {
  it('waits for the run, logs its steps on stderr and prints a summary: exit 0 when it succeeded', async () => {
    const server = await fake();
    const result = await cli(['store', ...withToken(server.url)]);
    expect(result.code).toBe(0);
    expect(server.requests[0]).toMatchObject({ method: 'POST', path: '/api/v1/runs', body: { action: 'store' } });
    expect(result.stderr).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ run run-1: store on burner-1\/dvd0, queued$/m);
    expect(result.stderr).toMatch(/Z select: started$/m);
    expect(result.stderr).toMatch(/Z select: finished in 12 ms$/m);
    expect(result.stderr).toMatch(/Z warning MIDNIGHT_CROSSED: midnight was crossed/m);
    expect(result.stderr).toMatch(/Z write 0% 0 B of 1\.02 GiB/m);
    expect(result.stderr).toMatch(/Z write 50% 522 MiB of 1\.02 GiB/m);
    expect(result.stderr).toMatch(/Z write: finished in 2m 40s$/m);
    expect(result.stderr).toMatch(/Z run run-1 succeeded$/m);
    expect(result.stdout).toContain('Run run-1: store on burner-1/dvd0, succeeded');
    expect(result.stdout).toContain('Days        2025-02-04 (today is 2025-02-05, midnight crossed)');
    expect(result.stdout).toContain("rule yesterday: today's staging day was not ready");
    expect(result.stdout).toContain('Disc        new disc');
    expect(result.stdout).toContain('rule factor: available / (1 + required) = 1.08 <= blank factor 1.3');
    expect(result.stdout).toContain('available 1.10 GiB, required 1.02 GiB');
    expect(result.stdout).toContain('label "CEDAR BACKUP 04-FEB-2025"');
    expect(result.stdout).toContain('ok: 1234 files, 1.02 GiB compared (fuseiso)');
    expect(result.stdout).toContain('MIDNIGHT_CROSSED: midnight was crossed');
    expect(result.stdout).not.toContain('\u001b');
  });

  it('exits 1 when the run failed, with the error code and message on stderr', async () => {
    const server = await fake({ outcome: 'failed' });
    const result = await cli(['store', ...withToken(server.url)]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^WRITE_FAILED: xorriso failed: SCSI error on write$/m);
    expect(result.stderr).toMatch(/Z write: failed after 2\.0 s \(WRITE_FAILED\)$/m);
    expect(result.stderr).toMatch(/Z run run-1 failed$/m);
    // The error's message once, on stderr; the summary names its code.
    expect(result.stderr.match(/xorriso failed/g)).toHaveLength(1);
    expect(result.stdout).toMatch(/^ {2}Error {7}WRITE_FAILED$/m);
    expect(result.stdout).not.toContain('xorriso failed');
  });

  it('--json prints only the final run on stdout, for a success and for a failure', async () => {
    for (const outcome of ['succeeded', 'failed'] as const) {
      const server = await fake({ outcome });
      const result = await cli(['store', '--json', ...withToken(server.url)]);
      expect(result.code).toBe(outcome === 'succeeded' ? 0 : 1);
      expect(result.stdout.endsWith('\n')).toBe(true);
      expect(result.stdout.trim().split('\n')).toHaveLength(1);
      const run = JSON.parse(result.stdout) as Run;
      expect(run).toMatchObject({ id: 'run-1', status: outcome, action: 'store' });
      if (outcome === 'failed') expect(result.stderr.match(/WRITE_FAILED: xorriso failed/g)).toHaveLength(1);
    }
  });

  it('sends --device, --full and --today', async () => {
    const server = await fake();
    const result = await cli([
      'store',
      '--device',
      'burner-1/dvd0',
      '--full',
      '--today',
      '2024-02-29',
      '--quiet',
      ...withToken(server.url),
    ]);
    expect(result.code).toBe(0);
    expect(server.requests[0]!.body).toEqual({
      action: 'store',
      device: 'burner-1/dvd0',
      full: true,
      today: '2024-02-29',
    });
    // --quiet leaves only the run's warning, which cron should mail.
    expect(result.stderr).toBe('warning MIDNIGHT_CROSSED: midnight was crossed: 2025-02-04 was written\n');
  });

  it('--no-wait prints the queued run id and how to follow it, and does not wait', async () => {
    const server = await fake();
    const plain = await cli(['store', '--no-wait', ...withToken(server.url)]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toBe('run-1\n');
    expect(plain.stderr).toContain('cedar-store runs run-1 --follow');
    const json = await cli(['rebuild', '--no-wait', '--json', ...withToken(server.url)]);
    expect(JSON.parse(json.stdout)).toMatchObject({ id: 'run-2', action: 'rebuild', status: 'queued' });
    expect(server.eventRequests).toHaveLength(0);
  });

  it('resumes a dropped event stream with Last-Event-ID and shows every event once', async () => {
    const server = await fake({ dropAfter: 5 });
    const result = await cli(['store', ...withToken(server.url)]);
    expect(result.code).toBe(0);
    expect(server.eventRequests).toHaveLength(2);
    expect(server.eventRequests[0]!.headers['last-event-id']).toBeUndefined();
    expect(server.eventRequests[1]!.headers['last-event-id']).toBe('5');
    expect(result.stderr).toContain('event stream lost');
    expect(result.stderr.match(/write: started/g)).toHaveLength(1);
    expect(result.stderr.match(/select: finished/g)).toHaveLength(1);
    expect(result.stderr).toMatch(/Z run run-1 succeeded$/m);
  });

  it('reconnects a stream that went silent, resuming after the last event', async () => {
    const server = await fake({ stallAfter: 4 });
    const result = await cli(['store', ...withToken(server.url)], {}, { settings: { streamIdleTimeoutMs: 100 } });
    expect(result.code).toBe(0);
    expect(server.eventRequests.map((request) => request.headers['last-event-id'])).toEqual([undefined, '4']);
    expect(result.stderr).toContain('event stream lost (no data for 100 ms)');
    expect(result.stderr.match(/write: started/g)).toHaveLength(1);
  });

  it('reads the run when the stream ends without its finished event', async () => {
    const server = await fake({ omitFinished: true, outcome: 'failed' });
    const result = await cli(['store', ...withToken(server.url)]);
    expect(result.code).toBe(1);
    expect(server.eventRequests).toHaveLength(1);
    expect(result.stderr).toMatch(/Z run run-1: failed$/m);
    expect(result.stderr).toMatch(/^WRITE_FAILED: xorriso failed: SCSI error on write$/m);
  });

  it('gives up with exit 3 when the controller goes away mid-run and stays away', async () => {
    const server = await fake({ goAwayAfter: 3 });
    const result = await cli(['store', '--json', ...withToken(server.url)]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`cannot reach the controller at ${server.url}`);
    expect(result.stderr).toContain('it may still be running: see `cedar-store runs`');
    expect(result.stdout).toBe('');
  });

  it('follows the run by polling when the controller has no event stream', async () => {
    const server = await fake({ noEvents: true });
    const result = await cli(['store', '--json', ...withToken(server.url)]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'succeeded' });
    expect(result.stderr).toContain('following the run by reading it');
  });

  it('draws a progress bar on a terminal, on stderr only', async () => {
    const server = await fake({ eventDelayMs: 5 });
    const result = await cli(['store', ...withToken(server.url)], {}, { stderrTTY: true });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/write +\[[█░]+\] \d+% \| [\d.]+ \w+ of 1\.02 GiB/);
    expect(result.stderr).toContain('select: finished in 12 ms');
    expect(result.stdout).not.toContain('\u001b');
  });
});

describe('verify, rebuild, initialize', () => {
  it('verify sends the days of repeated and comma-listed --day options', async () => {
    const server = await fake();
    const result = await cli([
      'verify',
      '--day',
      '2025-02-03,2025-02-04',
      '--day',
      '2025-02-05',
      '--day',
      '2025-02-03',
      '--quiet',
      ...withToken(server.url),
    ]);
    expect(result.code).toBe(0);
    expect(server.requests[0]!.body).toEqual({ action: 'verify', days: ['2025-02-03', '2025-02-04', '2025-02-05'] });
  });

  it('verify without --day is a usage error', async () => {
    const server = await fake();
    const result = await cli(['verify', ...withToken(server.url)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("required option '--day <YYYY-MM-DD>' not specified");
    expect(server.requests).toHaveLength(0);
  });

  it('rebuild and initialize submit their action', async () => {
    const server = await fake();
    expect((await cli(['rebuild', '--today', '2025-02-03', '-q', ...withToken(server.url)])).code).toBe(0);
    expect((await cli(['initialize', '--device', DEVICE, '-q', ...withToken(server.url)])).code).toBe(0);
    expect(server.requests.filter((r) => r.method === 'POST').map((r) => r.body)).toEqual([
      { action: 'rebuild', today: '2025-02-03' },
      { action: 'initialize', device: DEVICE },
    ]);
  });
});

describe('usage and configuration errors (exit 2)', () => {
  it.each([
    [['store', '--today', '2025-02-30'], '"2025-02-30" is not a real calendar date'],
    [['store', '--today', '5/2/2025'], 'is not a real calendar date'],
    [['verify', '--day', '2025-13-01'], 'is not a real calendar date'],
    [['store', '--device', 'dvd0'], 'write it agent/device'],
    [['runs', '--status', 'done'], 'is not a run status'],
    [['runs', '--limit', '0'], 'is not a positive whole number'],
    [['store', '--frobnicate'], "unknown option '--frobnicate'"],
    [['burn'], "unknown command 'burn'"],
  ])('%j is refused before any request', async (argv, message) => {
    const server = await fake();
    const result = await cli([...argv, ...withToken(server.url)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stdout).toBe('');
    expect(server.requests).toHaveLength(0);
  });

  it('a missing token says how to get one', async () => {
    const server = await fake();
    const result = await cli(['store', '--url', server.url]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no token: pass --token or set CEDAR_STORE_TOKEN (cedar-store local prints it)');
    expect(server.requests).toHaveLength(0);
  });

  it('a URL with a path is refused, from --url or CEDAR_STORE_URL, saying to give the base URL', async () => {
    const server = await fake();
    const flag = await cli(['runs', '--url', `${server.url}/api/v1`, '--token', TOKEN]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toBe(
      `error: --url "${server.url}/api/v1" has a path (/api/v1): give the controller's base URL without a path, ` +
        `e.g. ${server.url}\n`,
    );
    const env = await cli(['store'], { CEDAR_STORE_URL: `${server.url}/api/v1/`, CEDAR_STORE_TOKEN: TOKEN });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain(`CEDAR_STORE_URL "${server.url}/api/v1/" has a path (/api/v1/)`);
    expect(server.requests).toHaveLength(0);
    // A trailing slash alone is no path.
    expect((await cli(['runs', '--url', `${server.url}/`, '--token', TOKEN])).code).toBe(0);
  });

  it('a URL that is not http(s) is refused', async () => {
    const result = await cli(['devices', '--url', 'ftp://example.org', '--token', TOKEN]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('not an http:// or https:// URL');
  });

  it('INVALID_REQUEST and DEVICE_UNKNOWN from the controller exit 2 with code: message', async () => {
    const server = await fake();
    const result = await cli(['store', '--device', 'burner-9/cd0', ...withToken(server.url)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('DEVICE_UNKNOWN: no device "burner-9/cd0"\n');
  });

  it('other refusals (DEVICE_BUSY) exit 1', async () => {
    const server = await fake();
    const result = await cli(['store', '--device', 'burner-1/busy', '--json', ...withToken(server.url)]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('DEVICE_BUSY: the device is busy\n');
    expect(result.stdout).toBe('');
  });
});

describe('help', () => {
  it('--help exits 0 with examples, environment and exit codes', async () => {
    const result = await cli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      '30 2 * * * CEDAR_STORE_TOKEN=$(cat /etc/cedar-store/api.token) cedar-store store --quiet --json >> /var/log/cedar-store.jsonl',
    );
    expect(result.stdout).toContain('CEDAR_STORE_TOKEN');
    expect(result.stdout).toContain('Exit codes:');
    for (const command of COMMANDS) {
      expect(result.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
  });

  it('each command has help with examples', async () => {
    for (const command of COMMANDS) {
      const result = await cli([command, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Examples:');
    }
  });

  it('no command at all shows the help as a usage error', async () => {
    const result = await cli([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: cedar-store');
  });
});

describe('reaching the controller (exit 3)', () => {
  it('a refused token exits 3 and says so', async () => {
    const server = await fake();
    const result = await cli(['store', '--url', server.url, '--token', 'wrong']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`the controller at ${server.url} refused the token`);
    expect(result.stderr).toContain('CEDAR_STORE_TOKEN');
  });

  it('nothing listening exits 3 naming the URL and what to do', async () => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const url = `http://127.0.0.1:${port}`;
    const result = await cli(['store', '--json', '--url', url, '--token', TOKEN]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`cannot reach the controller at ${url}`);
    expect(result.stderr).toContain('ECONNREFUSED');
    expect(result.stderr).toContain('cedar-store local');
    expect(result.stdout).toBe('');
  });

  it('honours CEDAR_STORE_URL and CEDAR_STORE_TOKEN, and flags win over them', async () => {
    const server = await fake();
    const fromEnv = await cli(['devices'], { CEDAR_STORE_URL: server.url, CEDAR_STORE_TOKEN: TOKEN });
    expect(fromEnv.code).toBe(0);
    const tokenFlag = await cli(['devices', '--token', 'wrong'], {
      CEDAR_STORE_URL: server.url,
      CEDAR_STORE_TOKEN: TOKEN,
    });
    expect(tokenFlag.code).toBe(3);
    const urlFlag = await cli(['devices', '--url', server.url], {
      CEDAR_STORE_URL: 'http://127.0.0.1:1',
      CEDAR_STORE_TOKEN: TOKEN,
    });
    expect(urlFlag.code).toBe(0);
    expect(server.requests.map((r) => r.headers.authorization)).toEqual([
      `Bearer ${TOKEN}`,
      'Bearer wrong',
      `Bearer ${TOKEN}`,
    ]);
  });

  it('global options may come before the command too', async () => {
    const server = await fake();
    const result = await cli([...withToken(server.url), 'devices', '--json']);
    expect(result.code).toBe(0);
  });
});

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

describe('server commands', () => {
  it('controller and local call the callbacks and return their exit status', async () => {
    const calls: unknown[] = [];
    const env: CliEnvironment = {
      stdout: new MemoryStream(),
      stderr: new MemoryStream(),
      env: {},
      serverCommands: {
        controller: async (options) => {
          calls.push(['controller', options]);
          return 0;
        },
        local: async (options) => {
          calls.push(['local', options]);
          return 5;
        },
      },
    };
    expect(await runCli(['controller', '--config', 'controller.yaml'], env)).toBe(0);
    expect(await runCli(['local'], env)).toBe(5);
    expect(await runCli(['local', '--dir', '/tmp/x', '--port', '7800'], env)).toBe(5);
    expect(await runCli(['controller'], env)).toBe(2);
    expect(await runCli(['local', '--port', 'http'], env)).toBe(2);
    expect(calls).toEqual([
      ['controller', { config: 'controller.yaml' }],
      ['local', { dir: './var' }],
      ['local', { dir: '/tmp/x', port: 7800 }],
    ]);
  });
});
