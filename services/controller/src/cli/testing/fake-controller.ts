import { once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Run, RunEventBody } from '@cedar-store/ports';
import { afterEach } from 'vitest';
import type { z } from 'zod';
import {
  CancelResponseSchema,
  DevicesResponseSchema,
  ErrorBodySchema,
  MediaCatalogResponseSchema,
  RunEventMessageSchema,
  RunListSchema,
  RunResponseSchema,
} from '../../http/schemas.js';
import type { CliEnvironment } from '../environment.js';
import { runCli } from '../run-cli.js';
import { FAST_CLIENT_SETTINGS } from '../../testing/cli-settings.js';

/*
 * For the CLI's tests (program.test.ts and one file per group of commands): the whole CLI against a small fake controller speaking the HTTP API (docs/http-api.md) over a real socket:
 * bearer token, `{ error: { code, message } }`, 202 on submit, and an SSE event stream that
 * honours Last-Event-ID and ends after `finished`. Every answer it sends is parsed with the
 * real API's response schema first, so its shapes cannot drift from the controller's; the
 * faults it can inject (dropped streams, stalls) are what the real app cannot easily do.
 * against-api.test.ts runs the CLI against the real app.
 */

export const TOKEN = 'test-token';
export const DEVICE = 'burner-1/dvd0';

type Recorded = {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: unknown;
};

export type FakeOptions = {
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

export type Fake = { url: string; requests: Recorded[]; eventRequests: Recorded[]; close(): Promise<void> };

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

export class MemoryStream {
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

export type Cli = { code: number; stdout: string; stderr: string };

const fakes: Fake[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

export async function fake(options?: FakeOptions): Promise<Fake> {
  const started = await startFake(options);
  fakes.push(started);
  return started;
}

export async function cli(
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

export const withToken = (url: string): string[] => ['--url', url, '--token', TOKEN];
