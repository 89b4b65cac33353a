/**
 * The controller's composition root: SQLite for runs, events and the catalog, one client per
 * configured agent, the use cases in the inversify container, and the HTTP API in front.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { AgentClient, RemoteDeviceDirectory } from '../agents/index.js';
import type { ControllerConfig } from '../config/controller-config.js';
import { createControllerContainer } from '../container.js';
import { ControllerMetrics, createApp } from '../http/index.js';
import {
  openDatabase,
  recoverInterruptedRuns,
  SqliteDeviceMemory,
  SqliteMediaCatalog,
  SqliteRunRepository,
} from '../persistence/index.js';
import { StaticPolicySource } from '../policy/device-policy.js';
import { RunCoordinator } from '../runs/run-coordinator.js';
import { ObservableRunRepository } from '../runs/run-events.js';
import { SystemClock } from './system-clock.js';

export type RunningController = {
  port: number;
  coordinator: RunCoordinator;
  directory: RemoteDeviceDirectory;
  /**
   * Stops taking requests, cancels queued runs, waits for running ones (a write in progress
   * is never abandoned by choice), then closes the agents' connections and the database.
   */
  close(): Promise<void>;
};

export type ControllerOptions = {
  /** Options for each agent client (tests shorten the backoff). */
  agentClient?: ConstructorParameters<typeof AgentClient>[1];
};

export async function startController(
  config: ControllerConfig,
  logger: Logger,
  options: ControllerOptions = {},
): Promise<RunningController> {
  const db = openDatabase(config.database);
  const clock = new SystemClock();
  for (const run of recoverInterruptedRuns(db, clock.now())) {
    logger.warn({ runId: run.id, action: run.action, device: run.device }, 'run interrupted by a controller restart');
  }
  const memory = new SqliteDeviceMemory(db);
  const clients = config.agents.map(
    (agent) =>
      new AgentClient(
        { id: agent.id, url: agent.url, token: agent.token, ...(agent.ca ? { ca: agent.ca } : {}) },
        { logger: logger.child({ agentId: agent.id }), ...options.agentClient },
      ),
  );
  const directory = new RemoteDeviceDirectory(clients, {
    remembered: memory.recall(),
    configuredDevices: Object.keys(config.devices),
    onDescribed: (agentId, devices) => memory.remember(agentId, devices),
  });
  const catalog = new SqliteMediaCatalog(db);
  const container = createControllerContainer({
    deviceDirectory: directory,
    runRepository: new SqliteRunRepository(db),
    mediaCatalog: catalog,
    clock,
    policySource: new StaticPolicySource({
      ...(config.timeZone ? { timeZone: config.timeZone } : {}),
      policy: config.policy,
      devices: config.devices,
    }),
  });
  const coordinator = container.get(RunCoordinator);
  const runs = container.get(ObservableRunRepository);
  coordinator.onFailure((error, runId) => logger.error({ err: error, runId }, 'a run could not be recorded'));
  runs.onSaved((run) => {
    if (run.status === 'succeeded' || run.status === 'failed' || run.status === 'cancelled') {
      logger.info(
        { runId: run.id, action: run.action, device: run.device, status: run.status, error: run.error },
        'run finished',
      );
    }
  });
  let closing = false;
  const metrics = new ControllerMetrics(runs, directory);
  const app = createApp({
    coordinator,
    runs,
    catalog,
    devices: directory,
    token: config.token,
    metrics,
    ready: () => ({ ready: db.open && !closing, checks: { database: db.open, config: true, stopping: closing } }),
    logger,
  });
  directory.start();
  const server = createServer(app);
  const port = await listen(server, config.listen.host, config.listen.port);
  logger.info({ host: config.listen.host, port, agents: config.agents.map((a) => a.id) }, 'controller listening');

  return {
    port,
    coordinator,
    directory,
    async close() {
      if (closing) return;
      closing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await coordinator.shutdown();
      // Event streams of finished runs have ended; anything still open is a client that lingers.
      server.closeAllConnections();
      await stopped;
      await directory.stop();
      db.close();
    },
  };
}

async function listen(server: Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}
