import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiLimits } from './app.js';
import { AUTH, TODAY, createApiFixture, gate, until } from '../testing/api-fixture.js';

type Message = { id: number; event: string; data: { seq: number; type: string; [key: string]: unknown } };

/** The messages of a Server-Sent Events body; comment lines (keep-alives) are skipped. */
function parseEvents(text: string): Message[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '' && !block.startsWith(':'))
    .map((block) => {
      const fields = Object.fromEntries(
        block.split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]),
      );
      return { id: Number(fields.id), event: String(fields.event), data: JSON.parse(String(fields.data)) };
    });
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

/** A real socket, so the test can read the stream while the run goes on. */
async function listen(app: ReturnType<typeof createApiFixture>['app']): Promise<string> {
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function openStream(url: string, headers: Record<string, string> = {}) {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { ...AUTH, ...headers }, signal: abort.signal });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let done = false;
  return {
    res,
    get text() {
      return text;
    },
    async readUntil(predicate: (text: string) => boolean): Promise<string> {
      while (!done && !predicate(text)) {
        const chunk = await reader.read();
        if (chunk.done) done = true;
        else text += decoder.decode(chunk.value, { stream: true });
      }
      return text;
    },
    async readToEnd(): Promise<string> {
      return this.readUntil(() => false);
    },
    close: () => abort.abort(),
  };
}

/** A store run held inside its write, so its stream stays open until `hold.open()`. */
async function storeHeldInWrite(limits?: Partial<ApiLimits>) {
  const f = createApiFixture(limits ? { limits } : {});
  f.device().staging.addDay(TODAY, { a: 'x' });
  const hold = gate();
  f.device().drive.holdNext('write', hold.promise);
  const run = await f.coordinator.submit({ action: 'store' });
  await until(() => f.device().drive.operations.includes('write'));
  return { f, hold, run };
}

async function finishedStore(limits?: Partial<ApiLimits>) {
  const f = createApiFixture(limits ? { limits } : {});
  f.device().staging.addDay(TODAY, { a: 'x' });
  const run = await f.coordinator.submit({ action: 'store' });
  await f.coordinator.drain();
  return { f, run };
}

