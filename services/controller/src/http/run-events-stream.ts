/**
 * A run's events as Server-Sent Events: the history first, then live events as the run
 * records them, each exactly once and in order. The subscription opens before the history
 * is read and buffers what arrives meanwhile; sequence numbers then drop what the history
 * already held, so nothing recorded in between is lost or sent twice. A reconnecting
 * client's `Last-Event-ID` resumes after the events it has.
 */
import { isFinished, type RunEvent } from '@cedar-store/ports';
import type { RequestHandler, Response } from 'express';
import type { ObservableRunRepository } from '../runs/run-events.js';
import { RequestRefusedError, runNotFound } from './errors.js';
import { NoQuerySchema, RunParamsSchema } from './schemas.js';
import { parseRequest } from './validate.js';

export type EventStreamLimits = {
  /** Comment lines this often keep proxies and load balancers from closing a quiet stream. */
  keepAliveMs: number;
  /**
   * A run's finished status is saved just before its finished event; a stream that finds
   * the run finished waits this long for that event before it ends without it.
   */
  finishedEventGraceMs: number;
};

export const DEFAULT_EVENT_STREAM_LIMITS: EventStreamLimits = { keepAliveMs: 15_000, finishedEventGraceMs: 1_000 };

/** The sequence number after which a reconnecting client wants events; 0 for the whole history. */
function resumeAfter(lastEventId: string | undefined): number {
  if (lastEventId === undefined) return 0;
  if (!/^\d{1,15}$/.test(lastEventId)) {
    throw new RequestRefusedError(
      400,
      'invalid request header: Last-Event-ID: must be the id of an event this stream sent (a whole number)',
    );
  }
  return Number(lastEventId);
}

export function runEventsRoute(runs: ObservableRunRepository, limits: EventStreamLimits): RequestHandler {
  return async (req, res) => {
    const { id } = parseRequest(RunParamsSchema, req.params, 'path');
    parseRequest(NoQuerySchema, req.query, 'query');
    const afterSeq = resumeAfter(req.get('last-event-id'));
    if (!(await runs.get(id))) throw runNotFound(id);
    // A HEAD would otherwise hold its connection open until the run ends, sending nothing.
    if (req.method === 'HEAD') {
      res.status(200).type('text/event-stream').end();
      return;
    }
    await new RunEventStream(runs, id, res, afterSeq, limits).start();
  };
}

class RunEventStream {
  private lastSeq: number;
  private live = false;
  private buffered: RunEvent[] = [];
  private readonly timers: Array<ReturnType<typeof setTimeout>> = [];
  private readonly unsubscribe: () => void;

  constructor(
    private readonly runs: ObservableRunRepository,
    private readonly runId: string,
    private readonly res: Response,
    afterSeq: number,
    private readonly limits: EventStreamLimits,
  ) {
    this.lastSeq = afterSeq;
    this.unsubscribe = runs.subscribe(runId, (event) => {
      if (this.live) this.deliver(event);
      else this.buffered.push(event);
    });
    res.on('close', () => this.stop());
  }

  private get ended(): boolean {
    return this.res.writableEnded || this.res.destroyed;
  }

  async start(): Promise<void> {
    // A client gone while the run was looked up has already had its close event.
    if (this.ended) {
      this.stop();
      return;
    }
    this.res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      // Reverse proxies that buffer responses would hold events back until the run ends.
      'X-Accel-Buffering': 'no',
    });
    this.res.flushHeaders();
    const keepAlive = setInterval(() => this.write(': keep-alive\n\n'), this.limits.keepAliveMs);
    keepAlive.unref();
    this.timers.push(keepAlive);

    for (const event of await this.runs.events(this.runId, this.lastSeq)) this.deliver(event);
    for (const event of this.buffered) this.deliver(event);
    this.buffered = [];
    this.live = true;
    if (!this.ended) await this.endIfAlreadyFinished();
  }

  /** A run that finished before the stream reached its end has nothing more to send. */
  private async endIfAlreadyFinished(): Promise<void> {
    const run = await this.runs.get(this.runId);
    if (this.ended || !run || !isFinished(run.status)) return;
    const clientHasIt = (await this.runs.events(this.runId, Math.max(0, this.lastSeq - 1))).some(
      (event) => event.type === 'finished' && event.seq <= this.lastSeq,
    );
    if (clientHasIt || this.ended) this.end();
    else this.timers.push(setTimeout(() => this.end(), this.limits.finishedEventGraceMs).unref());
  }

  private deliver(event: RunEvent): void {
    if (this.ended || event.seq <= this.lastSeq) return;
    this.lastSeq = event.seq;
    // A client that stops reading must not make the controller hold a whole run's progress in
    // memory: progress is dropped until the socket drains (the next one says where the run is);
    // steps, warnings and the end are always sent.
    if (event.type === 'progress' && this.res.writableNeedDrain) return;
    this.write(`id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    if (event.type === 'finished') this.end();
  }

  private write(text: string): void {
    if (!this.ended) this.res.write(text);
  }

  private end(): void {
    this.stop();
    if (!this.ended) this.res.end();
  }

  private stop(): void {
    this.unsubscribe();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.length = 0;
  }
}
