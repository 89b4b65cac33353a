import { createServer } from 'node:net';
import type { AgentState } from '@cedar-store/ports';
import type { AgentClient } from '../agent-client.js';

/** Polls until `check` holds; fails with `what` after `timeoutMs` (generous: no test depends on timing). */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function waitForState(client: AgentClient, state: AgentState, timeoutMs?: number): Promise<void> {
  return waitFor(`agent ${client.id} to be ${state}`, () => client.info().state === state, timeoutMs);
}

/** A loopback port nothing listens on (it was free a moment ago). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
