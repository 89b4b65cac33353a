/**
 * Live run events. Every event a run records goes through the repository; this decorator
 * tells subscribers (the SSE route, the metrics) about each one after it is stored, so a
 * subscriber that first reads the history and then listens misses nothing and sees nothing
 * twice (it skips seq numbers it already has).
 */
import { EventEmitter } from 'node:events';
import type { Run, RunEvent, RunEventBody, RunFilter, RunRepository } from '@cedar-store/ports';

export type RunEventListener = (event: RunEvent) => void;
export type RunSavedListener = (run: Run) => void;

export class ObservableRunRepository implements RunRepository {
  private readonly emitter = new EventEmitter();

  constructor(private readonly inner: RunRepository) {
    // One listener per open SSE stream: many are normal, not a leak.
    this.emitter.setMaxListeners(0);
  }

  /** Calls `listener` with each new event of one run; returns the unsubscribe function. */
  subscribe(runId: string, listener: RunEventListener): () => void {
    const channel = `event:${runId}`;
    this.emitter.on(channel, listener);
    return () => this.emitter.off(channel, listener);
  }

  /** Calls `listener` with every event of every run (metrics). */
  onEvent(listener: RunEventListener): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  /** Calls `listener` each time any run is created or saved (metrics). */
  onSaved(listener: RunSavedListener): () => void {
    this.emitter.on('saved', listener);
    return () => this.emitter.off('saved', listener);
  }

  async create(run: Run): Promise<void> {
    await this.inner.create(run);
    this.emit('saved', run);
  }

  async save(run: Run): Promise<void> {
    await this.inner.save(run);
    this.emit('saved', run);
  }

  get(id: string): Promise<Run | null> {
    return this.inner.get(id);
  }

  list(filter?: RunFilter): Promise<Run[]> {
    return this.inner.list(filter);
  }

  async appendEvent(runId: string, body: RunEventBody): Promise<RunEvent> {
    const event = await this.inner.appendEvent(runId, body);
    this.emit(`event:${runId}`, event);
    this.emit('event', event);
    return event;
  }

  events(runId: string, afterSeq?: number): Promise<RunEvent[]> {
    return this.inner.events(runId, afterSeq);
  }

  async finishAbandoned(at: Date, finish: (run: Run, events: RunEvent[]) => Run): Promise<Run[]> {
    const finished = await this.inner.finishAbandoned(at, finish);
    for (const run of finished) this.emit('saved', run);
    return finished;
  }

  /** A throwing subscriber must never break the run that produced the event. */
  private emit(channel: string, value: unknown): void {
    for (const listener of this.emitter.listeners(channel)) {
      try {
        (listener as (value: unknown) => void)(value);
      } catch {
        // Subscribers are observers; their failures are theirs.
      }
    }
  }
}
