/**
 * The agent's operation journal (`<workingDir>/journal/`): every write, blank, initialize and
 * verify, under the id the controller gave it, from start to outcome. It lets a controller
 * that lost track of an operation (it restarted, or the network dropped) learn how it ended,
 * and it lets an agent that restarted mid-operation know that an earlier burn may still be
 * running in its device: the burner program runs in its own process group and outlives a
 * killed agent, so the device stays busy until that group has exited. How it exited nobody
 * saw, so its outcome is then `unknown`: the controller writes no store indicator for it.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import {
  CedarStoreError,
  DeviceBusyError,
  InternalError,
  InvalidRequestError,
  errorMessage,
} from '@cedar-store/domain';
import {
  OperationRecordSchema,
  type JournaledMethod,
  type OperationRecord,
  type VerifyReport,
} from '@cedar-store/ports';
import type { Logger } from 'pino';
import { z } from 'zod';
import { noSpaceError } from '../process/no-space.js';
import { readEntryFiles, removeEntryFile, writeEntryFile } from './journal-files.js';
import { isGroupAlive, startTimeOf, type ProcessGroupRef } from './process-groups.js';

/** Finished entries kept; the oldest beyond it are deleted (a controller asks only about recent runs). */
export const DEFAULT_MAX_FINISHED_ENTRIES = 500;
/** How often the groups of operations left running by an earlier agent are checked. */
export const DEFAULT_WATCH_INTERVAL_MS = 1000;
/**
 * Differences of a failed verify kept in its entry: enough to say what differs, while 500
 * entries of 1000 long paths each could fill a disk.
 */
export const MAX_JOURNALED_MISMATCHES = 100;
/** Process groups remembered per operation (a write starts a few programs, one after another). */
const MAX_GROUPS_PER_OPERATION = 16;

const EntrySchema = OperationRecordSchema.extend({
  groups: z.array(z.strictObject({ pgid: z.number().int().positive(), startTime: z.string().optional() })),
});
type JournalEntry = z.infer<typeof EntrySchema>;

export type OperationJournalOptions = {
  logger?: Logger;
  now?: () => Date;
  maxFinishedEntries?: number;
  watchIntervalMs?: number;
};

export type OperationOutcome =
  | { state: 'succeeded'; result: NonNullable<OperationRecord['result']> }
  | { state: 'failed'; error: { code: string; message: string } };

export class OperationJournal {
  private readonly entries = new Map<string, JournalEntry>();
  /** Operations an earlier agent left running whose programs are still alive: their devices are busy. */
  private readonly inherited = new Set<string>();
  private watcher: NodeJS.Timeout | undefined;
  private readonly now: () => Date;
  private readonly maxFinished: number;

  private constructor(
    readonly dir: string,
    private readonly options: OperationJournalOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    this.maxFinished = options.maxFinishedEntries ?? DEFAULT_MAX_FINISHED_ENTRIES;
  }

  /** Reads the journal an earlier agent left and settles what it left running. */
  static open(dir: string, options: OperationJournalOptions = {}): OperationJournal {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const journal = new OperationJournal(dir, options);
    journal.load();
    return journal;
  }

  /** Stops watching inherited operations (the agent is stopping). */
  close(): void {
    clearInterval(this.watcher);
    this.watcher = undefined;
  }

