/**
 * Tells the configured targets about finished runs. It only listens to the run repository's
 * saves: a run never waits for it, and nothing it does (a receiver down, a slow SMTP server)
 * reaches a run. Each target is tried in the background, retried with exponential backoff for
 * a bounded time, and every attempt is logged and counted; secrets never reach a log.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Run } from '@cedar-store/ports';
import type { Logger } from 'pino';
import { errorMessage } from '@cedar-store/domain';
import type { NotifyTargetConfig } from '../config/notify-config.js';
import { sendEmail } from './email.js';
import { reportRun, type RunReport } from './run-report.js';
import { postWebhook, webhookBody, webhookOrigin } from './webhook.js';

/** delivered: the target took it; error: one attempt failed (retried); gave_up: no more attempts. */
export const NOTIFY_OUTCOMES = ['delivered', 'error', 'gave_up'] as const;
export type NotifyOutcome = (typeof NOTIFY_OUTCOMES)[number];

export type RetryPolicy = {
  /** Wait before the second attempt; doubled each time up to `maxDelayMs`. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** No attempt starts later than this after the run finished. */
  giveUpAfterMs: number;
};

export const DEFAULT_RETRY: RetryPolicy = { firstDelayMs: 10_000, maxDelayMs: 10 * 60_000, giveUpAfterMs: 60 * 60_000 };

export type NotifierOptions = {
  logger: Logger;
  /** Counts each attempt's outcome (cedar_store_notifications_total). */
  count?: (target: string, outcome: NotifyOutcome) => void;
  retry?: Partial<RetryPolicy>;
  /** How one target is sent to (tests replace it); by default by webhook or email. */
  send?: (target: NotifyTargetConfig, run: Run, report: RunReport, signal: AbortSignal) => Promise<void>;
};

/** How long a stopping controller waits for an attempt in flight (an SMTP dialogue cannot be cut short). */
const CLOSE_GRACE_MS = 5_000;

/** Runs already reported, so a finished run saved again is not reported twice. */
const REPORTED_RUNS_REMEMBERED = 10_000;

export class Notifier {
  private readonly retry: RetryPolicy;
  private readonly stopping = new AbortController();
  private readonly pending = new Set<Promise<void>>();
  private readonly reported = new Set<string>();

  constructor(
    private readonly targets: readonly NotifyTargetConfig[],
    private readonly options: NotifierOptions,
  ) {
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
  }

  /** Called with every saved run; starts the deliveries of a finished one and returns at once. */
  runSaved(run: Run): void {
    if (this.stopping.signal.aborted || this.reported.has(run.id)) return;
    const report = reportRun(run);
    if (!report) return;
    this.remember(run.id);
    for (const target of this.targets) {
      if (!target.on.includes(report.event)) continue;
      const delivery = this.deliver(target, run, report).finally(() => this.pending.delete(delivery));
      this.pending.add(delivery);
    }
  }

  /** Stops retrying (shutdown): no new attempt starts; one in flight gets a few seconds to end. */
  async close(): Promise<void> {
    this.stopping.abort();
    const grace = new AbortController();
    await Promise.race([
      Promise.allSettled([...this.pending]),
      sleep(CLOSE_GRACE_MS, undefined, { signal: grace.signal }).catch(() => undefined),
    ]);
    grace.abort();
  }

  /** Resolves when every delivery started so far has ended (tests). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private async deliver(target: NotifyTargetConfig, run: Run, report: RunReport): Promise<void> {
    const signal = this.stopping.signal;
    const started = Date.now();
    const where = describeTarget(target);
    const context = { runId: run.id, target: target.name, to: where, event: report.event };
    let delay = this.retry.firstDelayMs;
    const giveUp = (attempt: number, reason: string): void => {
      this.options.count?.(target.name, 'gave_up');
      this.options.logger.error(
        { ...context, attempts: attempt, reason },
        signal.aborted
          ? 'notification not delivered: the controller is stopping'
          : `notification not delivered: gave up after ${attempt} attempts; check the target (the run itself is in cedar-store runs)`,
      );
    };
    for (let attempt = 1; ; attempt++) {
      try {
        await this.send(target, run, report, signal);
        this.options.count?.(target.name, 'delivered');
        this.options.logger.info({ ...context, attempt }, 'notification delivered');
        return;
      } catch (error) {
        this.options.count?.(target.name, 'error');
        const reason = errorMessage(error);
        if (signal.aborted || Date.now() + delay - started > this.retry.giveUpAfterMs) return giveUp(attempt, reason);
        this.options.logger.warn({ ...context, attempt, reason, retryInMs: delay }, 'notification failed, will retry');
        await sleep(delay, undefined, { signal }).catch(() => undefined);
        if (signal.aborted) return giveUp(attempt, reason);
        delay = Math.min(delay * 2, this.retry.maxDelayMs);
      }
    }
  }

  private send(target: NotifyTargetConfig, run: Run, report: RunReport, signal: AbortSignal): Promise<void> {
    if (this.options.send) return this.options.send(target, run, report, signal);
    if (target.kind === 'webhook') return postWebhook(target, webhookBody(run, report), signal);
    return sendEmail(target, report);
  }

  private remember(runId: string): void {
    this.reported.add(runId);
    if (this.reported.size > REPORTED_RUNS_REMEMBERED) {
      const oldest = this.reported.values().next().value;
      if (oldest !== undefined) this.reported.delete(oldest);
    }
  }
}

/** Where a target delivers, with nothing secret: a webhook's origin, an email's SMTP server. */
function describeTarget(target: NotifyTargetConfig): string {
  return target.kind === 'webhook' ? webhookOrigin(target.url) : `smtp ${target.smtp.host}:${target.smtp.port}`;
}
