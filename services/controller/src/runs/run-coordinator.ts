/**
 * Accepts run requests and runs them: one FIFO queue per device, at most one active run per
 * device, any number across devices. A queued run can be cancelled outright; a running one
 * stops at its next step boundary before the write (the executor decides).
 */
import {
  AgentUnreachableError,
  DeviceUnknownError,
  InvalidRequestError,
  parseGlob,
  restoreTargetProblem,
  type DayStamp,
} from '@cedar-store/domain';
import {
  TOKENS,
  isFinished,
  type Clock,
  type DeviceDirectory,
  type Run,
  type RunAction,
  type RunRepository,
} from '@cedar-store/ports';
import { inject, injectable } from 'inversify';
import { newRun } from './new-run.js';
import { RunExecutor } from './run-executor.js';

/** A request as the API accepts it (already schema-validated). */
export type SubmitRequest = {
  action: RunAction;
  /** `agent/device`; may be omitted when exactly one device is known. */
  device?: string;
  full?: boolean;
  today?: DayStamp;
  days?: DayStamp[];
  /** store and rebuild: plan only, stopping after the fit check (nothing blanked, written or marked). */
  dryRun?: boolean;
  /** restore: the day, the globs of the files within it, the target name under restoreRoot, --force. */
  day?: DayStamp;
  paths?: string[];
  target?: string;
  force?: boolean;
};

export type CancelOutcome =
  /** The run was queued and is now cancelled. */
  | { outcome: 'cancelled'; run: Run }
  /** The run is running: it stops at its next step boundary, or finishes if its write began. */
  | { outcome: 'requested'; run: Run }
  /** The run had already finished; nothing changed. */
  | { outcome: 'finished'; run: Run }
  | { outcome: 'unknown' };

export type DeviceActivity = { activeRun?: string; queuedRuns: string[] };

@injectable()
export class RunCoordinator {
  /** The tail of each device's queue: the next run starts when it settles. */
  private readonly tails = new Map<string, Promise<void>>();
  /** Runs waiting for their device, per device, in order. */
  private readonly waiting = new Map<string, string[]>();
  private readonly running = new Map<string, string>();
  /** Cancels that arrived after a run left its queue but before the executor took it. */
  private readonly cancelAtStart = new Set<string>();
  private accepting = true;
  private readonly failures: Array<(error: unknown, runId: string) => void> = [];

  constructor(
    @inject(TOKENS.RunRepository) private readonly runs: RunRepository,
    @inject(TOKENS.DeviceDirectory) private readonly devices: DeviceDirectory,
    @inject(TOKENS.Clock) private readonly clock: Clock,
    @inject(RunExecutor) private readonly executor: RunExecutor,
  ) {}

  /**
   * Records a queued run and puts it at the end of its device's queue. Refuses, creating
   * nothing, a device that is not known and a request the action cannot use.
   */
  async submit(request: SubmitRequest): Promise<Run> {
    if (!this.accepting)
      throw new AgentUnreachableError('the controller is stopping: request the run again once it is back');
    checkOptions(request);
    const device = await this.resolveDevice(request.device);
    const options: Run['options'] = {};
    if (request.full !== undefined) options.full = request.full;
    if (request.today !== undefined) options.today = request.today;
    if (request.days !== undefined) options.days = [...request.days];
    if (request.dryRun === true) options.dryRun = true;
    if (request.day !== undefined) options.day = request.day;
    if (request.paths !== undefined) options.paths = [...request.paths];
    if (request.target !== undefined) options.target = request.target;
    if (request.force === true) options.force = true;
    const run = newRun({ action: request.action, device, options }, this.clock.now());
    await this.runs.create(run);
    this.enqueue(run);
    return run;
  }

  /** The device a request names, or the only known device when it names none. */
  async resolveDevice(device: string | undefined): Promise<string> {
    const known = (await this.devices.list()).map((info) => info.ref);
    if (device === undefined) {
      if (known.length === 1) return known[0]!;
      throw new InvalidRequestError(
        known.length === 0
          ? 'no device is known yet: check that the agents in controller.yaml are running, then pass --device agent/device'
          : `several devices are configured, say which one with device (--device): ${known.join(', ')}`,
      );
    }
    if (!known.includes(device)) {
      throw new DeviceUnknownError(
        `no device ${JSON.stringify(device)}; known devices: ${known.join(', ') || 'none (are the agents running?)'}`,
      );
    }
    return device;
  }