  /**
   * Records an operation as running before it starts, and returns its id. Refuses, journaling
   * nothing, an id already used (a repeated request must not write twice) and a device an
   * earlier agent's operation still holds.
   */
  begin(request: { method: JournaledMethod; device: string; opId?: string | undefined }): string {
    this.refuseHeldDevice(request.device);
    const opId = request.opId ?? `local-${this.now().getTime()}-${randomUUID().slice(0, 8)}`;
    const existing = this.entries.get(opId);
    if (existing) {
      throw new InvalidRequestError(
        `operation ${opId} was already started (${existing.method} on ${existing.device}, ${existing.state}); ` +
          'an operation id is used once: ask operations.get for its outcome instead of sending it again',
      );
    }
    const entry: JournalEntry = {
      opId,
      method: request.method,
      device: request.device,
      state: 'running',
      startedAt: this.now().toISOString(),
      groups: [],
    };
    try {
      writeEntryFile(this.dir, opId, entry);
    } catch (error) {
      // A full disk is the likely cause and the user's fix is the same as for a full image directory.
      if ((error as NodeJS.ErrnoException).code === 'ENOSPC') {
        throw noSpaceError(
          this.dir,
          `cannot record operation ${opId} in the journal, so nothing was done`,
          errorMessage(error),
        );
      }
      throw new InternalError(
        `cannot record operation ${opId} in the journal ${this.dir}: ${errorMessage(error)}. Nothing was done; ` +
          'make room on that disk or fix its permissions (it is under workingDir in agent.yaml) and try again.',
      );
    }
    this.entries.set(opId, entry);
    return opId;
  }

  /**
   * Remembers a program started on `device` under the operation this agent runs there, if any.
   * The device guard lets one operation at a time run programs on a device: the first begun, a
   * later one being refused before it starts any. A status or estimate read on the device
   * meanwhile is recorded under it too; being short, it holds a restarted agent's device only
   * while it lasts, and it cannot crowd out the burner (see recordProgram).
   */
  recordProgramOn(device: string, pid: number): void {
    const opId = this.runningOn(device);
    if (opId !== undefined) this.recordProgram(opId, pid);
  }

  /** Remembers a program the operation started, so an agent restarted later can tell whether it still runs. */
  recordProgram(opId: string, pid: number): void {
    const entry = this.entries.get(opId);
    if (!entry || entry.state !== 'running') return;
    const startTime = startTimeOf(pid);
    // Once full, the groups that have ended go first: the one still running (the burner) is what matters.
    const kept = entry.groups.length < MAX_GROUPS_PER_OPERATION ? entry.groups : entry.groups.filter(isGroupAlive);
    entry.groups = [...kept, { pgid: pid, ...(startTime === undefined ? {} : { startTime }) }].slice(
      -MAX_GROUPS_PER_OPERATION,
    );
    this.persist(entry);
  }

  finish(opId: string, outcome: OperationOutcome): void {
    const entry = this.entries.get(opId);
    if (!entry) return;
    entry.state = outcome.state;
    entry.finishedAt = this.now().toISOString();
    if (outcome.state === 'succeeded') entry.result = bounded(outcome.result);
    else entry.error = { code: outcome.error.code.slice(0, 64), message: outcome.error.message.slice(0, 4000) };
    this.persist(entry);
    this.prune();
  }

  /** Runs `work` as the journaled operation: running first, then its outcome, whatever happens. */
  async run<T extends NonNullable<OperationRecord['result']>>(opId: string, work: () => Promise<T>): Promise<T> {
    try {
      const result = await work();
      this.finish(opId, { state: 'succeeded', result });
      return result;
    } catch (error) {
      const coded = error instanceof CedarStoreError ? error : new InternalError(errorMessage(error));
      this.finish(opId, { state: 'failed', error: { code: coded.code, message: coded.message } });
      throw error;
    }
  }

  /** What the journal knows of these ids, in the order asked; ids without a record are left out. */
  get(opIds: readonly string[]): OperationRecord[] {
    return opIds.flatMap((opId) => {
      const entry = this.entries.get(opId);
      if (!entry) return [];
      const { groups: _groups, ...record } = entry;
      return [record];
    });
  }

  /** Refuses with DEVICE_BUSY while an operation an earlier agent started on `device` still runs. */
  refuseHeldDevice(device: string): void {
    for (const opId of this.inherited) {
      const entry = this.entries.get(opId);
      if (entry?.device !== device) continue;
      throw new DeviceBusyError(
        `device ${device} is busy: an earlier ${entry.method} (operation ${opId}, started ${entry.startedAt}) ` +
          'is still running from before this agent restarted. Wait for it to finish and try again; ' +
          'its outcome will be reported as unknown, so verify the disc before trusting it.',
        { device, operation: entry.method, opId },
      );
    }
  }

