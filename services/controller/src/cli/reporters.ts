/**
 * What a user watching a run sees on stderr (stdout stays free for `--json` and the
 * summary): a live bar on a terminal; plain timestamped lines in a cron log or a pipe; or
 * only warnings with `--quiet`, so cron mails only when something went wrong or needs a look
 * (a crossed midnight, a nearly full disc).
 */
import { createRequire } from 'node:module';
import type { Run, RunEventBody } from '@cedar-store/ports';
import type * as CliProgress from 'cli-progress';
import type { SingleBar } from 'cli-progress';
import { formatBytes, formatDuration, formatRate } from './format.js';
import { RateMeter } from './rate-meter.js';
import { eventLine, progressLine, warningLine } from './run-lines.js';

/**
 * The bar library loads when the first bar is drawn: a cron job or a pipe (plain lines) and
 * --quiet never draw one, so they never pay for loading it. It is CommonJS, so `require`
 * loads it at once, in step with the event that draws the bar.
 */
function loadCliProgress(): typeof CliProgress {
  return createRequire(import.meta.url)('cli-progress') as typeof CliProgress;
}

/** The part of a Node stream the CLI writes to; tests pass an in-memory one. */
export type OutputStream = { write(chunk: string): unknown; isTTY?: boolean; columns?: number };

type ProgressEvent = Extract<RunEventBody, { type: 'progress' }>;

export interface RunReporter {
  /** The run was accepted and is being followed. */
  following(run: Run): void;
  event(event: RunEventBody): void;
  /** Something about the following itself (stream lost, polling instead). */
  notice(message: string): void;
  /** The run as last read, when events come by polling instead of the stream. */
  polled(run: Run): void;
  /** Stops timers and leaves the terminal clean; called once, whatever happened. */
  close(): void;
}

export type ReporterOptions = {
  stream: OutputStream;
  mode: 'tty' | 'plain' | 'quiet';
  plainProgressEveryMs: number;
  now?: () => number;
};

export function createReporter(options: ReporterOptions): RunReporter {
  if (options.mode === 'quiet') return new QuietReporter(options.stream);
  if (options.mode === 'tty') return new TtyReporter(options.stream, options.now ?? Date.now);
  return new PlainReporter(options.stream, options.plainProgressEveryMs, options.now ?? Date.now);
}

/** Silent but for warnings: they are what a user told to watch for (warnMidnite) and must reach cron's mail. */
class QuietReporter implements RunReporter {
  private readonly warned = new Set<string>();

  constructor(private readonly stream: OutputStream) {}

  following(run: Run): void {
    this.polled(run);
  }
  event(event: RunEventBody): void {
    if (event.type === 'warning') this.warn(event);
  }
  notice(): void {}
  polled(run: Run): void {
    for (const warning of run.warnings ?? []) this.warn(warning);
  }
  close(): void {}

  private warn(warning: { code: string; message: string }): void {
    const line = warningLine(warning);
    // The stream replays history and polling re-reads the run: say each warning once.
    if (this.warned.has(line)) return;
    this.warned.add(line);
    this.stream.write(`${line}\n`);
  }
}

/** Shared by both displays: a line per event, and a status line when only polling tells the story. */
abstract class LineReporter implements RunReporter {
  protected runId = '?';
  private lastPolledStatus: string | undefined;

  following(run: Run): void {
    this.runId = run.id;
    this.lastPolledStatus = run.status;
    this.line(`run ${run.id}: ${run.action} on ${run.device}, ${run.status}`);
  }

  event(event: RunEventBody): void {
    if (event.type === 'progress') return this.progress(event);
    if (event.type === 'finished') this.lastPolledStatus = event.status;
    const line = eventLine(this.runId, event);
    if (line) this.line(line);
  }

  notice(message: string): void {
    this.line(message);
  }

  polled(run: Run): void {
    if (run.status === this.lastPolledStatus) return;
    this.lastPolledStatus = run.status;
    this.line(`run ${run.id}: ${run.status}`);
  }

  abstract close(): void;
  protected abstract line(text: string): void;
  protected abstract progress(event: ProgressEvent): void;
}

/** When the controller saw the progress (its `at`), so rates hold for events that arrive in a burst. */
function progressTime(event: ProgressEvent, now: () => number): number {
  const at = (event as { at?: unknown }).at;
  const parsed = typeof at === 'string' ? Date.parse(at) : Number.NaN;
  return Number.isFinite(parsed) ? parsed : now();
}

/** The phase has reached its total: the last sample of its rate. */
function phaseDone(event: ProgressEvent): boolean {
  return event.bytesTotal > 0 && event.bytesDone >= event.bytesTotal;
}

