/**
 * Keeps the controller honest while its database refuses writes (another program holds the
 * lock, the disk under it is full). A new run is refused at once (the client hears 503 and
 * retries); what belongs to a run already accepted (its status, events, catalog entry) is
 * kept in memory in order, retried until the database takes it, and read back from memory
 * meanwhile, so no run loses its outcome and no read is stale. No restart is needed: the
 * retries and /readyz find out by themselves when the database is back.
 */
import { statfsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import { DatabaseUnavailableError, unavailabilityOf } from './database-unavailable.js';

/** A write to retry until the database takes it; a newer write with the same key replaces it. */
export type KeptWrite = { key: string; apply: () => void; saved?: () => void };

export type DatabaseAvailabilityOptions = {
  /** The database file, named in messages; its directory is where free space is checked. */
  path: string;
  /** Milliseconds between retries of the kept writes. */
  retryMs?: number;
  /** Most writes kept in memory; past it a run's write fails like any database failure. */
  maxKeptWrites?: number;
  /** Below this much free space beside the database, /readyz reports it full. */
  minFreeBytes?: number;
  logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
};

export const KEPT_WRITES_RETRY_MS = 1000;
/** Enough for the progress and step events of days of runs: memory stays in megabytes. */
export const MAX_KEPT_WRITES = 100_000;
/** A run's events need a few WAL frames of 4 KiB each; below 1 MiB the next run would fail part way. */
export const MIN_FREE_BYTES = 2 ** 20;

export class DatabaseAvailability {
  /** In the order written; Map keeps a replaced write at its first place. */
  private readonly kept = new Map<string, KeptWrite>();
  private problem: DatabaseUnavailableError | null = null;
  private timer: NodeJS.Timeout | undefined;
  private readonly retryMs: number;
  private readonly maxKept: number;
  private readonly minFreeBytes: number;

  constructor(
    private readonly db: Database,
    private readonly options: DatabaseAvailabilityOptions,
  ) {
    this.retryMs = options.retryMs ?? KEPT_WRITES_RETRY_MS;
    this.maxKept = options.maxKeptWrites ?? MAX_KEPT_WRITES;
    this.minFreeBytes = options.minFreeBytes ?? MIN_FREE_BYTES;
  }

  /** Writes waiting in memory for the database. */
  get keptWrites(): number {
    return this.kept.size;
  }

  /**
   * Writes now, after anything kept: for a write the caller must hear refused (a new run,
   * answered 503). Throws DatabaseUnavailableError when the database refuses it.
   */
  now<T>(write: () => T): T {
    if (this.kept.size > 0 && !this.flush()) throw this.problem!;
    try {
      const value = write();
      this.problem = null;
      return value;
    } catch (error) {
      throw this.refusal(error) ?? error;
    }
  }

  /**
   * Reads now. A database that refuses the read for a passing reason (a lock held through a
   * checkpoint, a file it cannot read) throws DatabaseUnavailableError, which the API answers 503.
   */
  read<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw this.refusal(error) ?? error;
    }
  }

  /**
   * Writes now unless writes are kept already (they go first); false when it was not written,
   * and the caller then keeps it. Errors other than a refusal are thrown.
   */
  tryNow(write: () => void): boolean {
    if (this.kept.size > 0) return false;
    try {
      write();
      this.problem = null;
      return true;
    } catch (error) {
      if (!this.refusal(error)) throw error;
      return false;
    }
  }

  /** Keeps a write the database refused, to retry in order; the caller answers reads from memory until `saved`. */
  keep(write: KeptWrite): void {
    if (!this.kept.has(write.key) && this.kept.size >= this.maxKept) {
      throw this.problem ?? new Error(`more than ${this.maxKept} database writes are waiting`);
    }
    this.kept.set(write.key, write);
    this.schedule();
  }

  /** True when the database takes writes, else why not (for /readyz). */
  readiness(): true | string {
    if (!this.db.open) return 'the database is closed';
    if (this.kept.size > 0 && !this.flush()) {
      return `unavailable: ${this.problem!.situation}; ${this.kept.size} write(s) kept in memory until it is back`;
    }
    const problem = this.probe();
    if (problem) return `unavailable: ${problem.situation}`;
    // Nothing waits and a write could start: the next refusal is news again.
    this.problem = null;
    return true;
  }

  /** Stops retrying after one last try; whatever is still kept is logged (a restart marks its runs interrupted). */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.db.open && this.kept.size > 0 && !this.flush()) {
      this.options.logger?.error(
        { keptWrites: this.kept.size, reason: this.problem?.situation },
        'controller stopping with database writes it could not save: the next start marks their runs interrupted',
      );
    }
  }

  private refusal(error: unknown): DatabaseUnavailableError | null {
    const reason = unavailabilityOf(error);
    if (!reason) return null;
    const refusal =
      error instanceof DatabaseUnavailableError
        ? error
        : new DatabaseUnavailableError(reason, this.options.path, error);
    if (!this.problem) {
      this.options.logger?.warn(
        { reason, path: this.options.path },
        `controller database unavailable (${refusal.situation}): new runs are refused, running ones are kept in memory`,
      );
    }
    this.problem = refusal;
    return refusal;
  }

  private schedule(): void {
    if (this.timer !== undefined || this.kept.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.db.open) return;
      this.flush();
      this.schedule();
    }, this.retryMs);
    // Retries must not keep a stopping controller alive; close() makes the last one.
    this.timer.unref();
  }

  /** Saves the kept writes in one transaction; false when the database still refuses. */
  private flush(): boolean {
    if (this.kept.size === 0) return true;
    const saved = this.withoutWaiting(() => {
      try {
        this.db.transaction(() => {
          for (const write of this.kept.values()) write.apply();
        })();
        return true;
      } catch (error) {
        if (this.refusal(error)) return false;
        // One write is broken for good (never a refusal): save the others one by one without it.
        return this.flushOneByOne();
      }
    });
    if (!saved) return false;
    const count = this.kept.size;
    for (const write of this.kept.values()) write.saved?.();
    this.kept.clear();
    this.problem = null;
    this.options.logger?.info({ savedWrites: count }, 'controller database available again: kept writes saved');
    return true;
  }

  private flushOneByOne(): boolean {
    for (const [key, write] of this.kept) {
      try {
        write.apply();
      } catch (error) {
        if (this.refusal(error)) return false;
        this.options.logger?.error({ err: error, key }, 'a kept database write failed for good and was dropped');
      }
      this.kept.delete(key);
      write.saved?.();
    }
    return true;
  }

  /** Whether a write could start now: the write lock is free and the disk has room. */
  private probe(): DatabaseUnavailableError | null {
    if (this.db.inTransaction) return null;
    const locked = this.withoutWaiting(() => {
      try {
        this.db.exec('BEGIN IMMEDIATE');
        this.db.exec('ROLLBACK');
        return null;
      } catch (error) {
        return this.refusal(error);
      }
    });
    if (locked) return locked;
    if (this.options.path === ':memory:') return null;
    const directory = dirname(resolve(this.options.path));
    try {
      const space = statfsSync(directory);
      const free = space.bavail * space.bsize;
      if (free < this.minFreeBytes) {
        return new DatabaseUnavailableError('full', this.options.path, new Error(`${free} bytes free in ${directory}`));
      }
    } catch {
      // A file system that cannot say its free space is judged by its writes alone.
    }
    return null;
  }

  /**
   * Retries and probes do not wait for a lock: better-sqlite3 waits synchronously, and the
   * HTTP API and the agents' heartbeats must not stall while another program holds the file.
   */
  private withoutWaiting<T>(work: () => T): T {
    const previous = this.db.pragma('busy_timeout', { simple: true }) as number;
    this.db.pragma('busy_timeout = 0');
    try {
      return work();
    } finally {
      this.db.pragma(`busy_timeout = ${previous}`);
    }
  }
}