  async cancel(runId: string): Promise<CancelOutcome> {
    // Everything that decides the outcome is read before the first await: a run cannot move
    // from its queue to its executor (or finish) in between.
    for (const queue of this.waiting.values()) {
      const index = queue.indexOf(runId);
      if (index < 0) continue;
      queue.splice(index, 1);
      const run = await this.runs.get(runId);
      return { outcome: 'cancelled', run: await this.markCancelled(run!) };
    }
    const requested = this.executor.cancel(runId);
    const starting = !requested && [...this.running.values()].includes(runId);
    if (starting) this.cancelAtStart.add(runId);
    const run = await this.runs.get(runId);
    if (!run) return { outcome: 'unknown' };
    // A run can be on its way out of `running` after it finished: its record says so.
    return { outcome: (requested || starting) && !isFinished(run.status) ? 'requested' : 'finished', run };
  }

  activity(device: string): DeviceActivity {
    const activeRun = this.running.get(device);
    return { ...(activeRun ? { activeRun } : {}), queuedRuns: [...(this.waiting.get(device) ?? [])] };
  }

  /** Resolves when every queue is empty (shutdown, tests). */
  async drain(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }

  /**
   * For a controller that stops: queued runs are cancelled (nothing was written for them)
   * and running ones are waited for, so no write is abandoned by choice.
   */
  async shutdown(): Promise<void> {
    this.accepting = false;
    for (const [, queue] of this.waiting) {
      for (const runId of [...queue]) await this.cancel(runId);
    }
    await this.drain();
  }

  /** Called when running a run threw past the executor: only a failing run repository does. */
  onFailure(listener: (error: unknown, runId: string) => void): void {
    this.failures.push(listener);
  }

  private async markCancelled(run: Run): Promise<Run> {
    const cancelled: Run = { ...run, status: 'cancelled', finishedAt: this.clock.now().toISOString() };
    await this.runs.save(cancelled);
    await this.runs.appendEvent(run.id, { type: 'finished', status: 'cancelled' });
    return cancelled;
  }

  private enqueue(run: Run): void {
    const queue = this.waiting.get(run.device) ?? [];
    queue.push(run.id);
    this.waiting.set(run.device, queue);
    const previous = this.tails.get(run.device) ?? Promise.resolve();
    const tail = previous.then(() => this.startNext(run.device, run.id));
    this.tails.set(run.device, tail);
    void tail.finally(() => {
      if (this.tails.get(run.device) === tail) this.tails.delete(run.device);
    });
  }

  private async startNext(device: string, runId: string): Promise<void> {
    const queue = this.waiting.get(device) ?? [];
    const index = queue.indexOf(runId);
    if (index < 0) return; // cancelled while it waited
    queue.splice(index, 1);
    if (queue.length === 0) this.waiting.delete(device);
    this.running.set(device, runId);
    try {
      const run = await this.runs.get(runId);
      if (run && this.cancelAtStart.delete(runId)) await this.markCancelled(run);
      else if (run && run.status === 'queued') await this.executor.execute(run);
    } catch (error) {
      for (const listener of this.failures) listener(error, runId);
    } finally {
      this.running.delete(device);
      this.cancelAtStart.delete(runId);
    }
  }
}

function checkOptions(request: SubmitRequest): void {
  const { action } = request;
  if (request.full !== undefined && action !== 'store') {
    throw new InvalidRequestError(`full: only a store takes it, not ${action}`);
  }
  if (request.today !== undefined && action !== 'store' && action !== 'rebuild') {
    throw new InvalidRequestError(`today: only store and rebuild take it, not ${action}`);
  }
  if (action === 'verify' && (request.days === undefined || request.days.length === 0)) {
    throw new InvalidRequestError('days: verify needs the staging day(s) to compare, e.g. "days": ["2026-11-26"]');
  }
  if (request.dryRun !== undefined && action !== 'store' && action !== 'rebuild') {
    throw new InvalidRequestError(`dryRun: only store and rebuild take it, not ${action}`);
  }
  if (request.days !== undefined && action !== 'verify') {
    throw new InvalidRequestError(`days: only verify takes it; ${action} chooses its days itself`);
  }
  checkRestoreOptions(request);
}

/** A restore names its day and target (a valid one); no other action takes them. */
function checkRestoreOptions(request: SubmitRequest): void {
  const { action } = request;
  if (action !== 'restore') {
    for (const option of ['day', 'paths', 'target', 'force'] as const) {
      if (request[option] !== undefined)
        throw new InvalidRequestError(`${option}: only restore takes it, not ${action}`);
    }
    return;
  }
  if (request.day === undefined)
    throw new InvalidRequestError('day: restore needs the day to restore, e.g. "2026-11-26"');
  if (request.target === undefined)
    throw new InvalidRequestError('target: restore needs the name of the directory to restore into, e.g. "nov26"');
  const problem = restoreTargetProblem(request.target);
  if (problem) throw new InvalidRequestError(`target: "${request.target}" ${problem}: give one plain directory name`);
  // A bad glob is refused now, naming its problem, rather than failing the run later.
  for (const glob of request.paths ?? []) parseGlob(glob);
}
