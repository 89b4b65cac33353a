/**
 * The series alerts are written against (deploy/prometheus/alerts.yml): when each device last
 * finished each action successfully, and whether its last run of it failed. Every device the
 * directory knows gets its series at 0 from the first scrape, so an alert sees a series before
 * the first run; the values come from the run history, so a controller restart does not look
 * like a night without a store.
 */
import { RUN_ACTIONS, type DeviceDirectory, type Run, type RunRepository } from '@cedar-store/ports';
import { Gauge, type Registry } from 'prom-client';
import { isDryRun } from '../notify/run-report.js';

/** Runs per device read at start to find the last result of each action. */
const HISTORY_READ = 500;

/** The warning code of disc/session-steps.ts's check against policy.capacityLimit. */
const CAPACITY_LIMIT_WARNING = 'CAPACITY_LIMIT';

type Key = string;
const keyOf = (device: string, action: string): Key => `${device}\u0000${action}`;

export class RunStatusMetrics {
  private readonly lastSuccess: Gauge<'device' | 'action'>;
  private readonly lastStatus: Gauge<'device' | 'action'>;
  private readonly overCapacity: Gauge<'device'>;
  /** For each series, the finish time of the run its value comes from: an older run never overwrites it. */
  private readonly successAt = new Map<Key, number>();
  private readonly statusAt = new Map<Key, number>();
  private readonly capacityAt = new Map<string, number>();
  private readonly seeded = new Map<string, Promise<void>>();

  constructor(
    registry: Registry,
    private readonly runs: RunRepository,
    private readonly devices: DeviceDirectory,
  ) {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- prom-client calls collect with the metric as `this`
    const self = this;
    this.lastSuccess = new Gauge({
      name: 'cedar_store_last_success_timestamp_seconds',
      help: 'When the last successful run of the action on the device finished (Unix time; 0: never)',
      labelNames: ['device', 'action'],
      registers: [registry],
      collect: () => self.seedKnownDevices(),
    });
    this.lastStatus = new Gauge({
      name: 'cedar_store_last_run_status',
      help: 'The last finished run of the action on the device: 0 succeeded (or none yet), 1 failed',
      labelNames: ['device', 'action'],
      registers: [registry],
      collect: () => self.seedKnownDevices(),
    });
    this.overCapacity = new Gauge({
      name: 'cedar_store_capacity_limit_exceeded',
      help: "1 when the device's last successful write left the disc beyond policy.capacityLimit (a CAPACITY_LIMIT warning), 0 otherwise",
      labelNames: ['device'],
      registers: [registry],
      collect: () => self.seedKnownDevices(),
    });
  }

  /** A run was saved: a finished one moves its device's series. */
  runSaved(run: Run): void {
    if (isDryRun(run) || !run.finishedAt) return;
    const at = Date.parse(run.finishedAt);
    if (!Number.isFinite(at)) return;
    const key = keyOf(run.device, run.action);
    const labels = { device: run.device, action: run.action };
    if (run.status === 'succeeded') {
      if ((this.successAt.get(key) ?? -Infinity) < at) {
        this.successAt.set(key, at);
        this.lastSuccess.set(labels, at / 1000);
      }
    }
    // Only a write measures the disc: a store or rebuild that succeeded.
    if (run.status === 'succeeded' && run.write && (this.capacityAt.get(run.device) ?? -Infinity) < at) {
      this.capacityAt.set(run.device, at);
      const exceeded = run.warnings.some((warning) => warning.code === CAPACITY_LIMIT_WARNING);
      this.overCapacity.set({ device: run.device }, exceeded ? 1 : 0);
    }
    if (run.status === 'succeeded' || run.status === 'failed' || run.status === 'interrupted') {
      if ((this.statusAt.get(key) ?? -Infinity) < at) {
        this.statusAt.set(key, at);
        this.lastStatus.set(labels, run.status === 'succeeded' ? 0 : 1);
      }
    }
  }

  /** Every known device, once: its series at 0, then the results its history holds. */
  private async seedKnownDevices(): Promise<void> {
    const known = await this.devices.list().catch(() => []);
    await Promise.all(known.map((device) => this.seed(device.ref)));
  }

  private seed(device: string): Promise<void> {
    let seeding = this.seeded.get(device);
    if (!seeding) {
      for (const action of RUN_ACTIONS) {
        const labels = { device, action };
        if (!this.successAt.has(keyOf(device, action))) this.lastSuccess.set(labels, 0);
        if (!this.statusAt.has(keyOf(device, action))) this.lastStatus.set(labels, 0);
      }
      if (!this.capacityAt.has(device)) this.overCapacity.set({ device }, 0);
      // The latest runs give the last status; the latest successes, a success older than those.
      seeding = Promise.all([
        this.runs.list({ device, limit: HISTORY_READ }),
        this.runs.list({ device, status: 'succeeded', limit: HISTORY_READ }),
      ])
        .then((histories) => {
          for (const run of histories.flat()) this.runSaved(run);
        })
        .catch(() => {
          // The database is unavailable: the next scrape tries again.
          this.seeded.delete(device);
        });
      this.seeded.set(device, seeding);
    }
    return seeding;
  }
}
