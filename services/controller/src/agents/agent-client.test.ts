import { MediaFullError } from '@cedar-store/domain';
import type { AgentState, MediaStatus, Progress, VerifyReport } from '@cedar-store/ports';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentClient, type AgentClientOptions } from './index.js';
import { FAKE_DEVICES, FAKE_TOKEN, FakeAgent, silence } from './testing/fake-agent.js';
import { freePort, waitFor, waitForState } from './testing/wait.js';

const STATUS: MediaStatus = {
  mediaPresent: true,
  mediaType: 'dvd+rw',
  rewritable: true,
  label: 'CEDAR BACKUP 26-NOV-2026',
  mounted: false,
  sessions: 1,
  sectorsUsed: 1000,
  bytesUsed: 2_048_000,
  bytesAvailable: 4_000_000_000,
};
const WRITE = { device: 'dvd0', days: ['2026-11-26'], label: 'CEDAR BACKUP 26-NOV-2026', newDisc: true };
const REPORT: VerifyReport = { ok: true, method: 'mount', filesCompared: 2, bytesCompared: 10, mismatches: [] };

// Small delays so reconnects happen within a test; the production defaults are in agent-client-options.ts.
const FAST: AgentClientOptions = { reconnect: { minDelayMs: 20, maxDelayMs: 200 }, unreachableGraceMs: 2000 };

let fake: FakeAgent;
let clients: AgentClient[];

function client(options: AgentClientOptions = {}, endpoint: { url?: string; token?: string } = {}): AgentClient {
  const created = new AgentClient(
    { id: 'burner-1', url: endpoint.url ?? fake.url, token: endpoint.token ?? FAKE_TOKEN },
    { ...FAST, ...options },
  );
  clients.push(created);
  created.start();
  return created;
}

async function connectedClient(options: AgentClientOptions = {}): Promise<AgentClient> {
  const created = client(options);
  await waitForState(created, 'connected');
  return created;
}

beforeEach(async () => {
  clients = [];
  fake = await FakeAgent.start();
});

afterEach(async () => {
  await Promise.all(clients.map((c) => c.stop()));
  await fake.close();
});