describe('GET /api/v1/runs/:id/events', () => {
  it('sends the whole history of a finished run, ending with its finished event, then closes', async () => {
    const { f, run } = await finishedStore();

    const res = await request(f.app).get(`/api/v1/runs/${run.id}/events`).set(AUTH).buffer(true);

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    const messages = parseEvents(res.text);
    const stored = await f.runs.events(run.id);
    expect(messages.map((m) => m.id)).toEqual(stored.map((event) => event.seq));
    expect(messages.map((m) => m.data)).toEqual(stored);
    expect(messages.every((m) => m.event === m.data.type)).toBe(true);
    expect(messages.map((m) => m.event)).toEqual(expect.arrayContaining(['step', 'progress']));
    expect(messages.at(-1)?.data).toMatchObject({ type: 'finished', status: 'succeeded' });
    expect(res.text.startsWith('id: 1\nevent: step\ndata: {')).toBe(true);
  });

  it('resumes after Last-Event-ID', async () => {
    const { f, run } = await finishedStore();
    const res = await request(f.app)
      .get(`/api/v1/runs/${run.id}/events`)
      .set(AUTH)
      .set('Last-Event-ID', '3')
      .buffer(true);
    const messages = parseEvents(res.text);
    expect(messages[0]?.id).toBe(4);
    expect(messages.at(-1)?.event).toBe('finished');
  });

  it('ends at once when the client already has the finished event', async () => {
    const { f, run } = await finishedStore({ finishedEventGraceMs: 60_000 });
    const last = (await f.runs.events(run.id)).at(-1)!;
    const res = await request(f.app)
      .get(`/api/v1/runs/${run.id}/events`)
      .set(AUTH)
      .set('Last-Event-ID', String(last.seq))
      .buffer(true);
    expect(res.status).toBe(200);
    expect(parseEvents(res.text)).toEqual([]);
  });

  it('ends after the history for a run recorded as finished without a finished event', async () => {
    const f = createApiFixture({ limits: { finishedEventGraceMs: 10 } });
    await f.runs.create({
      id: 'crashed-run',
      action: 'store',
      device: 'burner-1/dvd0',
      status: 'interrupted',
      requestedAt: '2026-11-26T21:00:00.000Z',
      options: {},
      warnings: [],
      error: { code: 'INTERNAL', message: 'the controller stopped while the run was running' },
    });
    await f.runs.appendEvent('crashed-run', { type: 'step', step: 'select', state: 'started' });

    const res = await request(f.app).get('/api/v1/runs/crashed-run/events').set(AUTH).buffer(true);

    expect(parseEvents(res.text).map((m) => m.data)).toMatchObject([{ type: 'step', step: 'select', seq: 1 }]);
  });

  it('streams a running run live after its history, each event once and none missing', async () => {
    const { f, hold, run } = await storeHeldInWrite();
    const stream = await openStream(`${await listen(f.app)}/api/v1/runs/${run.id}/events`);

    await stream.readUntil((text) => text.includes('"step":"write","state":"started"'));
    const seenBeforeRelease = parseEvents(stream.text).length;
    hold.open();
    await stream.readToEnd();

    const messages = parseEvents(stream.text);
    const stored = await f.runs.events(run.id);
    expect(messages.map((m) => m.id)).toEqual(stored.map((event) => event.seq));
    expect(messages.map((m) => m.id)).toEqual(stored.map((_event, index) => index + 1));
    expect(messages.length).toBeGreaterThan(seenBeforeRelease);
    expect(messages.slice(seenBeforeRelease).map((m) => m.event)).toContain('progress');
    expect(messages.at(-1)?.data).toMatchObject({ type: 'finished', status: 'succeeded' });
  });

  it('drops progress, never steps or the end, for a client that stops reading', async () => {
    const { f, hold, run } = await storeHeldInWrite();
    const stream = await openStream(`${await listen(f.app)}/api/v1/runs/${run.id}/events`);
    await stream.readUntil((text) => text.includes('"step":"write","state":"started"'));

    // The client reads nothing while far more progress arrives than the socket can take.
    const flood = 40_000;
    for (let i = 1; i <= flood; i += 1) {
      await f.runs.appendEvent(run.id, { type: 'progress', phase: 'write', bytesDone: i, bytesTotal: flood });
    }
    hold.open();
    await stream.readToEnd();

    const messages = parseEvents(stream.text);
    const progress = messages.filter((m) => m.event === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.length).toBeLessThan(flood);
    expect(messages.filter((m) => m.event === 'step').map((m) => `${m.data.step}:${m.data.state}`)).toContain(
      'write:finished',
    );
    expect(messages.at(-1)?.data).toMatchObject({ type: 'finished', status: 'succeeded' });
    const ids = messages.map((m) => m.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it.each([
    ['in the history and live', 'before'],
    ['live only', 'after'],
  ])('sends an event recorded while the history is read (%s) exactly once', async (_case, when) => {
    const { f, hold, run } = await storeHeldInWrite();
    const events = f.runs.events.bind(f.runs);
    const meanwhile = () =>
      f.runs.appendEvent(run.id, { type: 'warning', code: 'MEANWHILE', message: 'recorded meanwhile' });
    f.runs.events = async (runId, afterSeq) => {
      f.runs.events = events;
      if (when === 'before') await meanwhile();
      const history = await events(runId, afterSeq);
      if (when === 'after') await meanwhile();
      return history;
    };
    const stream = await openStream(`${await listen(f.app)}/api/v1/runs/${run.id}/events`);
    await stream.readUntil((text) => text.includes('MEANWHILE'));
    hold.open();
    await stream.readToEnd();

    const messages = parseEvents(stream.text);
    expect(messages.filter((m) => m.data.type === 'warning')).toHaveLength(1);
    expect(messages.map((m) => m.id)).toEqual((await f.runs.events(run.id)).map((event) => event.seq));
  });

  it('sends keep-alive comments on a quiet stream and unsubscribes when the client goes away', async () => {
    const { f, hold, run } = await storeHeldInWrite({ keepAliveMs: 20 });
    let subscribed = 0;
    const subscribe = f.runs.subscribe.bind(f.runs);
    f.runs.subscribe = (runId, listener) => {
      subscribed += 1;
      const unsubscribe = subscribe(runId, listener);
      return () => {
        subscribed -= 1;
        unsubscribe();
      };
    };
    const stream = await openStream(`${await listen(f.app)}/api/v1/runs/${run.id}/events`);

    await stream.readUntil((text) => text.includes(': keep-alive\n\n'));
    expect(subscribed).toBe(1);
    stream.close();
    await until(() => subscribed === 0);

    hold.open();
    await f.coordinator.drain();
  });

  it('answers HEAD at once, even for a running run', async () => {
    const f = createApiFixture();
    const hold = gate();
    f.device().drive.holdNext('initialize', hold.promise);
    const run = await f.coordinator.submit({ action: 'initialize' });
    const res = await request(f.app).head(`/api/v1/runs/${run.id}/events`).set(AUTH);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    hold.open();
    await f.coordinator.drain();
  });

  it('answers 404 for an unknown run and 400 for a bad Last-Event-ID or query, as JSON', async () => {
    const { f, run } = await finishedStore();

    const unknown = await request(f.app).get('/api/v1/runs/no-such-run/events').set(AUTH);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({
      code: 'INVALID_REQUEST',
      message: expect.stringMatching(/^no run no-such-run/),
    });

    const badResume = await request(f.app).get(`/api/v1/runs/${run.id}/events`).set(AUTH).set('Last-Event-ID', 'abc');
    expect(badResume.status).toBe(400);
    expect(badResume.body.error.message).toMatch(/Last-Event-ID/);

    const badQuery = await request(f.app).get(`/api/v1/runs/${run.id}/events?after=3`).set(AUTH);
    expect(badQuery.status).toBe(400);
    expect(badQuery.body.error.message).toMatch(/"after"/);
  });
});
