/**
 * Every failure a user can meet carries a stable code (docs/design.md#errors). The code is what
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
  'WRONG_DISC',
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

/** What a thrown value says, for a log line or a message: an Error's message, or the value as text. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** An Error whose `name` is its class's name, for every error class of the project. */
export class NamedError extends Error {
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class CedarStoreError extends NamedError {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

/** A subclass per code, so callers can catch by class while the wire carries the code. */
function codedError(code: ErrorCode) {
  return class extends CedarStoreError {
    constructor(message: string, details?: Record<string, unknown>) {
      super(code, message, details);
    }
  };
}

export class NoStagingDirectoryError extends codedError('NO_STAGING_DIRECTORY') {}
export class MediaNotInitializedError extends codedError('MEDIA_NOT_INITIALIZED') {}
export class MediaNotRewritableError extends codedError('MEDIA_NOT_REWRITABLE') {}
export class MediaFullError extends codedError('MEDIA_FULL') {}
export class DeviceMountedError extends codedError('DEVICE_MOUNTED') {}
export class DeviceBusyError extends codedError('DEVICE_BUSY') {}
export class DeviceUnknownError extends codedError('DEVICE_UNKNOWN') {}
export class ToolMissingError extends codedError('TOOL_MISSING') {}
export class WriteFailedError extends codedError('WRITE_FAILED') {}
export class VerifyFailedError extends codedError('VERIFY_FAILED') {}
/** The drive holds another disc than the one the catalog says holds what was asked for. */
export class WrongDiscError extends codedError('WRONG_DISC') {}
export class AgentUnreachableError extends codedError('AGENT_UNREACHABLE') {}
export class AgentLostError extends codedError('AGENT_LOST') {}
export class InvalidRequestError extends codedError('INVALID_REQUEST') {}
export class UnauthorizedError extends codedError('UNAUTHORIZED') {}
export class InternalError extends codedError('INTERNAL') {}

/** Anything thrown that is not one of ours becomes INTERNAL, keeping its message. */
export function toCedarStoreError(error: unknown): CedarStoreError {
  if (error instanceof CedarStoreError) return error;
  if (error instanceof Error) return new InternalError(error.message);
  return new InternalError(String(error));
}
