/**
 * The methods whose results are checked on arrival only, with a plain check before the schema.
 * A store fetches its manifest a page at a time while xorriso writes on the same cores, and
 * checking each record twice (zod on the agent before sending, zod again on the controller)
 * cost 0.2 s of CPU per 100 000 records on each side (docs/performance.md). This table is the one
 * place that names them: the agent sends such a result as it made it (rpc-handlers.ts), and the
 * controller tries the plain check, then the schema, which words any refusal (agent-client.ts).
 */
import { plainManifestPage } from './manifest-page-check.js';
import type { RpcMethod, RpcResult } from './methods.js';

/** A plain check: the result when the method's schema would accept it as it is; undefined for the schema to decide. */
export type PlainResultCheck<M extends RpcMethod> = (value: unknown) => RpcResult<M> | undefined;

const PLAIN_RESULT_CHECKS: { readonly [M in RpcMethod]?: PlainResultCheck<M> } = {
  // manifest.read's records are lines the agent wrote from checked values: a day stamp, a path
  // under its graft point, the bytes read and their SHA-256.
  'manifest.read': plainManifestPage,
};

/** The method's plain result check, when its results are checked on arrival only; undefined for every other method. */
export function plainResultCheckOf<M extends RpcMethod>(method: M): PlainResultCheck<M> | undefined {
  return PLAIN_RESULT_CHECKS[method] as PlainResultCheck<M> | undefined;
}
