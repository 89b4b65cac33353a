/**
 * Outcomes of operations the controller lost track of. A run whose write, blank, initialize
 * or verify was in flight when the controller restarted (`interrupted`) or when its agent
 * went away for too long (`failed`, AGENT_LOST) still says `operation.state: running`. Each
 * time an agent connects, the controller asks that agent's journal how those operations
 * ended and records it on the run. A store or rebuild never gets its store indicator this
 * way; a failed operation fails the run, a verify's report decides it, a finished initialize
 * succeeds. Why: docs/decisions/0007-a-late-outcome-never-stores.md. A store's or rebuild's
 * verify learned to have passed brings the manifest the agent kept for it into the catalog,
 * when the catalog holds the session (docs/manifest-and-find.md).
 */
import type {
  CatalogSession,
  Clock,
  DeviceDirectory,
  ManifestCatalog,
  MediaCatalog,
  OperationRecord,
  Run,
  RunRepository,
  VerifyReport,
  WriteResult,
} from '@cedar-store/ports';
import { errorMessage } from '@cedar-store/domain';
import { importManifest } from '../sessions/manifest-recorder.js';
import { differencesFound, readBackIdentical, recordSession } from '../sessions/written-session.js';
import { unstoredAdvice } from './unstored-advice.js';

/** Recent runs of each finished status looked through on each connect; older ones stay as they are. */
export const LOST_OPERATION_SCAN_LIMIT = 200;
/** How soon an operation still running on the agent is asked about again. */
export const LOST_OPERATION_RETRY_MS = 10_000;
const CHUNK = 32;

type Settlement = { status: Run['status']; error?: Run['error']; patch: Partial<Run>; note: string };

