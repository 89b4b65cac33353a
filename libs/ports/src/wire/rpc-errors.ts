/**
 * Errors across the wire. JSON-RPC's own codes for protocol faults; every domain failure
 * travels as one server-error code with the stable cedar-store code in `data.code`, so the
 * controller can rebuild the same typed error on its side.
 */
import { CedarStoreError, isErrorCode } from '@cedar-store/domain';
import type { z } from 'zod';

export const RPC_ERROR = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  /** A domain failure: `data.code` says which. */
  DOMAIN_ERROR: -32000,
  /** The connection has as many requests running as the agent allows: wait for answers. */
  TOO_MANY_IN_FLIGHT: -32001,
} as const;

export type RpcErrorObject = { code: number; message: string; data?: { code: string; [key: string]: unknown } };

export function toRpcError(error: CedarStoreError): RpcErrorObject {
  const rpcCode = error.code === 'INVALID_REQUEST' ? RPC_ERROR.INVALID_PARAMS : RPC_ERROR.DOMAIN_ERROR;
  return { code: rpcCode, message: error.message, data: { code: error.code } };
}

export function fromRpcError(error: RpcErrorObject): CedarStoreError {
  const code = error.data?.code;
  if (isErrorCode(code)) return new CedarStoreError(code, error.message);
  if (error.code === RPC_ERROR.INVALID_PARAMS || error.code === RPC_ERROR.INVALID_REQUEST) {
    return new CedarStoreError('INVALID_REQUEST', error.message);
  }
  return new CedarStoreError('INTERNAL', error.message);
}

/** Longest description of one issue: field names come from the peer, which may send a megabyte of one. */
const MAX_ISSUE_LENGTH = 200;

/** One line naming every offending field, e.g. `days.0: must be a real calendar date …`. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 10)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .map((line) => (line.length > MAX_ISSUE_LENGTH ? `${line.slice(0, MAX_ISSUE_LENGTH - 1)}…` : line))
    .join('; ');
}
