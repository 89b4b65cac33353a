/**
 * The controller's composition root: SQLite for runs, events and the catalog, one client per
 * configured agent, the use cases in the inversify container, recovery (runs a previous
 * process left unfinished, then operations lost track of, asked of each agent that connects),
 * and the HTTP API in front. What it builds, it starts and stops.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { errorMessage, NamedError } from '@cedar-store/domain';
import { AgentClient, RemoteDeviceDirectory } from '../agents/index.js';
import type { ControllerConfig } from '../config/controller-config.js';
import { createControllerContainer } from '../container.js';
import { ControllerMetrics, createApp } from '../http/index.js';
import {
  DatabaseAvailability,
  DatabaseError,
  openDatabase,
  SqliteAuditCatalog,
  SqliteDeviceMemory,
  SqliteManifestCatalog,
  SqliteMediaCatalog,
  SqliteRunRepository,
} from '../persistence/index.js';
import { StaticPolicySource } from '../policy/device-policy.js';
import { recoverInterruptedRuns } from '../recovery/interrupted-runs.js';
import { LostOperations } from '../recovery/lost-operations.js';
import { RunCoordinator } from '../runs/run-coordinator.js';
import { ObservableRunRepository } from '../runs/run-events.js';
import type { Notifier, RetryPolicy } from '../notify/notifier.js';
import { createApiServer, type HttpServerLimits } from './http-server.js';
import { SystemClock } from './system-clock.js';

/** The controller cannot start as configured; the message says what to change (exit code 2). */
export class StartupError extends NamedError {}

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
  /** Timeouts and header size of the HTTP server (tests shorten the timeouts). */
  http?: Partial<HttpServerLimits>;
  /** How notifications are retried (tests shorten the backoff). */
  notifyRetry?: Partial<RetryPolicy>;
};

export async function startController(
  config: ControllerConfig,
  logger: Logger,
  options: ControllerOptions = {},
): Promise<RunningController> {
  let db: ReturnType<typeof openDatabase>;
  try {
    db = openDatabase(config.database);
  } catch (error) {
    if (error instanceof DatabaseError) throw new StartupError(error.message);
    throw error;
  }
  const clock = new SystemClock();
  // One for every store on the file: while it refuses writes, they are kept and retried in one order.
  const availability = new DatabaseAvailability(db, { path: config.database, logger });
  const runRepository = new SqliteRunRepository(db, { availability });
  // Before any run is taken: what a previous process left running or queued ends interrupted.
  const interrupted = await recoverInterruptedRuns(runRepository, clock.now());
  for (const run of interrupted) {
    logger.warn({ runId: run.id, action: run.action, device: run.device }, 'run interrupted by a controller restart');
  }
  const memory = new SqliteDeviceMemory(db, { availability });
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
  const catalog = new SqliteMediaCatalog(db, { availability });
  const manifests = new SqliteManifestCatalog(db, { availability });
  const audits = new SqliteAuditCatalog(db, { availability });
  const container = createControllerContainer({
    deviceDirectory: directory,
    runRepository,
    mediaCatalog: catalog,
    manifestCatalog: manifests,
    auditCatalog: audits,
    clock,
    policySource: new StaticPolicySource({
      ...(config.timeZone ? { timeZone: config.timeZone } : {}),
      policy: config.policy,
      devices: config.devices,
    }),
  });
  const coordinator = container.get(RunCoordinator);
  const runs = container.get(ObservableRunRepository);
  // Asks each agent that connects how the operations the controller lost track of ended.
  container.get(LostOperations).watch();
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
  const notifyTargets = config.notify ?? [];
  const metrics = new ControllerMetrics(runs, directory, {
    notifyTargets: notifyTargets.map((target) => target.name),
    audits,
  });
  // Finished runs are reported in the background: a run never waits for a receiver. Without a
  // target there is no notifier, and its modules (the SMTP client among them) are never loaded.
  const notifier: Notifier | null =
    notifyTargets.length === 0
      ? null
      : new (await import('../notify/notifier.js')).Notifier(notifyTargets, {
          logger: logger.child({ component: 'notify' }),
          count: (target, outcome) => metrics.countNotification(target, outcome),
          ...(options.notifyRetry ? { retry: options.notifyRetry } : {}),
        });
  const stopNotifying = notifier ? runs.onSaved((run) => notifier.runSaved(run)) : () => {};
  const app = createApp({
    coordinator,
    runs,
    catalog,
    audits,
    manifests,
    devices: directory,
    timeZone: config.timeZone,
    token: config.token,
    metrics,
    ready: () => {
      const database = availability.readiness();
      return { ready: database === true && !closing, checks: { database, config: true, stopping: closing } };
    },
    logger,
  });
  const server = createApiServer(app, options.http);
  let port: number;
  try {
    port = await listen(server, config.listen.host, config.listen.port);
  } catch (error) {
    metrics.close();
    db.close();
    throw new StartupError(listenFailure(error, config.listen));
  }
  // Agents are reached only once the API is up: a controller that cannot start leaves nothing running.
  directory.start();
  // Runs the restart ended are reported like any run that failed.
  for (const run of interrupted) notifier?.runSaved(run);
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
      stopNotifying();
      await notifier?.close();
      // Event streams of finished runs have ended; anything still open is a client that lingers.
      server.closeAllConnections();
      await stopped;
      await directory.stop();
      metrics.close();
      availability.close();
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

function listenFailure(error: unknown, listen: { host: string; port: number }): string {
  const code = (error as NodeJS.ErrnoException).code;
  const where = `${listen.host}:${listen.port}`;
  if (code === 'EADDRINUSE') {
    return `cannot listen on ${where}: the port is in use (another controller or cedar-store local?); stop it or choose another port (listen.port in controller.yaml, --port for cedar-store local)`;
  }
  if (code === 'EACCES') return `cannot listen on ${where}: permission denied; choose a port above 1023`;
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return `cannot listen on ${where}: no such address on this host; check listen.host`;
  }
  return `cannot listen on ${where}: ${errorMessage(error)}`;
}
