/**
 * The database refused a write for a reason that passes by itself: another program holds its
 * lock, or the disk under it is full. Such a refusal is not a bug of the request, so the API
 * answers 503 and asks the client to retry, while the controller keeps what it must not lose.
 */
import { CedarStoreError } from '@cedar-store/domain';
import { reasonOf } from './database-error.js';
import { sqliteCode } from './run-rows.js';

export type Unavailability = 'locked' | 'full' | 'unwritable';

/** Seconds a client is told to wait before retrying (HTTP Retry-After). */
export const RETRY_AFTER_SECONDS = 5;

/**
 * The code stays INTERNAL (docs/design.md#errors has no database code, and the request was not at
 * fault); `details.retryAfterSeconds` is what tells the HTTP layer to answer 503 with this message.
 */
export class DatabaseUnavailableError extends CedarStoreError {
  /** What is wrong, without the advice: for /readyz and the log. */
  readonly situation: string;

  constructor(
    readonly reason: Unavailability,
    path: string,
    cause: unknown,
  ) {
    const { situation, advice } = describeUnavailability(reason, path, cause);
    super(
      'INTERNAL',
      `the controller database is unavailable, so this request changed nothing: ${situation}. ${advice}`,
      {
        path,
        reason,
        retryAfterSeconds: RETRY_AFTER_SECONDS,
      },
    );
    this.situation = situation;
    this.cause = cause;
  }
}

/** Which passing problem an SQLite error is, or null for any other error (a bug, a constraint). */
export function unavailabilityOf(error: unknown): Unavailability | null {
  if (error instanceof DatabaseUnavailableError) return error.reason;
  const code = sqliteCode(error) ?? '';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'locked';
  if (code === 'SQLITE_FULL' || (error as { code?: unknown } | null)?.code === 'ENOSPC') return 'full';
  if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN') {
    return 'unwritable';
  }
  return null;
}

function describeUnavailability(
  reason: Unavailability,
  path: string,
  cause: unknown,
): { situation: string; advice: string } {
  switch (reason) {
    case 'locked':
      return {
        situation: `another program holds the lock on ${path}`,
        advice: `Retry in a few seconds; if it lasts, find and stop the program holding it (fuser ${path}).`,
      };
    case 'full':
      return {
        situation: `no space left on the disk holding ${path}`,
        advice: 'Free space there, then retry; the controller saves what it kept in memory by itself once it can.',
      };
    case 'unwritable':
      return { situation: `${path} cannot be written (${reasonOf(cause)})`, advice: 'Check that disk, then retry.' };
  }
}
