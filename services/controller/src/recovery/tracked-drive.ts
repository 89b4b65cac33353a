/**
 * A run's drive: every write, blank, initialize and verify gets an operation id
 * (`<runId>:<step>`), recorded on the run before the agent is asked, so the agent journals it
 * under that id and a controller that loses track of it (a restart, a dropped connection) can
 * ask the agent how it ended. `running` on the run's operation means exactly that: asked, and
 * no answer known yet. If the answer never comes, LostOperations learns it later from the
 * agent's journal under the same id.
 */
import { toCedarStoreError, type DayStamp } from '@cedar-store/domain';
import type {
  AuditRequest,
  AuditResult,
  JournaledMethod,
  MediaDrive,
  MediaStatus,
  OperationOptions,
  ProgressListener,
  RestoreRequest,
  RestoreResult,
  Run,
  VerifyReport,
  WriteResult,
} from '@cedar-store/ports';

/** What the drive needs of its run: the run's id, and recording its operation and warnings on it. */
export type OperationLog = {
  readonly run: { readonly id: string };
  record(patch: Pick<Run, 'operation'>): Promise<void>;
  warn(code: string, message: string): Promise<void>;
};

export class TrackedDrive implements MediaDrive {
  private readonly used = new Map<string, number>();

  constructor(
    private readonly inner: MediaDrive,
    private readonly ctx: OperationLog,
  ) {}

  status(): Promise<MediaStatus> {
    return this.inner.status();
  }

  estimate(request: Parameters<MediaDrive['estimate']>[0]): ReturnType<MediaDrive['estimate']> {
    return this.inner.estimate(request);
  }

  exportImage(request: { days: DayStamp[]; label: string }): Promise<{ path: string; bytes: number }> {
    return this.inner.exportImage(request);
  }

  write(request: Parameters<MediaDrive['write']>[0], onProgress?: ProgressListener): Promise<WriteResult> {
    return this.track('media.write', (op) => this.inner.write(request, onProgress, op));
  }

  blank(onProgress?: ProgressListener): Promise<void> {
    return this.track('media.blank', (op) => this.inner.blank(onProgress, op));
  }

  initialize(label: string): Promise<void> {
    return this.track('media.initialize', (op) => this.inner.initialize(label, op));
  }

  verify(request: Parameters<MediaDrive['verify']>[0], onProgress?: ProgressListener): Promise<VerifyReport> {
    return this.track('media.verify', (op) => this.inner.verify(request, onProgress, op));
  }

  /** An audit is journaled by the agent like a verify, under `<runId>:audit`. */
  audit(request?: AuditRequest, onProgress?: ProgressListener): Promise<AuditResult> {
    return this.track('media.audit', (op) => this.inner.audit(request, onProgress, op));
  }

  /**
   * A restore is named `<runId>:restore` too, for the hashes the agent records under it; the agent
   * does not journal it (it changes no disc), so it is not recorded as the run's operation.
   */
  restore(request: RestoreRequest, onProgress?: ProgressListener): Promise<RestoreResult> {
    const step = 'restore';
    const count = (this.used.get(step) ?? 0) + 1;
    this.used.set(step, count);
    const opId = count === 1 ? `${this.ctx.run.id}:${step}` : `${this.ctx.run.id}:${step}-${count}`;
    return this.inner.restore(request, onProgress, { opId });
  }

  private async track<T>(method: JournaledMethod, work: (operation: OperationOptions) => Promise<T>): Promise<T> {
    const opId = this.nextId(method);
    await this.ctx.record({ operation: { opId, method, state: 'running' } });
    const onConnectionLost = (message: string): void => {
      this.ctx.warn('AGENT_CONNECTION_LOST', message).catch(() => undefined);
    };
    try {
      const result = await work({ opId, onConnectionLost });
      await this.ctx.record({ operation: { opId, method, state: 'succeeded' } });
      return result;
    } catch (error) {
      const coded = toCedarStoreError(error);
      // AGENT_LOST without a learned outcome: the agent may still be at work; the run keeps
      // `running` so the outcome is asked for when the agent is back.
      const state = coded.code !== 'AGENT_LOST' ? 'failed' : coded.details?.outcome === 'unknown' ? 'unknown' : null;
      if (state) await this.ctx.record({ operation: { opId, method, state } });
      throw error;
    }
  }

  /** `<runId>:write`, then `<runId>:write-2` should a run ever repeat one: an id is used once. */
  private nextId(method: JournaledMethod): string {
    const step = method.slice('media.'.length);
    const count = (this.used.get(step) ?? 0) + 1;
    this.used.set(step, count);
    return count === 1 ? `${this.ctx.run.id}:${step}` : `${this.ctx.run.id}:${step}-${count}`;
  }
}
