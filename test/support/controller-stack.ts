/**
 * A real agent (in this process, `virtual` media, real xorriso) and a real controller (SQLite
 * in a temp directory, the HTTP API on loopback) wired over a real WebSocket, and a plain
 * HTTP client speaking the API the way an orchestration tool would.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveAgentConfig, startAgent, type AgentServer } from '@cedar-store/device-agent';
import {
  startController,
  type ControllerConfig,
  type ControllerOptions,
  type RunningController,
} from '@cedar-store/controller';
import type { Run, RunEvent } from '@cedar-store/ports';
import { pino, type Logger } from 'pino';
import { stageDayOnDisk, type StagedFile } from './staging-dir.js';

/** The API's answers, checked field by field by each test. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type LooseJson = any;

export const API_TOKEN = 'stack-test-api-token-0123456789';
export const AGENT_TOKEN = 'stack-test-agent-token-0123456789';

export type StackOptions = {
  mediaType?: string;
  /** controller.yaml `policy`. */
  policy?: Record<string, unknown>;
  devices?: Array<{ id: string; mediaType?: string }>;
  /** controller.yaml `notify`, resolved (each target with its secrets). */
  notify?: ControllerConfig['notify'];
  /** The controller's logger (default: silent). */
  logger?: Logger;
  controllerOptions?: ControllerOptions;
};

export type Stack = Awaited<ReturnType<typeof startStack>>;

export async function startStack(options: StackOptions = {}) {
  const base = await mkdtemp(join(tmpdir(), 'cedar-stack-'));
  const stagingRoot = join(base, 'stage');
  await mkdir(stagingRoot, { recursive: true });
  const devices = options.devices ?? [{ id: 'dvd0' }];
  const image = (id: string): string => join(base, 'media', `${id}.iso`);
  const agentConfig = await resolveAgentConfig(
    {
      agentId: 'burner-1',
      listen: { host: '127.0.0.1', port: 0 },
      auth: { token: AGENT_TOKEN },
      stagingRoot,
      workingDir: join(base, 'work'),
      devices: devices.map((device) => ({
        id: device.id,
        backend: 'virtual',
        path: image(device.id),
        mediaType: device.mediaType ?? options.mediaType ?? 'dvd+rw',
      })),
    },
    'stack agent',
    {},
  );
  const agent: { server: AgentServer; port: number } = await startAgent(agentConfig, pino({ level: 'silent' }));
  const controller: RunningController = await startController(
    {
      listen: { host: '127.0.0.1', port: 0 },
      token: API_TOKEN,
      database: join(base, 'controller.db'),
      timeZone: 'UTC',
      agents: [{ id: 'burner-1', url: `ws://127.0.0.1:${agent.port}/rpc`, token: AGENT_TOKEN }],
      policy: { ...options.policy },
      devices: {},
      ...(options.notify ? { notify: options.notify } : {}),
    },
    options.logger ?? pino({ level: 'silent' }),
    options.controllerOptions,
  );
  const url = `http://127.0.0.1:${controller.port}`;
  const api = new ApiClient(url, API_TOKEN);
  await api.waitConnected();

  return {
    base,
    stagingRoot,
    image,
    url,
    api,
    agent,
    controller,
    stage: (day: string, files: Record<string, StagedFile>, indicators?: { staged?: boolean; stored?: boolean }) =>
      stageDayOnDisk(stagingRoot, day, files, indicators),
    dayDir: (day: string) => join(stagingRoot, ...day.split('-')),
    async stop() {
      await controller.close();
      await agent.server.close();
      await rm(base, { recursive: true, force: true });
    },
  };
}

export class ApiClient {
  constructor(
    readonly url: string,
    private readonly token: string,
  ) {}

  async request(method: string, path: string, body?: unknown): Promise<{ status: number; body: LooseJson }> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  async submit(body: Record<string, unknown>): Promise<Run> {
    const response = await this.request('POST', '/api/v1/runs', body);
    if (response.status !== 202)
      throw new Error(`POST /api/v1/runs → ${response.status} ${JSON.stringify(response.body)}`);
    return response.body as Run;
  }

  async get(id: string): Promise<Run> {
    return (await this.request('GET', `/api/v1/runs/${id}`)).body as Run;
  }

  async events(id: string): Promise<RunEvent[]> {
    const response = await fetch(`${this.url}/api/v1/runs/${id}/events`, {
      headers: { authorization: `Bearer ${this.token}` },
    });
    const text = await response.text();
    return text
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => JSON.parse(line.slice(6)) as RunEvent);
  }

  /** Polls until the run has finished, and returns it. */
  async wait(id: string, timeoutMs = 120_000): Promise<Run> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const run = await this.get(id);
      if (['succeeded', 'failed', 'cancelled', 'interrupted'].includes(run.status)) return run;
      if (Date.now() > deadline) throw new Error(`run ${id} still ${run.status} after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async run(body: Record<string, unknown>): Promise<Run> {
    return this.wait((await this.submit(body)).id);
  }

  /** Waits until every agent is connected (the controller connects in the background). */
  async waitConnected(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const response = await this.request('GET', '/api/v1/devices');
      const agents = (response.body?.agents ?? []) as Array<{ state: string }>;
      if (response.status === 200 && agents.length > 0 && agents.every((agent) => agent.state === 'connected')) return;
      if (Date.now() > deadline) throw new Error(`agents not connected: ${JSON.stringify(response.body)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
