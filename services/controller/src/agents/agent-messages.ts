/**
 * What a user reads when an agent cannot be reached, refuses the controller, or goes away
 * during a call. Each message names the agent and says what to do, because these land in
 * run errors and `cedar-store devices`, usually read hours after the fact.
 */
import type { RpcMethod } from '@cedar-store/ports';
import { errorMessage } from '@cedar-store/domain';

/** Certificate problems Node reports by code: all mean "the controller does not trust this agent". */
const UNTRUSTED_CERTIFICATE = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Why opening the WebSocket failed, from the error Node or ws gave. */
export function describeConnectFailure(error: unknown, url: string): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = errorMessage(error);
  switch (code) {
    case 'ECONNREFUSED':
      return `ECONNREFUSED: is cedar-store-agent running at ${url}?`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `${code}: the host of ${url} does not resolve; check agents[].url in controller.yaml`;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${code}: ${url} cannot be reached; check the host is up and a firewall lets the port through`;
    case 'ECONNRESET':
      return `ECONNRESET: ${url} closed the connection during the handshake; is it a cedar-store-agent, and does the url say wss:// exactly when the agent has tls?`;
    case 'EPROTO':
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
      return `${code}: the TLS handshake with ${url} failed; use ws:// for an agent without tls and wss:// for one with it`;
  }
  if (typeof code === 'string' && UNTRUSTED_CERTIFICATE.has(code)) {
    return `${code}: the certificate of the agent at ${url} is not trusted (${message}); give the controller the CA that signed it`;
  }
  if (/handshake has timed out/i.test(message)) {
    return `no WebSocket handshake from ${url} in time; check the host is up and the port belongs to cedar-store-agent`;
  }
  return typeof code === 'string' ? `${code}: ${message}` : message;
}

/** Why the agent answered the upgrade with an HTTP status instead of a WebSocket. */
export function describeRefusal(status: number, url: string): string {
  switch (status) {
    case 401:
      return 'token refused (HTTP 401): check the agent token in controller.yaml (agents[].token or tokenFile) is the one in the agent.yaml of that agent';
    case 404:
      return `nothing answers at ${url} (HTTP 404): the agent listens at /rpc; check agents[].url in controller.yaml`;
    case 503:
      return `the agent at ${url} has too many connections (HTTP 503); another controller may be using it`;
    default:
      return `HTTP ${status} from ${url}: is it a cedar-store-agent?`;
  }
}

/**
 * What is known about the work when a call ends without an answer. Only the methods that
 * change something have an unknown outcome; the others are safe to repeat.
 */
const OUTCOME_UNKNOWN: Record<RpcMethod, string> = {
  'agent.describe': 'it changes nothing, so it is safe to repeat',
  'staging.inspect': 'it changes nothing, so it is safe to repeat',
  'media.status': 'it changes nothing, so it is safe to repeat',
  'media.estimate': 'it changes nothing, so it is safe to repeat',
  'staging.markStored':
    'whether the store indicators were written is unknown; a day without one still waits in staging (run cedar-store store again today)',
  'media.write':
    'whether the session was written is unknown; no store indicator was written, so these days still wait in staging',
  'media.blank': 'whether the disc was blanked is unknown; read the media status before writing to it',
  'media.initialize':
    'whether the disc was initialized is unknown; read the media status, and initialize again if needed',
  'media.verify': 'the verify did not finish, so no store indicator was written',
  'media.export': 'whether the ISO file was built is unknown; export again',
  'media.restore':
    'the restore did not finish: what it wrote so far is left in the target; restore again into a new target, or with --force',
  'media.audit': 'the audit did not finish; it changes nothing on the disc, so audit again',
  'operations.get': 'it changes nothing, so it is safe to repeat',
  'manifest.read': 'it changes nothing, so it is safe to repeat',
  'manifest.hash': 'whether the manifest was recorded is unknown; the disc and the store indicators are not affected',
};

export function lostConnectionMessage(agentId: string, method: RpcMethod, reason: string): string {
  return `lost the connection to agent ${agentId} during ${method} (${reason}): ${OUTCOME_UNKNOWN[method]}`;
}

/** A journaled operation's connection dropped: the call waits to learn its outcome from the agent's journal. */
export function waitingForJournalMessage(lost: string, agentId: string, waitMs: number, opId: string): string {
  return (
    `${lost}. Waiting up to ${formatDuration(waitMs)} for agent ${agentId} to come back, ` +
    `to learn the outcome of operation ${opId} from its journal.`
  );
}

/** The agent did not come back within that wait. */
export function notBackMessage(lost: string, agentId: string, waitMs: number, opId: string): string {
  return (
    `${lost}. Agent ${agentId} was not back within ${formatDuration(waitMs)}; the controller asks ` +
    `for the outcome of operation ${opId} when it reconnects and records it on the run.`
  );
}

export function stoppedMessage(agentId: string, method: RpcMethod): string {
  return `the controller closed its connection to agent ${agentId} during ${method}: ${OUTCOME_UNKNOWN[method]}`;
}

export function timeoutMessage(agentId: string, method: RpcMethod, timeoutMs: number): string {
  return (
    `agent ${agentId} did not answer ${method} within ${formatDuration(timeoutMs)}, so the controller stopped waiting ` +
    `(the operation may still be running there): ${OUTCOME_UNKNOWN[method]}`
  );
}

export function unreachableMessage(agentId: string, url: string, why: string | undefined): string {
  const reason = why ?? `no connection yet; check cedar-store-agent is running at ${url}`;
  return (
    `agent ${agentId} at ${url} is not connected: ${/[.?!]$/.test(reason) ? reason : `${reason}.`} ` +
    'The controller keeps reconnecting by itself, so the next run works once that is fixed.'
  );
}

/** For a client that is not trying to connect at all: before start() or after stop(). */
export function notConnectingMessage(agentId: string, url: string, stopped: boolean): string {
  return stopped
    ? `agent ${agentId} at ${url} is not connected: the controller closed its connection to it while shutting down.`
    : `agent ${agentId} at ${url} is not connected: the controller has not started connecting to it.`;
}

export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}
