/**
 * How failures become HTTP answers. Every error body has one shape, `{ error: { code,
 * message } }`, so scripts match on the stable code whatever went wrong. Codes the user can
 * act on keep their message; anything else is logged in full and answered with a generic
 * message, because stack traces and internal details are no business of an API client.
 */
import { CedarStoreError, InvalidRequestError, type ErrorCode } from '@cedar-store/domain';
import type { ErrorRequestHandler, RequestHandler } from 'express';

export type ErrorBody = { error: { code: ErrorCode; message: string } };

/** The HTTP status of each code a client may see; unlisted codes are internal failures. */
const STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  INVALID_REQUEST: 400,
  UNAUTHORIZED: 401,
  DEVICE_UNKNOWN: 404,
  DEVICE_BUSY: 409,
  DEVICE_MOUNTED: 409,
  MEDIA_FULL: 409,
  MEDIA_NOT_INITIALIZED: 409,
  MEDIA_NOT_REWRITABLE: 409,
  WRONG_DISC: 409,
  AGENT_UNREACHABLE: 503,
  AGENT_LOST: 503,
  TOOL_MISSING: 503,
};

export function statusForCode(code: ErrorCode): number {
  return STATUS_BY_CODE[code] ?? 500;
}

/**
 * A refused request whose HTTP status says more than 400 does: an unknown run (404), a run
 * that already finished (409), a body too large (413) or not JSON (415). The code stays
 * INVALID_REQUEST: the request was at fault, not the controller.
 */
export class RequestRefusedError extends InvalidRequestError {
  constructor(
    readonly status: 400 | 404 | 409 | 413 | 415,
    message: string,
  ) {
    super(message);
  }
}

export function runNotFound(runId: string): RequestRefusedError {
  return new RequestRefusedError(404, `no run ${runId}: list runs with GET /api/v1/runs (cedar-store runs)`);
}

/** Body-parser failures carry a `type`; they are the client's fault and keep their own status. */
type BodyParserError = Error & { type: string; limit?: number };

function isBodyParserError(error: unknown): error is BodyParserError {
  return error instanceof Error && typeof (error as { type?: unknown }).type === 'string';
}

function fromBodyParser(error: BodyParserError): RequestRefusedError {
  switch (error.type) {
    case 'entity.too.large':
      return new RequestRefusedError(
        413,
        `request body too large: the API accepts JSON bodies up to ${size(error.limit)}`,
      );
    case 'entity.parse.failed':
      return new RequestRefusedError(400, `malformed JSON body: ${error.message}`);
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new RequestRefusedError(415, `${error.message}: send the body as UTF-8 JSON`);
    default:
      return new RequestRefusedError(400, `unreadable request body: ${error.message}`);
  }
}

function size(bytes: number | undefined): string {
  if (bytes === undefined) return 'the configured limit';
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}

/** The request's own fault, however it was detected: our checks, the body parser, or the router. */
function clientFault(error: unknown): RequestRefusedError | undefined {
  if (error instanceof RequestRefusedError) return error;
  if (isBodyParserError(error)) return fromBodyParser(error);
  // The router marks what it cannot decode (a malformed %-escape in the path) with a 4xx status.
  const status = (error as { status?: unknown } | null)?.status;
  if (error instanceof Error && typeof status === 'number' && status >= 400 && status < 500) {
    return new RequestRefusedError(400, `invalid request path: ${error.message}`);
  }
  return undefined;
}

/**
 * A failure that passes by itself (the controller's database is locked or its disk full):
 * `details.retryAfterSeconds` on a coded error says so, and how long to wait.
 */
function retryAfterOf(error: unknown): number | undefined {
  const seconds = error instanceof CedarStoreError ? error.details?.retryAfterSeconds : undefined;
  return typeof seconds === 'number' && seconds > 0 ? seconds : undefined;
}

/** What the client is told, and at which status, for anything a route throws. */
export function describeFailure(error: unknown): {
  status: number;
  body: ErrorBody;
  internal: boolean;
  retryAfterSeconds?: number;
} {
  const refused = clientFault(error);
  if (refused) return { status: refused.status, body: errorBody('INVALID_REQUEST', refused.message), internal: false };
  const retryAfterSeconds = retryAfterOf(error);
  if (error instanceof CedarStoreError && retryAfterSeconds !== undefined) {
    // 503 with the message: the client can do nothing wrong here but wait and retry.
    return { status: 503, body: errorBody(error.code, error.message), internal: false, retryAfterSeconds };
  }
  if (error instanceof CedarStoreError && STATUS_BY_CODE[error.code] !== undefined) {
    return { status: statusForCode(error.code), body: errorBody(error.code, error.message), internal: false };
  }
  return {
    status: 500,
    body: errorBody('INTERNAL', 'internal error: the controller log has the details'),
    internal: true,
  };
}

export function errorBody(code: ErrorCode, message: string): ErrorBody {
  return { error: { code, message } };
}

/** Paths are echoed in messages, but never at any length a client cares to send. */
const MAX_ECHOED_PATH = 200;

export const unknownRoute: RequestHandler = (req, _res, next) => {
  next(
    new RequestRefusedError(
      404,
      `no route ${req.method} ${req.path.slice(0, MAX_ECHOED_PATH)}: GET /api/v1/openapi.json lists every route this controller serves`,
    ),
  );
};

export const errorHandler: ErrorRequestHandler = (error: unknown, req, res, _next) => {
  const { status, body, internal, retryAfterSeconds } = describeFailure(error);
  if (internal) req.log.error({ err: error }, 'request failed');
  else if (retryAfterSeconds !== undefined) req.log.warn({ code: body.error.code }, body.error.message);
  else req.log.debug({ code: body.error.code }, body.error.message);
  // A stream already under way (server-sent events) cannot switch to an error body.
  if (res.headersSent) {
    res.end();
    return;
  }
  if (status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="cedar-store"');
  if (retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(retryAfterSeconds));
  const requestId = res.getHeader('X-Request-Id');
  if (internal && typeof requestId === 'string') body.error.message += ` (request ${requestId})`;
  res.status(status).json(body);
};
