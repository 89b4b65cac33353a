/**
 * Every failure a user can meet carries a stable code (DESIGN.md §7). The code is what
 * scripts, the HTTP API and the wire match on; the message says what happened and what
 * to do next.
 */
export const ERROR_CODES = [
  'NO_STAGING_DIRECTORY',
  'MEDIA_NOT_INITIALIZED',
  'MEDIA_NOT_REWRITABLE',
  'MEDIA_FULL',
  'DEVICE_MOUNTED',
  'DEVICE_BUSY',
  'DEVICE_UNKNOWN',
  'TOOL_MISSING',
  'WRITE_FAILED',
  'VERIFY_FAILED',
  'AGENT_UNREACHABLE',
  'AGENT_LOST',
  'INVALID_REQUEST',
  'UNAUTHORIZED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

export class CedarStoreError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}

export class NoStagingDirectoryError extends CedarStoreError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('NO_STAGING_DIRECTORY', message, details);
  }
}

export class MediaNotInitializedError extends CedarStoreError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('MEDIA_NOT_INITIALIZED', message, details);
  }
}

export class MediaNotRewritableError extends CedarStoreError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('MEDIA_NOT_REWRITABLE', message, details);
  }
}

export class MediaFullError extends CedarStoreError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('MEDIA_FULL', message, details);
  }
}

export class DeviceMountedError extends CedarStoreError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('DEVICE_MOUNTED', message, details);
  }
}

export class VerifyFailedError extends CedarStoreError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('VERIFY_FAILED', message, details);
  }
}

export class WriteFailedError extends CedarStoreError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('WRITE_FAILED', message, details);
  }
}

export class InvalidRequestError extends CedarStoreError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('INVALID_REQUEST', message, details);
  }
}

/** Anything thrown that is not one of ours becomes INTERNAL, keeping its message. */
export function toCedarStoreError(error: unknown): CedarStoreError {
  if (error instanceof CedarStoreError) return error;
  if (error instanceof Error) return new CedarStoreError('INTERNAL', error.message);
  return new CedarStoreError('INTERNAL', String(error));
}
