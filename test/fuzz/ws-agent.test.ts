// The real agent (virtual dvd+rw, real xorriso) over a real WebSocket, fuzzed with fast-check:
// requests for every method with one thing wrong, random text and binary frames, oversized
// frames, floods beyond the in-flight limit, connections that never authenticate or never
// finish their handshake. Whatever arrives, the agent answers with JSON-RPC errors coded as in
// docs/design.md#errors, keeps serving, and writes nothing: the disc image, the staging area (no store
// indicator) and every file around them stay byte-identical.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveAgentConfig, startAgent, type AgentServer } from '@cedar-store/device-agent';
import { ERROR_CODES } from '@cedar-store/domain';
import { rpcMethods } from '@cedar-store/ports';
import fc from 'fast-check';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stageDayOnDisk } from '../support/staging-dir.js';
import { sendRaw } from './support/http-request.js';
import { invalidParams, randomTextFrame, requestFrame, VALID_PARAMS } from './support/rpc-arbitraries.js';
import { FuzzTally } from './support/tally.js';
import { snapshotTree } from './support/tree-snapshot.js';
import { clientTextFrame, FuzzSocket, upgradeRequest, type RpcMessage } from './support/ws-frames.js';

const TOKEN = 'ws-fuzz-agent-token-0123456789abcdef';
const MAX_FRAME_BYTES = 64 * 1024;
const MAX_IN_FLIGHT = 4;
const METHODS = Object.keys(rpcMethods);

let base: string;
let server: AgentServer;
let url: string;
let port: number;
// The journal and the manifests of passed verifies: a fuzzed request that happens to be a valid
// read (a verify, an audit) is recorded there, which writes nothing to the disc, staging or restore.
const AGENT_BOOKKEEPING = ['work/journal', 'work/manifests', 'work/audit-scratch'];

let before: Record<string, string>;
const tally = new FuzzTally('ws-agent');
let nextId = 1;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'cedar-fuzz-ws-'));
  const stagingRoot = join(base, 'stage');
  await stageDayOnDisk(stagingRoot, '2026-11-23', {
    'etc/hosts': '127.0.0.1 localhost\n',
    'data.bin': 'd'.repeat(3000),
  });
  await stageDayOnDisk(stagingRoot, '2026-11-24', { 'notes.txt': 'not yet on disc\n' });
  // A day outside the staging root, reachable only through a symlink: never to be read or marked.
  await stageDayOnDisk(join(base, 'outside'), '2026-11-20', { secret: 'not for the disc' });
  await symlink(join(base, 'outside', '2026', '11', '20'), join(stagingRoot, '2026', '11', '20'));
  await mkdir(join(base, 'media'), { recursive: true });
  await writeFile(join(base, 'outside', 'canary'), 'untouched');
  const config = await resolveAgentConfig(
    {
      agentId: 'fuzz',
      listen: { host: '127.0.0.1', port: 0 },
      auth: { token: TOKEN },
      stagingRoot,
      workingDir: join(base, 'work'),
      limits: {
        maxFrameBytes: MAX_FRAME_BYTES,
        maxInFlightPerConnection: MAX_IN_FLIGHT,
        handshakeTimeoutSeconds: 2,
      },
      devices: [{ id: 'dvd0', backend: 'virtual', path: join(base, 'media', 'dvd0.iso'), mediaType: 'dvd+rw' }],
    },
    'fuzz config',
    {},
  );
  const started = await startAgent(config, pino({ level: 'silent' }), { progressIntervalMs: 0 });
  server = started.server;
  port = started.port;
  url = `ws://127.0.0.1:${port}/rpc`;
  // A disc with one session on it: what the fuzzing must leave exactly as it is.
  const client = await FuzzSocket.open(url, TOKEN);
  client.send(
    JSON.stringify({
      jsonrpc: '2.0',
      id: 'setup',
      method: 'media.write',
      params: { device: 'dvd0', days: ['2026-11-23'], label: 'CEDAR BACKUP 23-NOV-2026', newDisc: true },
    }),
  );
  const written = await client.waitFor((m) => m.id === 'setup', 'the setup write');
  expect(written.result).toMatchObject({ sessions: 1 });
  client.close();
  before = await snapshotTree(base, AGENT_BOOKKEEPING);
}, 120_000);

afterAll(async () => {
  tally.print();
  await server?.close();
  if (base) await rm(base, { recursive: true, force: true });
});

/** A JSON-RPC error response whose data, when present, carries a §7 code. */
function expectRpcError(message: RpcMessage, what: string): void {
  expect(message.jsonrpc, what).toBe('2.0');
  expect(message.result, what).toBeUndefined();
  expect(Number.isInteger(message.error?.code), what).toBe(true);
  expect(message.error?.message, what).toEqual(expect.any(String));
  // Whatever size the frame, the message stays readable: client input is never echoed at length.
  expect((message.error?.message as string).length, what).toBeLessThanOrEqual(1000);
  if (message.error?.data !== undefined) expect(ERROR_CODES, what).toContain(message.error.data.code);
}