  /** The operation this agent runs on `device`: the earliest begun still running (entries keep begin order). */
  private runningOn(device: string): string | undefined {
    for (const entry of this.entries.values()) {
      if (entry.device === device && entry.state === 'running' && !this.inherited.has(entry.opId)) return entry.opId;
    }
    return undefined;
  }

  private load(): void {
    for (const { file, content } of readEntryFiles(this.dir)) {
      const parsed = EntrySchema.safeParse(content);
      if (!parsed.success) {
        this.options.logger?.warn({ file, dir: this.dir }, 'unreadable operation journal entry removed');
        removeEntryFile(this.dir, file.replace(/\.json$/, ''));
        continue;
      }
      this.entries.set(parsed.data.opId, parsed.data);
    }
    for (const entry of this.entries.values()) {
      if (entry.state !== 'running') continue;
      // A verify only reads, and the fuseiso it mounted with may linger until unmounted: it holds nothing.
      if (entry.method !== 'media.verify' && entry.groups.some(isGroupAlive)) {
        this.inherited.add(entry.opId);
        this.options.logger?.warn(
          { opId: entry.opId, method: entry.method, device: entry.device, groups: entry.groups.map((g) => g.pgid) },
          'an operation from before the restart is still running; its device stays busy until it exits',
        );
      } else {
        this.settleUnknown(
          entry,
          'the agent stopped while this operation ran, and its program was gone when it started again',
        );
      }
    }
    this.prune();
    if (this.inherited.size > 0) this.watch();
  }

  private watch(): void {
    this.watcher = setInterval(() => {
      for (const opId of [...this.inherited]) {
        const entry = this.entries.get(opId);
        if (entry && entry.groups.some(isGroupAlive)) continue;
        this.inherited.delete(opId);
        if (entry) {
          this.settleUnknown(
            entry,
            'the agent restarted while this operation ran; its program has ended since, unseen',
          );
          this.options.logger?.info(
            { opId, device: entry.device },
            'an operation from before the restart ended; device free',
          );
        }
      }
      if (this.inherited.size === 0) this.close();
    }, this.options.watchIntervalMs ?? DEFAULT_WATCH_INTERVAL_MS);
    this.watcher.unref();
  }

  private settleUnknown(entry: JournalEntry, why: string): void {
    entry.state = 'unknown';
    entry.finishedAt = this.now().toISOString();
    entry.error = {
      code: 'AGENT_LOST',
      message: `${why}: nobody saw how it ended, so its outcome is unknown. Verify the disc before trusting it.`,
    };
    this.persist(entry);
  }

  /** A journal that cannot be written loses durability, not the operation: it is logged and kept in memory. */
  private persist(entry: JournalEntry): void {
    try {
      writeEntryFile(this.dir, entry.opId, entry);
    } catch (error) {
      this.options.logger?.error(
        { opId: entry.opId, dir: this.dir, err: errorMessage(error) },
        'cannot update the operation journal; its outcome is kept in memory only until the agent restarts',
      );
    }
  }

  private prune(): void {
    const finished = [...this.entries.values()].filter((entry) => entry.state !== 'running');
    if (finished.length <= this.maxFinished) return;
    finished.sort((a, b) => (a.finishedAt ?? a.startedAt).localeCompare(b.finishedAt ?? b.startedAt));
    for (const entry of finished.slice(0, finished.length - this.maxFinished)) {
      this.entries.delete(entry.opId);
      try {
        removeEntryFile(this.dir, entry.opId);
      } catch (error) {
        this.options.logger?.warn({ opId: entry.opId, err: errorMessage(error) }, 'cannot prune a journal entry');
      }
    }
  }
}

export type { ProcessGroupRef };

function bounded(result: NonNullable<OperationRecord['result']>): NonNullable<OperationRecord['result']> {
  if (!('mismatches' in result)) return result;
  const report = result as VerifyReport;
  if (report.mismatches.length <= MAX_JOURNALED_MISMATCHES) return report;
  return { ...report, mismatches: report.mismatches.slice(0, MAX_JOURNALED_MISMATCHES) };
}
