/**
 * The agent's composition root: configuration in, a listening WebSocket server out, every
 * port bound to its adapter in one inversify container.
 *
 * No `import 'reflect-metadata'`: the agent binds constant values and reads no decorator
 * metadata, and inversify loads the `reflect-metadata/lite` it needs itself. The full polyfill
 * beside it was a second copy of the same code in every agent (about 1 MiB of its idle RSS).
 */
import { mkdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { Container } from 'inversify';
import type { Logger } from 'pino';
import { createDrive } from './backends.js';
import { FileWorkers } from './files/file-workers.js';
import { programTimeoutsMs, type AgentConfig } from './config/agent-config.js';
import { OperationJournal } from './journal/operation-journal.js';
import { ManifestStore } from './manifest/manifest-store.js';
import type { DriveEnvironment } from './media/drive-environment.js';
import { DriveGuards } from './media/device-guard.js';
import { MountTable } from './media/mount-table.js';
import { ProgramRunner } from './process/program-runner.js';
import { AgentServer } from './server/agent-server.js';
import type { AgentDevice, AgentServices } from './server/rpc-handlers.js';
import { FsStagingArea } from './staging/fs-staging-area.js';
import { resolveOwner } from './staging/owner.js';

export const AGENT_VERSION = '0.1.0';

/** What the root binds is what is read back: the server to start, the services its tests inspect. */
export const AGENT_TOKENS = {
  Services: Symbol.for('cedar-store.agent.Services'),
  Server: Symbol.for('cedar-store.agent.Server'),
} as const;

export type AgentOptions = {
  /** PATH for the external programs; tests put fake ones first. */
  searchPath?: string;
  mountTable?: MountTable;
  progressIntervalMs?: number;
};

export async function createAgentContainer(
  config: AgentConfig,
  logger: Logger,
  options: AgentOptions = {},
): Promise<Container> {
  await mkdir(config.workingDir, { recursive: true });
  const owner = await resolveOwner(config.backupUser, config.backupGroup);
  const drivePaths = await Promise.all(
    config.devices.map(async ({ id, path }) => ({ id, drivePath: await realpath(path).catch(() => path) })),
  );
  // Read before the agent listens: what an earlier agent left running must hold its device from the first request.
  const journal = OperationJournal.open(join(config.workingDir, 'journal'), { logger });
  const runner = (onSpawn?: (pid: number) => void): ProgramRunner =>
    new ProgramRunner({
      ...(options.searchPath === undefined ? {} : { searchPath: options.searchPath }),
      ...(onSpawn === undefined ? {} : { onSpawn }),
      timeouts: programTimeoutsMs(config.timeouts),
    });
  const env: DriveEnvironment = {
    // The agent's one pool of file threads: staging inspections and verifies share it.
    staging: new FsStagingArea(config.stagingRoot, owner, new FileWorkers(), config.followDaySymlinks),
    workingDir: config.workingDir,
    runner: runner(),
    mountTable: options.mountTable ?? new MountTable(),
    guards: new DriveGuards(drivePaths),
    logger,
  };
  // Each device's programs are recorded under the operation running on that device (one at a
  // time, its guard sees to it). Telling them apart by device, not by an async context, spares
  // every promise in the process the async hooks such a context switches on.
  const devices = new Map<string, AgentDevice>(
    config.devices.map((settings) => {
      const deviceEnv = { ...env, runner: runner((pid) => journal.recordProgramOn(settings.id, pid)) };
      const { id, backend, mediaType } = settings;
      const drive = createDrive(settings, deviceEnv);
      return [
        id,
        { id, backend, mediaType, drive, restore: drive.restore.bind(drive), audit: drive.audit.bind(drive) },
      ];
    }),
  );
  // An export needs no drive, only the programs of this host's backend (the first device's). Its
  // own drive object, whose programs no operation records: a long export must not hold a
  // device's operation as running after a restart.
  const exporter = createDrive(config.devices[0]!, env);
  const services: AgentServices = {
    agentId: config.agentId,
    version: AGENT_VERSION,
    staging: env.staging,
    devices,
    journal,
    exportImage: (request) => exporter.exportImage(request),
    restoreRoot: config.restoreRoot,
    manifests: new ManifestStore({
      workingDir: config.workingDir,
      maxFrameBytes: config.limits.maxFrameBytes,
      workers: env.staging.workers,
      resolveDays: (days) => env.staging.existingDays(days),
    }),
  };
  const container = new Container({ defaultScope: 'Singleton' });
  container.bind(AGENT_TOKENS.Services).toConstantValue(services);
  container.bind(AGENT_TOKENS.Server).toConstantValue(
    new AgentServer(
      services,
      {
        host: config.listen.host,
        port: config.listen.port,
        token: config.token,
        ...(config.tls ? { tls: config.tls } : {}),
        ...config.limits,
        ...(options.progressIntervalMs === undefined ? {} : { progressIntervalMs: options.progressIntervalMs }),
      },
      logger,
    ),
  );
  return container;
}

/** Builds the agent and starts listening; resolves with the server and the bound port. */
export async function startAgent(
  config: AgentConfig,
  logger: Logger,
  options: AgentOptions = {},
): Promise<{ server: AgentServer; port: number }> {
  const container = await createAgentContainer(config, logger, options);
  const server = container.get<AgentServer>(AGENT_TOKENS.Server);
  const port = await server.listen();
  logger.info(
    {
      host: config.listen.host,
      port,
      tls: Boolean(config.tls),
      devices: config.devices.map((d) => `${d.id}:${d.backend}`),
    },
    'agent listening',
  );
  return { server, port };
}