export class LostOperations {
  private readonly busy = new Map<string, Promise<void>>();
  private readonly retries = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly runs: RunRepository,
    private readonly devices: DeviceDirectory,
    private readonly catalog: MediaCatalog,
    private readonly clock: Clock,
    /** Where a late-learned verify's manifest is filed; without it, none is. */
    private readonly manifests?: ManifestCatalog,
  ) {}

  /** Starts asking each agent that connects. */
  watch(): void {
    this.devices.onAgentConnected?.((agentId) => void this.resolve(agentId));
  }

  /** Asks `agentId` about every run of its devices that lost track of an operation; never throws. */
  resolve(agentId: string): Promise<void> {
    const running = this.busy.get(agentId);
    if (running) return running;
    const work = this.resolveNow(agentId)
      .catch(() => undefined) // the agent went away again: its next connect asks again
      .finally(() => this.busy.delete(agentId));
    this.busy.set(agentId, work);
    return work;
  }

  private async resolveNow(agentId: string): Promise<void> {
    if (!this.devices.operations) return;
    const lost = await this.lostRuns(agentId);
    let stillRunning = false;
    for (let start = 0; start < lost.length; start += CHUNK) {
      const chunk = lost.slice(start, start + CHUNK);
      const records = await this.devices.operations(
        agentId,
        chunk.map((run) => run.operation!.opId),
      );
      const byId = new Map(records.map((record) => [record.opId, record]));
      for (const run of chunk) {
        const record = byId.get(run.operation!.opId);
        if (record?.state === 'running') stillRunning = true;
        else await this.settle(agentId, run, record);
      }
    }
    if (stillRunning) this.retryLater(agentId);
  }

  private async lostRuns(agentId: string): Promise<Run[]> {
    const prefix = `${agentId}/`;
    const candidates = [
      ...(await this.runs.list({ status: 'interrupted', limit: LOST_OPERATION_SCAN_LIMIT })),
      ...(await this.runs.list({ status: 'failed', limit: LOST_OPERATION_SCAN_LIMIT })),
    ];
    return candidates.filter((run) => run.device.startsWith(prefix) && run.operation?.state === 'running');
  }

  private retryLater(agentId: string): void {
    clearTimeout(this.retries.get(agentId));
    const timer = setTimeout(() => {
      this.retries.delete(agentId);
      void this.resolve(agentId);
    }, LOST_OPERATION_RETRY_MS);
    timer.unref();
    this.retries.set(agentId, timer);
  }

  private async settle(agentId: string, run: Run, record: OperationRecord | undefined): Promise<void> {
    const current = await this.runs.get(run.id);
    // Settled by another pass meanwhile, or not finished after all: leave it.
    if (!current || current.operation?.state !== 'running' || current.operation.opId !== run.operation!.opId) return;
    if (current.status !== 'interrupted' && current.status !== 'failed') return;
    const now = this.clock.now().toISOString();
    const settlement = await this.settlement(agentId, current, record, now);
    const updated: Run = {
      ...current,
      ...settlement.patch,
      status: settlement.status,
      operation: { ...current.operation, state: record?.state ?? 'unknown', learnedAt: now },
      warnings: [...current.warnings, { code: 'OPERATION_OUTCOME', message: settlement.note }],
    };
    if (settlement.error) updated.error = settlement.error;
    else delete updated.error;
    await this.runs.save(updated);
    await this.runs.appendEvent(run.id, { type: 'warning', code: 'OPERATION_OUTCOME', message: settlement.note });
  }

  private async settlement(
    agentId: string,
    run: Run,
    record: OperationRecord | undefined,
    now: string,
  ): Promise<Settlement> {
    const method = run.operation!.method;
    const opId = run.operation!.opId;
    const source = `agent ${agentId}'s operation journal (operation ${opId})`;
    const unchanged = { status: run.status, ...(run.error ? { error: run.error } : {}), patch: {} };
    const days = run.selection?.days ?? run.options.days ?? [];
    const again =
      run.action === 'store' || run.action === 'rebuild' ? unstoredAdvice(run.action, days) : 'Request it again.';

    if (!record || record.state === 'unknown') {
      const why =
        record?.error?.message ?? `the agent has no record of it (an agent without a journal, or it was lost)`;
      const note = `${source}: the outcome of ${method} is unknown: ${why} ${again}`;
      return {
        ...unchanged,
        ...(run.error ? { error: { ...run.error, message: `${run.error.message} ${note}` } } : {}),
        note,
      };
    }
    if (record.state === 'failed') {
      const error = {
        code: record.error?.code ?? 'INTERNAL',
        message: `${record.error?.message ?? `${method} failed`} (learned from ${source}). ${again}`,
      };
      return { status: 'failed', error, patch: {}, note: `${source}: ${method} failed: ${error.code}` };
    }
    // Succeeded.
    if (method === 'media.verify') {
      const report = record.result as VerifyReport;
      const settlement = this.verified(run, report, source, again);
      if (run.action === 'verify' || !readBackIdentical(report)) return settlement;
      return this.withManifest(run, opId, now, settlement);
    }
    if (method === 'media.initialize' && run.action === 'initialize') {
      await this.recordInitializedDisc(run, record, now);
      return {
        status: 'succeeded',
        patch: {},
        note: `${source}: the disc was initialized; the media catalog records it`,
      };
    }
    if (method === 'media.write') {
      const result = record.result as WriteResult;
      await this.recordWrittenSession(run, record, result, days, now);
      const durationMs = Math.max(0, Date.parse(record.finishedAt ?? now) - Date.parse(record.startedAt)) || 0;
      const note =
        `${source}: the write of ${days.join(', ') || 'the days'} finished (${result.bytesWritten} bytes, ` +
        `${result.sessions} session(s) on the disc), but the controller lost track of it before the disc was verified. ` +
        `${again} To check this disc now, run cedar-store verify${days.map((day) => ` --day ${day}`).join('')}.`;
      return {
        ...unchanged,
        patch: { write: { ...result, durationMs } },
        ...(run.error ? { error: { ...run.error, message: note } } : {}),
        note,
      };
    }
    const note = `${source}: ${method} finished, but the controller lost track of the run after it. ${again}`;
    return { ...unchanged, ...(run.error ? { error: { ...run.error, message: note } } : {}), note };
  }

  private verified(run: Run, report: VerifyReport, source: string, again: string): Settlement {
    if (!readBackIdentical(report)) {
      const error = {
        code: 'VERIFY_FAILED',
        message: `${differencesFound(report)} (learned from ${source}). ${again}`,
      };
      return { status: 'failed', error, patch: { verify: report }, note: `${source}: verify found differences` };
    }
    if (run.action === 'verify') {
      return { status: 'succeeded', patch: { verify: report }, note: `${source}: the disc read back identical` };
    }
    const note =
      `${source}: the disc read back identical, but the controller lost track of the run before it wrote the ` +
      `store indicator. ${again}`;
    return {
      status: run.status,
      ...(run.error ? { error: { ...run.error, message: note } } : {}),
      patch: { verify: report },
      note,
    };
  }

  /**
   * Brings the manifest of a passed verify the run lost track of into the catalog, and says so
   * in the note; a failure to is said too, and changes nothing else.
   */
  private async withManifest(run: Run, opId: string, now: string, settlement: Settlement): Promise<Settlement> {
    const agent = this.devices.manifests?.(run.device);
    if (!this.manifests || !agent) return settlement;
    try {
      const recorded = await importManifest(this.manifests, agent, { runId: run.id, opId, recordedAt: now });
      if (recorded === null) {
        return {
          ...settlement,
          note: `${settlement.note} No manifest was recorded: the session is not in the catalog.`,
        };
      }
      return {
        ...settlement,
        patch: { ...settlement.patch, manifest: { ...recorded, source: 'verify' } },
        note: `${settlement.note} The manifest of its ${recorded.files} file(s) was recorded.`,
      };
    } catch (error) {
      const reason = errorMessage(error);
      return { ...settlement, note: `${settlement.note} Its manifest was not recorded (${reason}).` };
    }
  }

  /**
   * The session is on the disc even though no store indicator says so: the catalog must hold
   * it, or a new disc started by this write would be missing and later appends filed under the
   * disc it replaced. Skipped when the catalog already moved on past this write (a later new
   * disc), where filing it now would be the misfiling.
   */
  private async recordWrittenSession(
    run: Run,
    record: OperationRecord,
    result: WriteResult,
    days: CatalogSession['days'],
    now: string,
  ): Promise<void> {
    const label = run.image?.label;
    if (!label || !(await this.catalogStillBefore(run.device, record.startedAt))) return;
    await recordSession(this.catalog, {
      device: run.device,
      label,
      newDisc: run.blanking?.newDisc ?? false,
      days,
      bytes: result.bytesWritten,
      runId: run.id,
      writtenAt: record.finishedAt ?? now,
    });
  }

  /** True when no disc in `device` was started after `startedAt` (so nothing later was catalogued over it). */
  private async catalogStillBefore(device: string, startedAt: string): Promise<boolean> {
    const current = await this.catalog.currentDisc(device);
    return !current || Date.parse(current.startedAt) <= Date.parse(startedAt);
  }

  /** The catalog entry the initialize run would have written had it seen its answer. */
  private async recordInitializedDisc(run: Run, record: OperationRecord, now: string): Promise<void> {
    const label = run.image?.label;
    if (!label || !(await this.catalogStillBefore(run.device, record.startedAt))) return;
    await recordSession(this.catalog, {
      device: run.device,
      label,
      newDisc: true,
      days: [],
      bytes: 0,
      runId: run.id,
      writtenAt: record.finishedAt ?? now,
    });
  }
}
