import { CedarStoreError } from '@cedar-store/domain';

/**
 * The controller cannot use its database. It stops the controller at start, so the message
 * names the file and says what to change; the code stays INTERNAL because no request caused it.
 */
export class DatabaseError extends CedarStoreError {
  readonly path: string;

  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super('INTERNAL', message, { path });
    this.path = path;
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/** The short reason an SQLite or file-system error gives, for messages a user reads. */
export function reasonOf(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
