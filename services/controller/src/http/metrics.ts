/**
 * The controller's Prometheus metrics, in a registry of their own so that several
 * controllers in one process (tests) never share or clash over counters. Run outcomes and
 * step durations are counted as the runs record them; agent connections and queue depths
 * are read at scrape time, so they are never stale.
 */
import {
  FINISHED_STATUSES,
  isFinished,
  RUN_ACTIONS,
  type AuditCatalog,
  type DeviceDirectory,
  type Run,
  type RunEvent,
} from '@cedar-store/ports';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ObservableRunRepository } from '../runs/run-events.js';
import { RunStatusMetrics } from './run-status-metrics.js';

/** What a notification attempt came to (notify/notifier.ts). */
const NOTIFICATION_OUTCOMES = ['delivered', 'error', 'gave_up'] as const;

export type ControllerMetricsOptions = {
  /** Process metrics (memory, CPU, event loop): on by default, off in tests that create many registries. */
  defaultMetrics?: boolean;
  /** The names of controller.yaml's notify targets, whose series start at 0. */
  notifyTargets?: readonly string[];
  /** The catalog's audits, read at scrape time; without it the audit series stay empty. */
  audits?: AuditCatalog;
};

/** prom-client's default gauges that end in `_total`, which Prometheus keeps for counters. */
const GAUGES_NAMED_LIKE_COUNTERS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/** Finished runs remembered so a second save of the same run is not counted again. */
const COUNTED_RUNS_REMEMBERED = 10_000;

/** Step durations go from milliseconds (status checks) to hours (a full BD write and verify). */
const STEP_DURATION_BUCKETS_SECONDS = [0.01, 0.05, 0.25, 1, 5, 15, 60, 300, 900, 1800, 3600, 7200];

export class ControllerMetrics {
  readonly registry = new Registry();
  private readonly runsFinished: Counter<'action' | 'status'>;
  private readonly bytesWritten: Counter<'device'>;
  private readonly bytesVerified: Counter<'device'>;
  private readonly stepDuration: Histogram<'step'>;
  private readonly notifications: Counter<'target' | 'outcome'>;
  private readonly runStatus: RunStatusMetrics;
  private readonly counted = new Set<string>();
  private readonly unsubscribe: Array<() => void>;

