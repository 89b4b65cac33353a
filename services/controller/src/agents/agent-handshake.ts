/**
 * Everything before a connection to an agent is usable: opening the WebSocket, then asking
 * the agent who it is. Every way this can fail (nothing listening, a refused token, an
 * untrusted certificate, a silent port, another agent at that address) becomes a
 * ConnectFailure whose message is what `cedar-store devices` shows, so a user knows what
 * to fix without reading logs.
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import { rpcMethods, type RpcResult } from '@cedar-store/ports';
import { WebSocket } from 'ws';
import { errorMessage, NamedError } from '@cedar-store/domain';
import { describeConnectFailure, describeRefusal } from './agent-messages.js';
import type { RawReply, RpcConnection } from './rpc-connection.js';

export type AgentEndpoint = {
  id: string;
  /** `ws[s]://host:port/rpc` */
  url: string;
  token: string;
  /** PEM of the CA that signed the agent's certificate, for `wss://` with a private CA. */
  ca?: string;
};

export type AgentDescription = RpcResult<'agent.describe'>;

/** A connection attempt that failed; the message is what `info().lastError` shows. */
export class ConnectFailure extends NamedError {}

export type SocketLimits = { maxPayloadBytes: number; connectTimeoutMs: number };

/**
 * Resolves with the open socket or rejects ConnectFailure. `opening` gets the socket at
 * once, so a caller that is shutting down can cut an attempt that would otherwise take the
 * whole handshake timeout.
 */
export function openAgentSocket(
  endpoint: AgentEndpoint,
  limits: SocketLimits,
  opening?: (ws: WebSocket) => void,
): Promise<WebSocket> {
  const { url, token, ca } = endpoint;
  const ws = new WebSocket(url, {
    headers: { Authorization: `Bearer ${token}` },
    maxPayload: limits.maxPayloadBytes,
    handshakeTimeout: limits.connectTimeoutMs,
    perMessageDeflate: false,
    // A redirect would carry the token to wherever it points.
    followRedirects: false,
    ...(ca === undefined ? {} : { ca }),
  });
  opening?.(ws);
  return new Promise<WebSocket>((resolve, reject) => {
    let failure: string | null = null;
    const refused = (_request: ClientRequest, response: IncomingMessage): void => {
      failure = describeRefusal(response.statusCode ?? 0, url);
      response.resume();
      ws.terminate();
    };
    const failed = (error: Error): void => {
      failure ??= describeConnectFailure(error, url);
    };
    const closed = (): void => reject(new ConnectFailure(failure ?? 'the connection closed while opening'));
    ws.once('unexpected-response', refused);
    ws.on('error', failed);
    ws.once('close', closed);
    ws.once('open', () => {
      ws.off('unexpected-response', refused).off('error', failed).off('close', closed);
      resolve(ws);
    });
  });
}

/**
 * Asks the agent to describe itself. Work meant for one agent must never reach another, so
 * an agent answering at the configured url under another id (a swapped port, a copied
 * agent.yaml) fails the attempt.
 */
export async function describeAgent(
  connection: RpcConnection,
  endpoint: AgentEndpoint,
  timeoutMs: number,
): Promise<AgentDescription> {
  const failed = (why: string) => new ConnectFailure(`the agent at ${endpoint.url} did not describe itself: ${why}`);
  let reply: RawReply;
  try {
    reply = await connection.request('agent.describe', {}, { timeoutMs });
  } catch (error) {
    throw failed(errorMessage(error));
  }
  if (reply.kind === 'error') throw failed(reply.error.message);
  const result = rpcMethods['agent.describe'].result.safeParse(reply.kind === 'result' ? reply.result : null);
  if (!result.success) throw failed('its reply does not match the wire contract');
  if (result.data.agentId !== endpoint.id) {
    throw new ConnectFailure(
      `the agent at ${endpoint.url} is "${result.data.agentId}", not "${endpoint.id}": ` +
        'check the id and url of this agent in controller.yaml, or agentId in its agent.yaml',
    );
  }
  return result.data;
}