describe('AgentClient', { timeout: 20_000 }, () => {
  it('connects, describes the agent, and answers a call with the checked result', async () => {
    const states: AgentState[] = [];
    const c = client();
    c.onStateChange((info) => states.push(info.state));
    await waitForState(c, 'connected');
    expect(c.info()).toMatchObject({ id: 'burner-1', url: fake.url, state: 'connected', version: '0.0.0-fake' });
    expect(c.info().lastError).toBeUndefined();
    expect(Date.parse(c.info().since ?? '')).not.toBeNaN();
    expect(c.description()?.devices).toEqual(FAKE_DEVICES);
    expect(states).toEqual(['connected']);

    fake.on('media.status', () => STATUS);
    expect(await c.call('media.status', { device: 'dvd0' })).toEqual(STATUS);
    expect(fake.received.at(-1)).toEqual({ method: 'media.status', params: { device: 'dvd0' } });
  });

  it('refuses bad params before sending anything', async () => {
    const c = await connectedClient();
    await expect(c.call('media.write', { ...WRITE, days: ['2026-02-30'] })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      message: expect.stringMatching(/media\.write was not sent to agent burner-1: days\.0: must be a real calendar/),
    });
    await expect(c.call('media.initialize', { device: 'dvd0', label: '-Z/dev/sdb' })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    });
    expect(fake.received.map((r) => r.method)).toEqual(['agent.describe']);
  });

  it('refuses a reply that breaks the contract as INTERNAL, naming the agent and method', async () => {
    const c = await connectedClient();
    fake.on('media.estimate', () => ({ bytes: -1 }));
    await expect(
      c.call('media.estimate', { device: 'dvd0', days: ['2026-11-26'], newDisc: false }),
    ).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringMatching(/agent burner-1 sent an invalid reply to media\.estimate: bytes/),
    });
    fake.on('media.status', (call) => {
      call.send({ jsonrpc: '2.0', id: call.id });
      return silence();
    });
    await expect(c.call('media.status', { device: 'dvd0' })).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringMatching(/neither a result nor an error/),
    });
    expect(c.info().state).toBe('connected');
  });

  it('takes a manifest page the contract allows, and refuses a bad record with the schema naming it', async () => {
    const c = await connectedClient();
    const record = { day: '2026-11-26', path: '/2026/11/26/notes.txt', size: 5, sha256: 'ab'.repeat(32) };
    const read = { opId: 'run-1:write', cursor: 0, maxRecords: 10 };
    fake.on('manifest.read', () => ({ records: [record], nextCursor: null }));
    expect(await c.call('manifest.read', read)).toEqual({ records: [record], nextCursor: null });
    fake.on('manifest.read', () => ({ records: [record, { ...record, sha256: 'AB'.repeat(32) }], nextCursor: 99 }));
    await expect(c.call('manifest.read', read)).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringMatching(/agent burner-1 sent an invalid reply to manifest\.read: records\.1\.sha256/),
    });
  });

  it("rebuilds the agent's domain error with its code and message", async () => {
    const c = await connectedClient();
    fake.on('media.write', () => {
      throw new MediaFullError('the days do not fit on the disc: run cedar-store rebuild');
    });
    await expect(c.call('media.write', WRITE)).rejects.toMatchObject({
      code: 'MEDIA_FULL',
      message: 'the days do not fit on the disc: run cedar-store rebuild',
    });
  });

  it('gives progress only to the call it belongs to, and ignores frames it cannot use', async () => {
    const c = await connectedClient();
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    fake.on('media.write', async (call) => {
      call.progress({ phase: 'write', bytesDone: 1, bytesTotal: 2 });
      await released;
      call.progress({ phase: 'write', bytesDone: 2, bytesTotal: 2 });
      return { bytesWritten: 2, sessions: 1 };
    });
    fake.on('media.verify', (call) => {
      call.progress({ phase: 'verify', bytesDone: 5, bytesTotal: 10 });
      call.send({ jsonrpc: '2.0', method: 'log', params: { line: 'hello' } });
      call.send({
        jsonrpc: '2.0',
        method: 'progress',
        params: { opId: '999', phase: 'write', bytesDone: 1, bytesTotal: 1 },
      });
      call.send({ jsonrpc: '2.0', method: 'progress', params: { opId: String(call.id), phase: 'nonsense' } });
      call.send({ jsonrpc: '2.0', id: 999, result: {} });
      call.send('not json at all');
      call.socket.send(Buffer.from([1, 2, 3]), { binary: true });
      release();
      return REPORT;
    });
    const writes: Progress[] = [];
    const verifies: Progress[] = [];
    const [written, verified] = await Promise.all([
      c.call('media.write', WRITE, { onProgress: (p) => writes.push(p) }),
      c.call('media.verify', { device: 'dvd0', days: ['2026-11-26'] }, { onProgress: (p) => verifies.push(p) }),
    ]);
    expect(written).toEqual({ bytesWritten: 2, sessions: 1 });
    expect(verified).toEqual(REPORT);
    expect(writes).toEqual([
      { phase: 'write', bytesDone: 1, bytesTotal: 2 },
      { phase: 'write', bytesDone: 2, bytesTotal: 2 },
    ]);
    expect(verifies).toEqual([{ phase: 'verify', bytesDone: 5, bytesTotal: 10 }]);
    expect(c.info().state).toBe('connected');
  });

  it('stops waiting for an unanswered call with AGENT_LOST saying the outcome is unknown, keeping the connection', async () => {
    const c = await connectedClient({ timeouts: { 'media.status': 150 } });
    fake.on('media.write', silence).on('media.status', silence);
    await expect(c.call('media.write', WRITE, { timeoutMs: 200 })).rejects.toMatchObject({
      code: 'AGENT_LOST',
      message: expect.stringMatching(
        /agent burner-1 did not answer media\.write within 200 ms.*whether the session was written is unknown/,
      ),
      details: { agent: 'burner-1', method: 'media.write', timedOut: true },
    });
    await expect(c.call('media.status', { device: 'dvd0' })).rejects.toMatchObject({
      code: 'AGENT_LOST',
      message: expect.stringMatching(/within 150 ms.*safe to repeat/),
    });
    expect(c.info().state).toBe('connected');
    fake.on('media.status', () => STATUS);
    expect(await c.call('media.status', { device: 'dvd0' })).toEqual(STATUS);
  });

  it('fails a call in flight with AGENT_LOST when the connection drops, then reconnects by itself', async () => {
    const c = await connectedClient();
    fake.on('media.write', (call) => {
      setTimeout(() => call.socket.terminate(), 20);
      return silence();
    });
    await expect(c.call('media.write', WRITE)).rejects.toMatchObject({
      code: 'AGENT_LOST',
      message: expect.stringMatching(
        /^lost the connection to agent burner-1 during media\.write \(.+\): whether the session was written is unknown; no store indicator was written, so these days still wait in staging$/,
      ),
    });
    await waitFor('a second connection', () => fake.accepted === 2 && c.info().state === 'connected');
    fake.on('media.status', () => STATUS);
    expect(await c.call('media.status', { device: 'dvd0' })).toEqual(STATUS);
  });

  it('drops a connection whose agent stops answering pings', async () => {
    await fake.close();
    fake = await FakeAgent.start({ answerPings: false });
    const c = await connectedClient({ heartbeatMs: 100 });
    fake.on('media.verify', silence);
    await expect(c.call('media.verify', { device: 'dvd0', days: ['2026-11-26'] })).rejects.toMatchObject({
      code: 'AGENT_LOST',
      message: expect.stringMatching(/did not answer a ping within 100 ms.*the verify did not finish/),
    });
  });

  it('closes a connection that sends a message over the size limit', async () => {
    const c = await connectedClient({ maxPayloadBytes: 1024 });
    fake.on('media.status', () => ({ ...STATUS, detectedMedia: 'x'.repeat(150), label: 'y'.repeat(2000) }));
    await expect(c.call('media.status', { device: 'dvd0' })).rejects.toMatchObject({
      code: 'AGENT_LOST',
      message: expect.stringMatching(/larger than the size limit/),
    });
  });

  it('fails fast with AGENT_UNREACHABLE, naming the agent, its url and the reason, when nothing listens', async () => {
    const url = `ws://127.0.0.1:${await freePort()}/rpc`;
    // A short grace: the call waits for it, no more (the bound is loose on purpose, for a busy machine).
    const c = client({ unreachableGraceMs: 300 }, { url });
    const started = Date.now();
    const failure = await c.call('media.status', { device: 'dvd0' }).catch((error: unknown) => error);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(Date.now() - started).toBeLessThan(2500);
    expect(failure).toMatchObject({ code: 'AGENT_UNREACHABLE', details: { agent: 'burner-1' } });
    expect((failure as Error).message).toContain(`agent burner-1 at ${url} is not connected`);
    expect((failure as Error).message).toContain(`ECONNREFUSED: is cedar-store-agent running at ${url}?`);
    expect(c.info()).toMatchObject({ state: 'disconnected', lastError: expect.stringMatching(/ECONNREFUSED/) });
  });

  it('says the token was refused when the agent answers 401', async () => {
    const c = client({ unreachableGraceMs: 300 }, { token: 'not-the-right-token-000000' });
    await waitFor('a refused attempt', () => c.info().lastError !== undefined);
    expect(c.info()).toMatchObject({ state: 'disconnected' });
    expect(c.info().lastError).toMatch(/^token refused \(HTTP 401\): check the agent token in controller\.yaml/);
    await expect(c.call('media.status', { device: 'dvd0' })).rejects.toMatchObject({
      code: 'AGENT_UNREACHABLE',
      message: expect.stringMatching(/token refused/),
    });
    expect(fake.received).toEqual([]);
  });

  it('refuses an agent that describes itself with another id', async () => {
    await fake.close();
    fake = await FakeAgent.start({ agentId: 'burner-2' });
    const c = client();
    await waitFor('a failed attempt', () => c.info().lastError !== undefined);
    expect(c.info().state).toBe('disconnected');
    expect(c.info().lastError).toMatch(/is "burner-2", not "burner-1"/);
  });

  it('reconnects by itself after the agent restarts on the same port', async () => {
    const c = await connectedClient();
    const states: AgentState[] = [];
    c.onStateChange((info) => states.push(info.state));
    const port = fake.port;
    await fake.close();
    await waitForState(c, 'disconnected');
    expect(c.info().lastError).toBeDefined();
    fake = await FakeAgent.start({ port });
    await waitForState(c, 'connected');
    expect(states).toEqual(['disconnected', 'connected']);
    fake.on('media.status', () => STATUS);
    expect(await c.call('media.status', { device: 'dvd0' })).toEqual(STATUS);
  });

  it('stop() fails calls in flight with AGENT_LOST and later calls at once', async () => {
    const c = await connectedClient();
    fake.on('media.blank', silence);
    const blank = c.call('media.blank', { device: 'dvd0' });
    await waitFor('the blank to reach the agent', () => fake.received.some((r) => r.method === 'media.blank'));
    await c.stop();
    await expect(blank).rejects.toMatchObject({
      code: 'AGENT_LOST',
      message: expect.stringMatching(
        /^the controller closed its connection to agent burner-1 during media\.blank: whether the disc was blanked is unknown/,
      ),
    });
    expect(c.info().state).toBe('disconnected');
    const started = Date.now();
    await expect(c.call('media.status', { device: 'dvd0' })).rejects.toMatchObject({ code: 'AGENT_UNREACHABLE' });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  describe('a journaled operation whose connection drops', () => {
    const OP_WRITE = { ...WRITE, opId: 'run-1:write' };
    const record = (state: string, extra: Record<string, unknown> = {}) => ({
      operations: [
        {
          opId: 'run-1:write',
          method: 'media.write',
          device: 'dvd0',
          state,
          startedAt: '2026-11-26T01:00:00.000Z',
          ...extra,
        },
      ],
    });
    /** The write's connection drops mid-call; operations.get then answers from `answers`, the last one repeating. */
    function dropThenAnswer(answers: unknown[]): void {
      fake.on('media.write', (call) => {
        setTimeout(() => call.socket.terminate(), 20);
        return silence();
      });
      let asked = 0;
      fake.on('operations.get', () => answers[Math.min(asked++, answers.length - 1)]);
    }

    it('waits for the agent and returns the result its journal kept, telling the caller the connection was lost', async () => {
      const c = await connectedClient({ operationPollMs: 20 });
      dropThenAnswer([record('running'), record('succeeded', { result: { bytesWritten: 4096, sessions: 2 } })]);
      const lost: string[] = [];
      const result = await c.call('media.write', OP_WRITE, { onConnectionLost: (message) => lost.push(message) });
      expect(result).toEqual({ bytesWritten: 4096, sessions: 2 });
      expect(lost).toEqual([expect.stringMatching(/lost the connection .* operation run-1:write from its journal/)]);
      expect(fake.received.filter((r) => r.method === 'operations.get').length).toBeGreaterThanOrEqual(2);
    });

    it("fails with the agent's own error when its journal says the operation failed", async () => {
      const c = await connectedClient({ operationPollMs: 20 });
      dropThenAnswer([record('failed', { error: { code: 'WRITE_FAILED', message: 'xorriso exited 5' } })]);
      await expect(c.call('media.write', OP_WRITE)).rejects.toMatchObject({
        code: 'WRITE_FAILED',
        message: expect.stringMatching(/xorriso exited 5 \(learned from agent burner-1's operation journal/),
      });
    });

    it('fails AGENT_LOST with the outcome unknown when the journal cannot know it, or has no record', async () => {
      const c = await connectedClient({ operationPollMs: 20 });
      dropThenAnswer([record('unknown', { error: { code: 'AGENT_LOST', message: 'the agent stopped' } })]);
      await expect(c.call('media.write', OP_WRITE)).rejects.toMatchObject({
        code: 'AGENT_LOST',
        details: { outcome: 'unknown' },
      });
      dropThenAnswer([{ operations: [] }]);
      await expect(c.call('media.write', { ...OP_WRITE, opId: 'run-2:write' })).rejects.toMatchObject({
        code: 'AGENT_LOST',
        message: expect.stringMatching(/has no record of operation run-2:write/),
      });
    });

    it("still ends at the call's own time limit while the journal keeps saying the operation runs", async () => {
      const c = await connectedClient({ operationPollMs: 20 });
      dropThenAnswer([record('running')]);
      await expect(c.call('media.write', OP_WRITE, { timeoutMs: 400 })).rejects.toMatchObject({
        code: 'AGENT_LOST',
        message: expect.stringMatching(/did not answer media\.write within 400 ms/),
        details: { opId: 'run-1:write', timedOut: true },
      });
      expect(fake.received.filter((r) => r.method === 'operations.get').length).toBeGreaterThanOrEqual(1);
    });

    it('gives up with AGENT_LOST when the agent is not back within the wait', async () => {
      const c = await connectedClient({ operationPollMs: 20, lostOperationWaitMs: 300, unreachableGraceMs: 50 });
      fake.on('media.write', () => {
        setTimeout(() => void fake.close(), 20);
        return silence();
      });
      await expect(c.call('media.write', OP_WRITE)).rejects.toMatchObject({
        code: 'AGENT_LOST',
        message: expect.stringMatching(/was not back within 300 ms; the controller asks for the outcome/),
      });
      fake = await FakeAgent.start();
    });
  });
});
