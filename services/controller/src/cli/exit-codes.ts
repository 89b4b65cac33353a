/**
 * What the `cedar-store` CLI's exit status means (docs/cli.md#exit-status), so cron, systemd and
 * orchestration tools can branch on it without reading the output.
 */
import { NamedError } from '@cedar-store/domain/errors';
export const EXIT = {
  /** The run succeeded, or the query answered. */
  ok: 0,
  /** The run failed, was cancelled or was interrupted; or the controller refused the request for another reason. */
  runFailed: 1,
  /** The command line or the configuration is wrong: nothing was asked of the controller, or it refused the request as invalid. */
  usage: 2,
  /** The controller could not be reached, or it refused the token. */
  unreachable: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * The codes of the errors the CLI finds itself (the controller's come with its answer): the
 * `code` of `--json`'s `{"error":{…}}`, and the key of their advice (advice/error-advice.ts).
 */
export const CLI_ERROR_CODES = ['USAGE', 'CONTROLLER_UNREACHABLE', 'TOKEN_REFUSED', 'CLI_FAILED'] as const;
export type CliErrorCode = (typeof CLI_ERROR_CODES)[number];

/** An error the CLI reports in one line and turns into an exit status. */
export class CliError extends NamedError {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly code: string = 'CLI_FAILED',
  ) {
    super(message);
  }
}

/** A bad flag, date, device or missing token: refused before any request is sent. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.usage, 'USAGE');
  }
}

/** No answer from the controller (refused, timed out, unknown host) or an answer that is not the controller's. */
export class UnreachableError extends CliError {
  constructor(message: string) {
    super(message, EXIT.unreachable, 'CONTROLLER_UNREACHABLE');
  }
}

/** The controller answered 401: the token is wrong or missing on its side. */
export class TokenRefusedError extends CliError {
  constructor(message: string) {
    super(message, EXIT.unreachable, 'TOKEN_REFUSED');
  }
}

/** Codes that mean the request itself was wrong: the user fixes the command line, as for a usage error. */
const USAGE_CODES = new Set(['INVALID_REQUEST', 'DEVICE_UNKNOWN']);

/** The controller refused a request with `{ error: { code, message } }`. */
export class ApiError extends CliError {
  constructor(
    code: string,
    readonly apiMessage: string,
    readonly status: number,
  ) {
    super(`${code}: ${apiMessage}`, USAGE_CODES.has(code) ? EXIT.usage : EXIT.runFailed, code);
  }
}
