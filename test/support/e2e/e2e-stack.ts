/**
 * The end-to-end stack: the built `cedar-store-agent` (one or more) and `cedar-store
 * controller` as separate processes, configured by YAML files in a temp directory with
 * `virtual` media, and driven only through the `cedar-store` CLI with CEDAR_STORE_URL and
 * CEDAR_STORE_TOKEN in its environment — exactly what cron runs on a backup host.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Run, RunEvent } from '@cedar-store/ports';
import { stringify } from 'yaml';
import {
  AGENT_BIN,
  buildServices,
  CLI_BIN,
  runNodeScript,
  startService,
  waitForNoProcess,
  type ProcessResult,
  type ServiceProcess,
} from '../processes.js';
import { stageDayOnDisk, type StagedFile } from '../staging-dir.js';

export const E2E_API_TOKEN = 'e2e-api-token-0123456789abcdef';
const E2E_AGENT_TOKEN = 'e2e-agent-token-0123456789abcdef';

export type E2eDevice = { id: string; mediaType: string };
export type E2eAgent = { id: string; devices: E2eDevice[] };

export type E2eStackOptions = {
  /** Default: one agent `burner-1` with one virtual `dvd+rw` called `dvd0`. */
  agents?: E2eAgent[];
  /** controller.yaml `policy`. */
  policy?: Record<string, unknown>;
  /** controller.yaml `devices`: per-device policy overrides, keyed `agent/device`. */
  devicePolicies?: Record<string, Record<string, unknown>>;
  /** Directories put in front of the agents' PATH (test-only wrapper programs). */
  agentPathPrefix?: string[];
  /** controller.yaml `notify`, as written in the file. */
  notify?: unknown[];
  /** agent.yaml `limits` of every agent (e.g. a small maxFrameBytes, for small manifest pages). */
  agentLimits?: Record<string, unknown>;
};

/** What `cedar-store <action> --json` gave back: the exit code, the final run, and stderr. */
export type CliRun = ProcessResult & { run: Run };

export type E2eStack = Awaited<ReturnType<typeof startE2eStack>>;

/**
 * Vitest runs the e2e files in parallel, and two `tsc -b` writing the same outputs at once can
 * fail: the builds take turns through a lock directory (an up-to-date build is a quick no-op).
 */