/** The members a method's params schema accepts, optional ones included. */
function paramKeys(method: string): string[] {
  const schema = (rpcMethods as Record<string, { params: { shape?: Record<string, unknown> } }>)[method]!.params;
  return Object.keys(schema.shape ?? {});
}

async function expectStillServing(): Promise<void> {
  const client = await FuzzSocket.open(url, TOKEN);
  client.send(JSON.stringify({ jsonrpc: '2.0', id: 'alive', method: 'agent.describe' }));
  expect((await client.waitFor((m) => m.id === 'alive', 'agent.describe')).result).toMatchObject({ agentId: 'fuzz' });
  client.close();
}

describe('the agent under hostile frames', { timeout: 120_000 }, () => {
  it('has a valid template for every method of the wire contract, the start of its mutations', () => {
    // A method added later is still fuzzed (generic mutations); this names the ones lacking a template.
    expect(METHODS.filter((method) => !(method in VALID_PARAMS))).toEqual([]);
  });

  it('refuses every method called with one thing wrong: -32602 INVALID_REQUEST, and nothing runs', async () => {
    const client = await FuzzSocket.open(url, TOKEN);
    const call = fc
      .constantFrom(...METHODS)
      .chain((method) => invalidParams(method, paramKeys(method)).map((mutation) => ({ method, ...mutation })));
    await fc.assert(
      fc.asyncProperty(call, async ({ method, params, certain }) => {
        const id = nextId++;
        const frame = requestFrame(id, method, params);
        const what = `${method} ${frame.slice(0, 300)}`;
        client.send(frame);
        const reply = await client.waitFor((m) => m.id === id || (m.id === null && m.error?.code === -32700), what);
        if (!certain && reply.error === undefined) {
          // A wrong-looking value the schema may accept (say, any JSON for an optional member)
          // made a valid call: fine, as long as it changes nothing (the snapshot tests say so).
          tally.record('valid', false);
          return;
        }
        expectRpcError(reply, what);
        if (reply.id === null) {
          // A raw token such as NaN makes the whole frame unparseable: a parse error, then.
          expect(reply.error?.code, what).toBe(-32700);
          client.received.splice(client.received.indexOf(reply), 1);
        } else if (certain) {
          expect(reply.error, what).toMatchObject({ code: -32602, data: { code: 'INVALID_REQUEST' } });
        }
        tally.record(reply.error?.code as number, true);
      }),
      { numRuns: 400 },
    );
    expect(client.open).toBe(true);
    client.close();
    expect(await snapshotTree(base, AGENT_BOOKKEEPING)).toEqual(before);
  });

  it('answers random text frames with JSON-RPC errors and stays connected', async () => {
    const client = await FuzzSocket.open(url, TOKEN);
    await fc.assert(
      fc.asyncProperty(randomTextFrame, async (frame) => {
        const seen = client.received.length;
        const sentinel = `sentinel-${nextId++}`;
        client.send(frame);
        client.send(JSON.stringify({ jsonrpc: '2.0', id: sentinel, method: 'agent.describe' }));
        await client.waitFor((m) => m.id === sentinel, `the sentinel after ${frame.slice(0, 200)}`);
        const answers = client.received.slice(seen).filter((m) => m.id !== sentinel);
        expect(answers.length, frame).toBeLessThanOrEqual(1);
        for (const answer of answers) {
          if (Array.isArray(answer)) {
            // A batch: refused member by member, each answer an error.
            expect(answer.length, frame).toBeGreaterThan(0);
            for (const member of answer as RpcMessage[]) expectRpcError(member, frame.slice(0, 300));
            tally.record('batch-refused', true);
            continue;
          }
          // A random frame may happen to be a valid read (agent.describe): fine, it changes nothing.
          if (answer.error !== undefined) expectRpcError(answer, frame.slice(0, 300));
          tally.record(
            answer.error?.code === undefined ? 'result' : (answer.error.code as number),
            answer.error !== undefined,
          );
        }
        if (answers.length === 0) tally.record('ignored', true);
        expect(client.unparseable, frame).toEqual([]);
      }),
      { numRuns: 300 },
    );
    expect(client.open).toBe(true);
    client.close();
    expect(await snapshotTree(base, AGENT_BOOKKEEPING)).toEqual(before);
  });

  it('answers binary frames with -32600 and keeps the connection', async () => {
    const client = await FuzzSocket.open(url, TOKEN);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 2000 }), async (bytes) => {
        const seen = client.received.length;
        client.send(Buffer.from(bytes), true);
        const answer = await client.waitFor((m) => client.received.indexOf(m) >= seen, 'an answer to a binary frame');
        expectRpcError(answer, 'binary');
        expect(answer.error?.code).toBe(-32600);
        tally.record(-32600, true);
      }),
      { numRuns: 50 },
    );
    expect(client.open).toBe(true);
    client.close();
  });

  it('closes a connection sending a frame over the limit with 1009, and serves the next one', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: MAX_FRAME_BYTES + 1, max: 4 * MAX_FRAME_BYTES }),
        fc.boolean(),
        async (size, binary) => {
          const client = await FuzzSocket.open(url, TOKEN);
          const pad = 'p'.repeat(size);
          client.send(
            binary
              ? Buffer.alloc(size, 1)
              : JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'media.write', params: { pad } }),
            binary,
          );
          expect(await client.waitClosed()).toBe(1009);
          tally.record(1009, true);
          await expectStillServing();
        },
      ),
      { numRuns: 6 },
    );
  });

  it('closes a connection sending text frames that are not UTF-8 with 1007, and serves the next one', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 200 }), async (bytes) => {
        const invalid = Buffer.concat([
          Buffer.from('{"jsonrpc":"2.0","id":1,"method":"'),
          Buffer.from([0xff]),
          Buffer.from(bytes),
        ]);
        const client = await FuzzSocket.open(url, TOKEN);
        client.send(invalid);
        expect(await client.waitClosed()).toBe(1007);
        tally.record(1007, true);
      }),
      { numRuns: 5 },
    );
    await expectStillServing();
  });

  it('survives floods beyond the in-flight limit: every request answered, the excess refused, others served', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: MAX_IN_FLIGHT + 4, max: 40 }), async (count) => {
        const client = await FuzzSocket.open(url, TOKEN);
        const ids = Array.from({ length: count }, () => nextId++);
        // media.status runs xorriso, so the requests are still in flight when the next ones arrive.
        for (const id of ids) client.send(requestFrame(id, 'media.status', { device: 'dvd0' }));
        const other = expectStillServing();
        const answers = await Promise.all(ids.map((id) => client.waitFor((m) => m.id === id, `answer ${id}`)));
        await other;
        const refused = answers.filter((answer) => answer.error !== undefined);
        for (const answer of refused) {
          expect(answer.error).toMatchObject({ code: -32001, data: { code: 'INVALID_REQUEST' } });
          expect(answer.error?.message).toMatch(/too many requests in flight/);
        }
        expect(refused.length).toBeGreaterThan(0);
        expect(answers.length - refused.length).toBeGreaterThan(0);
        for (const answer of answers)
          tally.record(answer.error ? 'flood-refused' : 'flood-served', answer.error !== undefined);
        expect(client.open).toBe(true);
        client.close();
      }),
      { numRuns: 3 },
    );
    expect(await snapshotTree(base, AGENT_BOOKKEEPING)).toEqual(before);
  });

  it('refuses an upgrade without the right token with 401, running nothing sent after it', async () => {
    const authorization = fc.oneof(
      fc.constant<string[]>([]),
      fc.constantFrom<string[]>(
        ['Bearer'],
        [`Bearer ${TOKEN}x`],
        [`Bearer ${TOKEN.slice(1)}`],
        [TOKEN],
        [`Basic ${Buffer.from(`a:${TOKEN}`).toString('base64')}`],
        [`Bearer ${TOKEN}`, 'Bearer wrong-token-wrong-token'],
        ['Bearer wrong-token-wrong-token', `Bearer ${TOKEN}`],
      ),
      fc.array(
        fc.stringMatching(/^[\x21-\x7e]{0,60}$/).map((token) => `Bearer ${token}`),
        { minLength: 1, maxLength: 2 },
      ),
    );
    // What a client that ignores the refusal sends next: a write of the day not yet on disc.
    const write = clientTextFrame(
      requestFrame(1, 'media.write', {
        device: 'dvd0',
        days: ['2026-11-24'],
        label: 'CEDAR BACKUP 24-NOV-2026',
        newDisc: true,
      }),
    );
    await fc.assert(
      fc.asyncProperty(authorization, async (lines) => {
        const answer = await sendRaw(port, Buffer.concat([Buffer.from(upgradeRequest(lines)), write]), 10_000);
        expect(answer, JSON.stringify(lines)).toMatch(/^HTTP\/1\.1 401 /);
        tally.record(401, true);
      }),
      { numRuns: 60 },
    );
    await expectStillServing();
    expect(await snapshotTree(base, AGENT_BOOKKEEPING)).toEqual(before);
  });

  it('leaves the disc image, the staging area and everything around them byte-identical, with no store indicator', async () => {
    const after = await snapshotTree(base, AGENT_BOOKKEEPING);
    expect(Object.keys(after).filter((path) => path.endsWith('cback.store'))).toEqual([]);
    expect(after['media/dvd0.iso']).toBe(before['media/dvd0.iso']);
    expect(after).toEqual(before);
  });

  it('times out an upgrade request trickled byte by byte, and keeps serving others meanwhile', async () => {
    const open = await FuzzSocket.open(url, TOKEN);
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    const request = upgradeRequest([`Bearer ${TOKEN}`]);
    let sent = 0;
    const drip = setInterval(() => {
      if (socket.writable && sent < request.length - 2) socket.write(request[sent++]!);
    }, 50);
    await expectStillServing();
    await new Promise<void>((resolve) => socket.on('close', () => resolve()));
    clearInterval(drip);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    tally.record(408, true);
    // A connection that did finish its handshake is not subject to that timeout.
    open.send(JSON.stringify({ jsonrpc: '2.0', id: 'still', method: 'agent.describe' }));
    expect((await open.waitFor((m) => m.id === 'still', 'describe on the open connection')).result).toBeDefined();
    open.close();
  });
});
