/**
 * Runs one run to its end: marks it running, hands it to its action's use case, and records
 * how it finished. Every outcome, including a crash inside a use case, ends as a finished
 * run with a coded error a user can act on; only a failing run repository is thrown.
 */
import { TOKENS, type Clock, type Run, type RunRepository } from '@cedar-store/ports';
import { inject, injectable } from 'inversify';
import { RunCancelledError, RunContext, runError } from './run-context.js';
import { USE_CASES, type UseCases } from './use-case.js';

@injectable()
export class RunExecutor {
  private readonly active = new Map<string, AbortController>();

  constructor(
    @inject(TOKENS.RunRepository) private readonly runs: RunRepository,
    @inject(TOKENS.Clock) private readonly clock: Clock,
    /** Given by the composition root, so this folder never imports the use cases' folders. */
    @inject(USE_CASES) private readonly useCases: UseCases,
  ) {}

  /** Runs a queued run to its end and returns it as finally recorded. */
  async execute(queued: Run): Promise<Run> {
    const run: Run = structuredClone(queued);
    const abort = new AbortController();
    this.active.set(run.id, abort);
    const ctx = new RunContext(run, this.runs, this.clock, abort.signal);
    try {
      await ctx.record({ status: 'running', startedAt: ctx.now() });
      await this.useCases[run.action].execute(ctx);
      if (ctx.cancelRequested) {
        await ctx.warn(
          'CANCEL_IGNORED',
          'cancel was asked after the write began; the run finished so the disc and store indicator agree',
        );
      }
      await this.finish(ctx, 'succeeded');
    } catch (error) {
      if (error instanceof RunCancelledError) await this.finish(ctx, 'cancelled');
      else await this.finish(ctx, 'failed', runError(error));
    } finally {
      this.active.delete(run.id);
    }
    return run;
  }

  /** Asks a running run to stop at its next step boundary; false when it is not running here. */
  cancel(runId: string): boolean {
    const abort = this.active.get(runId);
    abort?.abort();
    return abort !== undefined;
  }

  private async finish(
    ctx: RunContext,
    status: Run['status'],
    error?: { code: string; message: string },
  ): Promise<void> {
    await ctx.record({ status, finishedAt: ctx.now(), ...(error ? { error } : {}) });
    await this.runs.appendEvent(ctx.run.id, { type: 'finished', status, ...(error ? { error } : {}) });
  }
}