/**
 * One timestamped line per step, warning and tenth of progress: greppable, and small in a
 * log. Each tenth (0 %, 10 %, … 100 %) gets its line once, also when one event jumps past
 * several; between tenths, a slow phase still gets a line every `everyMs`.
 */
export class PlainReporter extends LineReporter {
  private phase: string | undefined;
  private lastTenth = -1;
  private lastLineAt = 0;
  private readonly meter = new RateMeter();

  constructor(
    private readonly stream: OutputStream,
    private readonly everyMs: number,
    private readonly now: () => number,
  ) {
    super();
  }

  close(): void {}

  protected line(text: string): void {
    this.stream.write(`${new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, 'Z')} ${text}\n`);
  }

  protected progress(event: ProgressEvent): void {
    const at = this.now();
    if (event.phase !== this.phase) {
      this.phase = event.phase;
      this.lastTenth = -1;
      this.meter.reset();
    }
    this.meter.add(progressTime(event, this.now), event.bytesDone);
    const done = phaseDone(event);
    const figures = {
      phase: event.phase,
      bytesTotal: event.bytesTotal,
      rate: this.meter.rate(done),
      etaMs: this.meter.etaMs(event.bytesTotal, done),
    };
    const total = event.bytesTotal;
    const tenth = total > 0 ? Math.min(10, Math.floor((event.bytesDone / total) * 10)) : 0;
    if (tenth > this.lastTenth) {
      for (let next = this.lastTenth + 1; next <= tenth; next += 1) {
        // The line of a tenth says that tenth: its share of the total, at the rate seen now;
        // the time left is the one from here, on the last line only.
        const bytesDone = Math.ceil((total * next) / 10);
        this.line(progressLine({ ...figures, bytesDone, ...(next < tenth ? { etaMs: undefined } : {}) }));
      }
      this.lastTenth = tenth;
      this.lastLineAt = at;
      return;
    }
    if (at - this.lastLineAt < this.everyMs) return;
    this.lastLineAt = at;
    this.line(progressLine({ ...figures, bytesDone: event.bytesDone }));
  }
}

/** A live bar for the current phase (blank, write, verify), with step lines printed above it. */
export class TtyReporter extends LineReporter {
  private bar: SingleBar | undefined;
  private barPhase: string | undefined;
  private barTotal = 0;
  private readonly meter = new RateMeter();

  constructor(
    private readonly stream: OutputStream,
    private readonly now: () => number,
  ) {
    super();
  }

  close(): void {
    this.stopBar();
  }

  protected line(text: string): void {
    // A line written under a live bar would be overdrawn: the bar is closed (its last state stays on screen).
    this.stopBar();
    this.stream.write(`${text}\n`);
  }

  protected progress(event: ProgressEvent): void {
    if (this.bar && this.barPhase !== event.phase) this.stopBar();
    if (!this.bar) {
      this.meter.reset();
      this.barPhase = event.phase;
      this.barTotal = event.bytesTotal;
      const { Presets, SingleBar } = loadCliProgress();
      this.bar = new SingleBar(
        {
          stream: this.stream as NodeJS.WritableStream,
          format: '{phase} [{bar}] {percentage}% | {doneText} of {totalText} | {rateText} | ETA {etaText}',
          barsize: 30,
          hideCursor: false,
          clearOnComplete: false,
          // cli-progress would take over SIGINT and keep Ctrl-C from ending the CLI.
          gracefulExit: false,
          // Truncates the bar to the terminal's width instead of switching the terminal's wrapping
          // off, which a Ctrl-C in mid-bar would leave off for the user's shell.
          linewrap: true,
          fps: 5,
        },
        Presets.shades_classic,
      );
      this.bar.start(Math.max(1, event.bytesTotal), 0, this.payload(event));
    }
    if (event.bytesTotal !== this.barTotal && event.bytesTotal > 0) {
      this.barTotal = event.bytesTotal;
      this.bar.setTotal(event.bytesTotal);
    }
    this.meter.add(progressTime(event, this.now), event.bytesDone);
    this.bar.update(event.bytesDone, this.payload(event));
  }

  private payload(event: ProgressEvent): Record<string, string> {
    const done = phaseDone(event);
    const rate = this.meter.rate(done);
    const eta = this.meter.etaMs(event.bytesTotal, done);
    return {
      phase: event.phase.padEnd(6),
      doneText: formatBytes(event.bytesDone),
      totalText: formatBytes(event.bytesTotal),
      rateText: rate === undefined ? '-' : formatRate(rate),
      etaText: eta === undefined ? '-' : formatDuration(eta),
    };
  }

  private stopBar(): void {
    this.bar?.stop();
    this.bar = undefined;
    this.barPhase = undefined;
  }
}