  constructor(runs: ObservableRunRepository, devices: DeviceDirectory, options: ControllerMetricsOptions = {}) {
    const registers = [this.registry];
    // Each known device's series exist from the first scrape, so rate() and alerts see them before a run.
    const startKnownDevices = async function (this: Counter<'device'>) {
      for (const device of await devices.list().catch(() => [])) this.inc({ device: device.ref }, 0);
    };
    this.runsFinished = new Counter({
      name: 'cedar_store_runs_total',
      help: 'Runs that reached a finished status, by action and status (dry runs not counted)',
      labelNames: ['action', 'status'],
      registers,
    });
    for (const action of RUN_ACTIONS) {
      for (const status of FINISHED_STATUSES) this.runsFinished.inc({ action, status }, 0);
    }
    this.bytesWritten = new Counter({
      name: 'cedar_store_bytes_written_total',
      help: 'Bytes written to media by finished runs',
      labelNames: ['device'],
      registers,
      collect: startKnownDevices,
    });
    this.bytesVerified = new Counter({
      name: 'cedar_store_bytes_verified_total',
      help: 'Bytes read back from media and compared with the staging days',
      labelNames: ['device'],
      registers,
      collect: startKnownDevices,
    });
    this.notifications = new Counter({
      name: 'cedar_store_notifications_total',
      help: 'Notification attempts by target and outcome (delivered, error: retried or not, gave_up)',
      labelNames: ['target', 'outcome'],
      registers,
    });
    for (const target of options.notifyTargets ?? []) {
      for (const outcome of NOTIFICATION_OUTCOMES) this.notifications.inc({ target, outcome }, 0);
    }
    this.runStatus = new RunStatusMetrics(this.registry, runs, devices);
    this.stepDuration = new Histogram({
      name: 'cedar_store_step_duration_seconds',
      help: 'How long each run step took, finished or failed',
      labelNames: ['step'],
      buckets: STEP_DURATION_BUCKETS_SECONDS,
      registers,
    });
    new Gauge({
      name: 'cedar_store_agent_connected',
      help: '1 when the controller is connected to the agent, 0 otherwise',
      labelNames: ['agent'],
      registers,
      collect: async function (this: Gauge<'agent'>) {
        this.reset();
        for (const agent of await devices.agents().catch(() => [])) {
          this.set({ agent: agent.id }, agent.state === 'connected' ? 1 : 0);
        }
      },
    });
    new Gauge({
      name: 'cedar_store_runs_active',
      help: 'Runs queued or running now',
      labelNames: ['status'],
      registers,
      collect: async function (this: Gauge<'status'>) {
        for (const status of ['queued', 'running'] as const) {
          this.set({ status }, (await runs.list({ status })).length);
        }
      },
    });
    registerAuditMetrics(registers, options.audits);
    // Node's process metrics under their standard names, so standard dashboards work.
    if (options.defaultMetrics ?? true) {
      collectDefaultMetrics({ register: this.registry });
      // Gauges whose `_total` name promtool rejects; each is the sum of its by-type series (sum(nodejs_active_handles)).
      for (const name of GAUGES_NAMED_LIKE_COUNTERS) this.registry.removeSingleMetric(name);
    }
    this.unsubscribe = [runs.onSaved((run) => this.runSaved(run)), runs.onEvent((event) => this.eventRecorded(event))];
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  /** Counts one notification attempt's outcome. */
  countNotification(target: string, outcome: (typeof NOTIFICATION_OUTCOMES)[number]): void {
    this.notifications.inc({ target, outcome });
  }

  /** Stops listening to the runs (shutdown, tests). */
  close(): void {
    for (const stop of this.unsubscribe) stop();
  }

  private runSaved(run: Run): void {
    this.runStatus.runSaved(run);
    if (!isFinished(run.status) || this.counted.has(run.id)) return;
    this.remember(run.id);
    // A dry run is a plan: a dashboard counting failed stores must not count failed plans.
    if (run.options?.dryRun) return;
    this.runsFinished.inc({ action: run.action, status: run.status });
    // Bytes count whenever they reached the disc, even if a later step (verify) failed the run.
    if (run.write) this.bytesWritten.inc({ device: run.device }, run.write.bytesWritten);
    if (run.verify) this.bytesVerified.inc({ device: run.device }, run.verify.bytesCompared);
  }

  private eventRecorded(event: RunEvent): void {
    if (event.type === 'step' && event.durationMs !== undefined) {
      this.stepDuration.observe({ step: event.step }, event.durationMs / 1000);
    }
  }

  private remember(runId: string): void {
    this.counted.add(runId);
    if (this.counted.size > COUNTED_RUNS_REMEMBERED) {
      const oldest = this.counted.values().next().value;
      if (oldest !== undefined) this.counted.delete(oldest);
    }
  }
}

/**
 * The audits, read from the catalog at each scrape (docs/auditing.md): per disc still held, when
 * it was last checked whole, and how many audits passed and failed. A disc never audited counts
 * from its last session verified on the night it was written, else from when it was started, so
 * an alert on old checks fires for it too once that is long ago.
 */
function registerAuditMetrics(registers: Registry[], audits: AuditCatalog | undefined): void {
  // A catalog that cannot answer leaves the series out of this scrape rather than fail it.
  const state = async () => (audits ? await audits.auditState().catch(() => undefined) : undefined);
  new Gauge({
    name: 'cedar_store_disc_last_audit_timestamp_seconds',
    help:
      'When each disc still held was last audited (Unix seconds); never audited: its last verified session, ' +
      'else when it was started',
    labelNames: ['disc', 'label'],
    registers,
    collect: async function (this: Gauge<'disc' | 'label'>) {
      this.reset();
      for (const disc of (await state())?.discs ?? []) {
        const at = disc.lastAuditAt ?? disc.lastVerifiedAt ?? disc.startedAt;
        this.set({ disc: String(disc.discId), label: disc.label }, Date.parse(at) / 1000);
      }
    },
  });
  new Counter({
    name: 'cedar_store_audits_total',
    help: 'Audits of discs recorded in the catalog, by outcome (passed: every file read back as its manifest)',
    labelNames: ['outcome'],
    registers,
    collect: async function (this: Counter<'outcome'>) {
      const outcomes = (await state())?.outcomes ?? { passed: 0, failed: 0 };
      this.reset();
      this.inc({ outcome: 'passed' }, outcomes.passed);
      this.inc({ outcome: 'failed' }, outcomes.failed);
    },
  });
}
