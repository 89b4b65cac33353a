import { CedarStoreError, toCedarStoreError, NamedError } from '@cedar-store/domain';
import type { Clock, Progress, Run, RunRepository, StepName } from '@cedar-store/ports';

/** Thrown at a step boundary when a user cancelled the run before its write began. */
export class RunCancelledError extends NamedError {
  constructor(step: StepName) {
    super(`run cancelled before step ${step}`);
  }
}

/** How often progress reaches the run's event stream at most: enough for a live bar. */
export const PROGRESS_INTERVAL_MS = 500;

type RunPatch = Partial<Omit<Run, 'id' | 'action' | 'device' | 'requestedAt' | 'options' | 'warnings'>>;

/**
 * What a use case holds while it runs: it records each decision on the run as it is
 * taken, times each step, streams progress and warnings as events, and honours a cancel
 * only at a step boundary before the write (once a disc is being written, the run finishes
 * so that the store indicator always matches the disc).
 */
export class RunContext {
  private pastPointOfNoReturn = false;
  private lastProgress: { at: number; phase: string } | null = null;
  private pendingEvents: Promise<unknown> = Promise.resolve();

  constructor(
    readonly run: Run,
    private readonly runs: RunRepository,
    private readonly clock: Clock,
    private readonly signal: AbortSignal,
  ) {}

  get device(): string {
    return this.run.device;
  }

  get cancelRequested(): boolean {
    return this.signal.aborted;
  }

  async record(patch: RunPatch): Promise<void> {
    Object.assign(this.run, patch);
    await this.runs.save(this.run);
  }

  async warn(code: string, message: string): Promise<void> {
    this.run.warnings.push({ code, message });
    await this.runs.save(this.run);
    await this.event({ type: 'warning', code, message });
  }

  /**
   * Marks the moment after which a cancel no longer stops the run: call it first thing
   * inside the write step, so a cancel that came before still stops at that step's boundary.
   */
  commit(): void {
    this.pastPointOfNoReturn = true;
  }

  async step<T>(step: StepName, work: () => Promise<T>): Promise<T> {
    if (this.signal.aborted && !this.pastPointOfNoReturn) throw new RunCancelledError(step);
    await this.event({ type: 'step', step, state: 'started' });
    const started = performance.now();
    try {
      const result = await work();
      await this.flushProgress();
      await this.event({ type: 'step', step, state: 'finished', durationMs: elapsed(started) });
      return result;
    } catch (error) {
      await this.flushProgress();
      const detail = error instanceof CedarStoreError ? `${error.code}: ${error.message}` : String(error);
      await this.event({ type: 'step', step, state: 'failed', durationMs: elapsed(started), detail });
      throw error;
    }
  }

  async skip(step: StepName, detail: string): Promise<void> {
    await this.event({ type: 'step', step, state: 'skipped', detail });
  }

  /** A progress listener for the ports: throttled, ordered, never throws into the caller. */
  readonly onProgress = (progress: Progress): void => {
    const now = performance.now();
    const done = progress.bytesDone >= progress.bytesTotal;
    const last = this.lastProgress;
    if (!done && last && last.phase === progress.phase && now - last.at < PROGRESS_INTERVAL_MS) return;
    this.lastProgress = { at: now, phase: progress.phase };
    this.pendingEvents = this.pendingEvents
      .then(() => this.runs.appendEvent(this.run.id, { type: 'progress', ...progress }))
      .catch(() => undefined);
  };

  now(): string {
    return this.clock.now().toISOString();
  }

  private async flushProgress(): Promise<void> {
    await this.pendingEvents;
  }

  private async event(body: Parameters<RunRepository['appendEvent']>[1]): Promise<void> {
    await this.flushProgress();
    await this.runs.appendEvent(this.run.id, body);
  }
}

function elapsed(started: number): number {
  return Math.max(0, Math.round(performance.now() - started));
}

/** Errors that leave a run, as the run records them. */
export function runError(error: unknown): { code: string; message: string } {
  const coded = toCedarStoreError(error);
  return { code: coded.code, message: coded.message };
}
