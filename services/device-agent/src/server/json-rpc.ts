/**
 * JSON-RPC 2.0 framing over the WebSocket: a text frame in, at most one response out (an array
 * of them for a batch, which is refused request by request as the spec says). Every protocol
 * fault gets its standard error and leaves the connection usable; only requests with an id are
 * executed (a notification asking for a write would have no way to hear the outcome).
 */
import { RPC_ERROR, type RpcErrorObject } from '@cedar-store/ports';

export type RequestId = string | number;

export type ParsedRequest = { kind: 'request'; id: RequestId; method: string; params: unknown };
export type ParsedFrame =
  | ParsedRequest
  | { kind: 'invalid'; id: RequestId | null; error: RpcErrorObject }
  | { kind: 'batch'; responses: RpcResponse[] }
  | { kind: 'ignored' };

export type RpcResponse =
  { jsonrpc: '2.0'; id: RequestId; result: unknown } | { jsonrpc: '2.0'; id: RequestId | null; error: RpcErrorObject };

const MAX_ID_LENGTH = 100;

function isRequestId(value: unknown): value is RequestId {
  return (
    (typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH) ||
    (typeof value === 'number' && Number.isSafeInteger(value))
  );
}

function invalid(id: RequestId | null, code: number, message: string): ParsedFrame {
  return { kind: 'invalid', id, error: { code, message } };
}

export function parseFrame(text: string): ParsedFrame {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return invalid(null, RPC_ERROR.PARSE_ERROR, 'parse error: the frame is not valid JSON');
  }
  if (Array.isArray(message)) return refuseBatch(message as unknown[]);
  if (typeof message !== 'object' || message === null) {
    return invalid(null, RPC_ERROR.INVALID_REQUEST, 'invalid request: expected a JSON-RPC 2.0 request object');
  }
  const request = message as Record<string, unknown>;
  const id = isRequestId(request.id) ? request.id : null;
  if (!('id' in request) && request.jsonrpc === '2.0' && typeof request.method === 'string') return { kind: 'ignored' };
  if (request.jsonrpc !== '2.0')
    return invalid(id, RPC_ERROR.INVALID_REQUEST, 'invalid request: jsonrpc must be "2.0"');
  if (id === null) {
    return invalid(
      null,
      RPC_ERROR.INVALID_REQUEST,
      `invalid request: id must be a string of 1–${MAX_ID_LENGTH} characters or an integer`,
    );
  }
  if (typeof request.method !== 'string')
    return invalid(id, RPC_ERROR.INVALID_REQUEST, 'invalid request: method must be a string');
  const extra = Object.keys(request).filter((key) => !['jsonrpc', 'id', 'method', 'params'].includes(key));
  if (extra.length > 0) {
    return invalid(
      id,
      RPC_ERROR.INVALID_REQUEST,
      `invalid request: unknown member ${extra[0]!.slice(0, MAX_ID_LENGTH)}`,
    );
  }
  return { kind: 'request', id, method: request.method, params: request.params ?? {} };
}

const BATCH_REFUSED = 'batches are not supported: send one request per frame';

/** A notification as the spec has it: no `id` member at all, so nobody is waiting for an answer. */
function isNotification(member: unknown): boolean {
  return typeof member === 'object' && member !== null && !Array.isArray(member) && !('id' in member);
}

/**
 * The spec's answer to a batch the server does not run: an empty one is a single Invalid
 * Request; otherwise an array with one error per member that expects an answer (by its id,
 * or null when it has none usable), and nothing at all when every member is a notification.
 */
function refuseBatch(members: unknown[]): ParsedFrame {
  if (members.length === 0) return invalid(null, RPC_ERROR.INVALID_REQUEST, `empty batch: ${BATCH_REFUSED}`);
  const responses = members
    .filter((member) => !isNotification(member))
    .map((member) => {
      const id = typeof member === 'object' && member !== null ? (member as { id?: unknown }).id : undefined;
      return errorResponse(isRequestId(id) ? id : null, { code: RPC_ERROR.INVALID_REQUEST, message: BATCH_REFUSED });
    });
  return responses.length === 0 ? { kind: 'ignored' } : { kind: 'batch', responses };
}

export function resultResponse(id: RequestId, result: unknown): RpcResponse {
  return { jsonrpc: '2.0', id, result };
}

export function errorResponse(id: RequestId | null, error: RpcErrorObject): RpcResponse {
  return { jsonrpc: '2.0', id, error };
}
