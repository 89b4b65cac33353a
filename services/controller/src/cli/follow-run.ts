/**
 * Follows a run to its end over its event stream (history first, then live), the way a
 * nightly cron job needs it to: a dropped stream is resumed with Last-Event-ID so no event
 * is lost or shown twice; a stream that keeps failing, or a controller without one, gives
 * way to polling the run; a controller that stays away ends the wait with exit 3.
 */
import type { Run, RunEventBody } from '@cedar-store/ports';
import { isFinished } from '@cedar-store/ports/constants';
import { NamedError } from '@cedar-store/domain/errors';
import type { ApiClient } from './api-client.js';
import { CliError, UnreachableError } from './exit-codes.js';
import { formatDuration } from './format.js';
import type { RunReporter } from './reporters.js';
import type { ClientSettings } from './settings.js';
import { readSse, SseParser } from './sse.js';

export type FollowOptions = { client: ApiClient; reporter: RunReporter; settings: ClientSettings };

type StreamOutcome =
  /** The `finished` event arrived. */
  | { kind: 'finished' }
  /**
   * The stream ended or broke before it; `newEvents` says whether it brought anything,
   * `closed` whether the controller ended it cleanly (rather than the connection breaking).
   */
  | { kind: 'dropped'; newEvents: boolean; closed: boolean; reason: string }
  /** This controller does not stream events (or not for this run): poll instead. */
  | { kind: 'unsupported'; reason: string };

const EVENT_TYPES = new Set(['step', 'progress', 'warning', 'finished']);

/** Resolves with the run as finally recorded. */
export async function followRun(run: Run, options: FollowOptions): Promise<Run> {
  if (isFinished(run.status)) return run;
  return new RunFollower(run, options).follow();
}

class RunFollower {
  private lastEventId: string | undefined;
  private lastSeq: number | undefined;
  private readonly unreachable = new UnreachableClock();

  constructor(
    private readonly run: Run,
    private readonly options: FollowOptions,
  ) {}

  async follow(): Promise<Run> {
    const { settings, reporter } = this.options;
    let failures = 0;
    while (failures < settings.maxReconnects) {
      const outcome = await this.streamOnce();
      if (outcome.kind === 'finished') return this.poll();
      if (outcome.kind === 'unsupported') {
        reporter.notice(
          `${outcome.reason}; following the run by reading it every ${formatDuration(settings.pollIntervalMs)}`,
        );
        return this.poll();
      }
      // A controller may end the stream of a run that finished without its finished event reaching it.
      if (outcome.closed) {
        const finished = await this.readIfFinished();
        if (finished) return finished;
      }
      failures = outcome.newEvents ? 0 : failures + 1;
      const delay = Math.min(settings.maxReconnectDelayMs, settings.reconnectDelayMs * 2 ** Math.max(0, failures - 1));
      reporter.notice(`event stream lost (${outcome.reason}); reconnecting in ${formatDuration(delay)}`);
      await sleep(delay);
    }
    reporter.notice(
      `event stream failed ${failures} times in a row; following the run by reading it every ${formatDuration(settings.pollIntervalMs)}`,
    );
    return this.poll();
  }

  /** Reads the run until it has finished, riding out a controller that is briefly away. */
  private async poll(): Promise<Run> {
    const { client, reporter, settings } = this.options;
    for (;;) {
      try {
        const run = await client.getRun(this.run.id);
        this.unreachable.reset();
        reporter.polled(run);
        if (isFinished(run.status)) return run;
      } catch (error) {
        if (!(error instanceof UnreachableError)) throw error;
        this.unreachable.failed(error, settings.maxUnreachableMs);
      }
      await sleep(settings.pollIntervalMs);
    }
  }

  /** The run, if it has finished; undefined while it runs or when it cannot be read right now. */
  private async readIfFinished(): Promise<Run | undefined> {
    try {
      const run = await this.options.client.getRun(this.run.id);
      if (!isFinished(run.status)) return undefined;
      this.options.reporter.polled(run);
      return run;
    } catch (error) {
      if (error instanceof UnreachableError) return undefined;
      throw error;
    }
  }

  private async streamOnce(): Promise<StreamOutcome> {
    const { client, settings } = this.options;
    const abort = new AbortController();
    let idle: NodeJS.Timeout | undefined;
    const touch = (): void => {
      clearTimeout(idle);
      idle = setTimeout(() => abort.abort(new IdleTimeout(settings.streamIdleTimeoutMs)), settings.streamIdleTimeoutMs);
    };
    let newEvents = false;
    try {
      touch();
      const response = await client.openEvents(this.run.id, this.lastEventId, abort.signal);
      this.unreachable.reset();
      if (!response.ok || !response.body) {
        response.cancel();
        return { kind: 'unsupported', reason: `the event stream answered ${response.status}` };
      }
      if (!(response.header('content-type') ?? '').includes('text/event-stream')) {
        response.cancel();
        return { kind: 'unsupported', reason: 'the controller answered the event stream with something else' };
      }
      for await (const message of readSse(response.body, new SseParser(), touch)) {
        const event = this.accept(message.id, message.event, message.data);
        if (!event) continue;
        newEvents = true;
        this.options.reporter.event(event);
        if (event.type === 'finished') return { kind: 'finished' };
      }
      return { kind: 'dropped', newEvents, closed: true, reason: 'the controller closed it before the run finished' };
    } catch (error) {
      if (error instanceof CliError && !(error instanceof UnreachableError)) throw error;
      if (error instanceof UnreachableError) {
        this.unreachable.failed(error, settings.maxUnreachableMs);
        return { kind: 'dropped', newEvents, closed: false, reason: 'controller unreachable' };
      }
      const reason = abort.signal.reason instanceof IdleTimeout ? abort.signal.reason.message : describe(error);
      return { kind: 'dropped', newEvents, closed: false, reason };
    } finally {
      clearTimeout(idle);
      abort.abort();
    }
  }

  /** The event a message carries, or undefined for one already seen or not understood. */
  private accept(id: string | undefined, eventName: string, data: string): RunEventBody | undefined {
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      return undefined;
    }
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const body = parsed as Record<string, unknown>;
    const type = typeof body.type === 'string' ? body.type : eventName;
    if (!EVENT_TYPES.has(type)) return undefined;
    const seq = typeof body.seq === 'number' ? body.seq : id !== undefined && /^\d+$/.test(id) ? Number(id) : undefined;
    // A controller that ignores Last-Event-ID replays the whole history: what was shown stays shown once.
    if (seq !== undefined && this.lastSeq !== undefined && seq <= this.lastSeq) return undefined;
    if (seq !== undefined) this.lastSeq = seq;
    if (id !== undefined) this.lastEventId = id;
    return { ...body, type } as RunEventBody;
  }
}

/** How long the controller has been unreachable in a row; past the limit the wait ends (exit 3). */
class UnreachableClock {
  private since: number | undefined;

  reset(): void {
    this.since = undefined;
  }

  failed(error: UnreachableError, limitMs: number): void {
    const now = Date.now();
    this.since ??= now;
    if (now - this.since >= limitMs) {
      throw new UnreachableError(
        `${error.message} Gave up following the run after ${formatDuration(now - this.since)}; ` +
          'it may still be running: see `cedar-store runs`.',
      );
    }
  }
}

class IdleTimeout extends NamedError {
  constructor(ms: number) {
    super(`no data for ${formatDuration(ms)}`);
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
  }
  return String(error);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
