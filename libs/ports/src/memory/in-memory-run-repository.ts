import type { Run, RunEvent, RunEventBody } from '../run.js';
import { UNFINISHED_STATUSES, type RunFilter, type RunRepository } from '../run-repository.js';

/** Runs and events in memory, copied in and out so callers never share state. For unit tests only. */
export class InMemoryRunRepository implements RunRepository {
  private readonly runs = new Map<string, Run>();
  private readonly eventLog = new Map<string, RunEvent[]>();

  async create(run: Run): Promise<void> {
    if (this.runs.has(run.id)) throw new Error(`run ${run.id} exists already`);
    this.runs.set(run.id, structuredClone(run));
  }

  async save(run: Run): Promise<void> {
    if (!this.runs.has(run.id)) throw new Error(`run ${run.id} does not exist`);
    this.runs.set(run.id, structuredClone(run));
  }

  async get(id: string): Promise<Run | null> {
    const run = this.runs.get(id);
    return run ? structuredClone(run) : null;
  }

  async list(filter: RunFilter = {}): Promise<Run[]> {
    return [...this.runs.values()]
      .filter((run) => (filter.status ? run.status === filter.status : true))
      .filter((run) => (filter.device ? run.device === filter.device : true))
      .reverse()
      .slice(0, filter.limit ?? Number.POSITIVE_INFINITY)
      .map((run) => structuredClone(run));
  }

  async appendEvent(runId: string, body: RunEventBody): Promise<RunEvent> {
    const events = this.eventLog.get(runId) ?? [];
    const event = { ...structuredClone(body), runId, seq: events.length + 1, at: new Date().toISOString() } as RunEvent;
    events.push(event);
    this.eventLog.set(runId, events);
    return structuredClone(event);
  }

  async events(runId: string, afterSeq = 0): Promise<RunEvent[]> {
    return (this.eventLog.get(runId) ?? []).filter((event) => event.seq > afterSeq).map((e) => structuredClone(e));
  }

  async finishAbandoned(at: Date, finish: (run: Run, events: RunEvent[]) => Run): Promise<Run[]> {
    const finished: Run[] = [];
    for (const run of [...this.runs.values()].filter((r) => UNFINISHED_STATUSES.includes(r.status))) {
      const done = finish(structuredClone(run), await this.events(run.id));
      this.runs.set(run.id, structuredClone(done));
      const events = this.eventLog.get(run.id) ?? [];
      const body: RunEventBody = {
        type: 'finished',
        status: done.status,
        ...(done.error ? { error: done.error } : {}),
      };
      events.push({ ...body, runId: run.id, seq: events.length + 1, at: at.toISOString() } as RunEvent);
      this.eventLog.set(run.id, events);
      finished.push(structuredClone(done));
    }
    return finished;
  }
}