async function buildServicesInTurn(timeoutMs = 300_000): Promise<void> {
  const lock = join(tmpdir(), 'cedar-store-e2e-build.lock');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      // A lock older than any build is left over from a killed run.
      const age = await stat(lock).then(
        (facts) => Date.now() - facts.mtimeMs,
        () => 0,
      );
      if (age > timeoutMs) await rm(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`${lock} is still held: is another build stuck?`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    await buildServices().catch((error: { stdout?: string; message?: string }) => {
      throw new Error(`npm run build fails, so there are no binaries to test:\n${error.stdout ?? error.message}`);
    });
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

export async function startE2eStack(options: E2eStackOptions = {}) {
  await buildServicesInTurn();
  const base = await mkdtemp(join(tmpdir(), 'cedar-e2e-'));
  const agents = options.agents ?? [{ id: 'burner-1', devices: [{ id: 'dvd0', mediaType: 'dvd+rw' }] }];
  const agentTokenFile = join(base, 'agent.token');
  const apiTokenFile = join(base, 'api.token');
  await writeFile(agentTokenFile, E2E_AGENT_TOKEN, { mode: 0o600 });
  await writeFile(apiTokenFile, E2E_API_TOKEN, { mode: 0o600 });

  const stagingRoot = (agentId: string): string => join(base, agentId, 'stage');
  const image = (device: string): string => {
    const [agentId, deviceId] = splitDevice(device);
    return join(base, agentId, 'media', `${deviceId}.iso`);
  };
  const agentEnv = options.agentPathPrefix
    ? { PATH: [...options.agentPathPrefix, dirname(process.execPath), process.env.PATH ?? ''].join(':') }
    : {};

  const services: ServiceProcess[] = [];
  const stop = async (): Promise<void> => {
    for (const service of services.reverse()) {
      if (service.child.exitCode === null && service.child.signalCode === null) {
        service.child.kill('SIGTERM');
        await service.exited;
      }
    }
    // A burner program an agent started may outlive it for a moment; the images go with base.
    await waitForNoProcess(base);
    await rm(base, { recursive: true, force: true });
  };

  try {
    const endpoints: Array<{ id: string; url: string; tokenFile: string }> = [];
    for (const agent of agents) {
      await mkdir(stagingRoot(agent.id), { recursive: true });
      const config = join(base, `${agent.id}.yaml`);
      await writeFile(
        config,
        stringify({
          agentId: agent.id,
          listen: { host: '127.0.0.1', port: 0 },
          auth: { tokenFile: agentTokenFile },
          stagingRoot: stagingRoot(agent.id),
          workingDir: join(base, agent.id, 'work'),
          ...(options.agentLimits ? { limits: options.agentLimits } : {}),
          devices: agent.devices.map((device) => ({
            id: device.id,
            backend: 'virtual',
            path: image(`${agent.id}/${device.id}`),
            mediaType: device.mediaType,
            mountMethod: 'fuseiso',
          })),
        }),
      );
      const started = await startService(AGENT_BIN, ['--config', config], 'agent listening', agentEnv);
      services.push(started);
      endpoints.push({ id: agent.id, url: `ws://127.0.0.1:${started.port}/rpc`, tokenFile: agentTokenFile });
    }
    const controllerConfig = join(base, 'controller.yaml');
    await writeFile(
      controllerConfig,
      stringify({
        listen: { host: '127.0.0.1', port: 0 },
        auth: { tokenFile: apiTokenFile },
        database: join(base, 'controller.db'),
        timeZone: 'UTC',
        agents: endpoints,
        policy: options.policy ?? {},
        devices: options.devicePolicies ?? {},
        ...(options.notify ? { notify: options.notify } : {}),
      }),
    );
    const controller = await startService(
      CLI_BIN,
      ['controller', '--config', controllerConfig],
      'controller listening',
    );
    services.push(controller);
    const url = `http://127.0.0.1:${controller.port}`;

    const cli = (args: string[]): Promise<ProcessResult> =>
      runNodeScript(CLI_BIN, args, { CEDAR_STORE_URL: url, CEDAR_STORE_TOKEN: E2E_API_TOKEN });

    /** `cedar-store <args> --json`, and the run it printed. */
    const cliRun = async (args: string[]): Promise<CliRun> => {
      const result = await cli([...args, '--json']);
      let run: Run;
      try {
        run = JSON.parse(result.stdout) as Run;
      } catch {
        throw new Error(`cedar-store ${args.join(' ')} printed no run (exit ${result.code}):\n${result.stderr}`);
      }
      return { ...result, run };
    };

    const stack = {
      base,
      url,
      /** What the controller process wrote (its JSON log lines), so far. */
      controllerLogs: controller.logs,
      cli,
      cliRun,
      image,
      stagingRoot,
      /** `cedar-store runs ID --json`: the run as the controller recorded it. */
      async recordedRun(id: string): Promise<Run> {
        const result = await cli(['runs', id, '--json']);
        if (result.code !== 0) throw new Error(`cedar-store runs ${id} exited ${result.code}: ${result.stderr}`);
        return JSON.parse(result.stdout) as Run;
      },
      /** The run's event stream as the API serves it (each event carries its time `at`). */
      async events(id: string): Promise<RunEvent[]> {
        const response = await fetch(`${url}/api/v1/runs/${id}/events`, {
          headers: { authorization: `Bearer ${E2E_API_TOKEN}` },
        });
        return (await response.text())
          .split('\n')
          .filter((line) => line.startsWith('data: '))
          .map((line) => JSON.parse(line.slice(6)) as RunEvent);
      },
      stage(
        day: string,
        files: Record<string, StagedFile>,
        indicators?: { staged?: boolean; stored?: boolean },
        agentId = agents[0]!.id,
      ): Promise<string> {
        return stageDayOnDisk(stagingRoot(agentId), day, files, indicators);
      },
      dayDir: (day: string, agentId = agents[0]!.id): string => join(stagingRoot(agentId), ...day.split('-')),
      isStored: (day: string, agentId = agents[0]!.id): boolean =>
        existsSync(join(stagingRoot(agentId), ...day.split('-'), 'cback.store')),
      /** Waits until the controller has every agent connected (it connects in the background). */
      async waitConnected(timeoutMs = 60_000): Promise<void> {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const result = await cli(['devices', '--json']);
          const listing = result.code === 0 ? (JSON.parse(result.stdout) as { agents?: Array<{ state: string }> }) : {};
          const states = (listing.agents ?? []).map((agent) => agent.state);
          if (states.length === agents.length && states.every((state) => state === 'connected')) return;
          if (Date.now() > deadline) throw new Error(`agents not connected: ${result.stdout}${result.stderr}`);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      },
      stop,
    };
    await stack.waitConnected();
    return stack;
  } catch (error) {
    await stop();
    throw error;
  }
}

function splitDevice(device: string): [string, string] {
  const slash = device.indexOf('/');
  if (slash < 0) throw new Error(`a device is named agent/device, not ${device}`);
  return [device.slice(0, slash), device.slice(slash + 1)];
}
