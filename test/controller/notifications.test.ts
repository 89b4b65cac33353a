// Notifications from a real controller (a real agent, virtual media, the HTTP API on loopback)
// to a real HTTP receiver and a real SMTP server: a failed store is reported exactly once to
// each, signed and with what to do next; a receiver that is down is retried and then given up
// on while the run it reports on is neither delayed nor changed; no secret reaches the log.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Writable } from 'node:stream';
import { createLogger } from '@cedar-store/controller';
import type { Run } from '@cedar-store/ports';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_TOKEN, startStack, type Stack } from '../support/controller-stack.js';
import {
  closedPort,
  readMail,
  startHttpReceiver,
  startSmtpReceiver,
  type ReceivedMail,
  type ReceivedPost,
} from '../support/notify-receivers.js';

const DEVICE = 'burner-1/dvd0';
const HMAC_SECRET = 'hook-hmac-secret-7f3a9c';
const HEADER_SECRET = 'hook-header-secret-51be02';
const QUERY_SECRET = 'query-secret-0c9d44';
const SMTP_PASSWORD = 'smtp-password-secret-e81f6a';
/** The down receiver is retried for this long after the run finished, then given up on. */
const GIVE_UP_AFTER_MS = 1500;

let stack: Stack;
let receiver: Awaited<ReturnType<typeof startHttpReceiver>>;
let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
const logLines: string[] = [];

beforeAll(async () => {
  receiver = await startHttpReceiver();
  smtp = await startSmtpReceiver({ user: 'cedar', password: SMTP_PASSWORD });
  const downPort = await closedPort();
  const logger = createLogger({
    level: 'debug',
    destination: new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(chunk.toString());
        done();
      },
    }),
  });
  stack = await startStack({
    logger,
    controllerOptions: { notifyRetry: { firstDelayMs: 100, maxDelayMs: 400, giveUpAfterMs: GIVE_UP_AFTER_MS } },
    notify: [
      {
        kind: 'webhook',
        name: 'ops-hook',
        on: ['failed', 'warning'],
        url: `${receiver.url}/hooks/cedar-store`,
        headers: { authorization: `Bearer ${HEADER_SECRET}` },
        secret: HMAC_SECRET,
      },
      {
        kind: 'email',
        name: 'admins',
        on: ['failed', 'warning'],
        to: ['backup-admin@example.org'],
        from: 'cedar-store@example.org',
        smtp: { host: '127.0.0.1', port: smtp.port, secure: false, user: 'cedar', password: SMTP_PASSWORD },
      },
      {
        kind: 'webhook',
        name: 'down-hook',
        on: ['failed'],
        url: `http://127.0.0.1:${downPort}/hook?key=${QUERY_SECRET}`,
        headers: {},
        secret: HMAC_SECRET,
      },
    ],
  });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
  await smtp?.close();
});

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`still waiting for ${what} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function metric(series: string): Promise<number> {
  const response = await fetch(`${stack.url}/metrics`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
  const text = await response.text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? NaN : Number(line.slice(series.length + 1));
}

describe('notifications of a failed store', { timeout: 60_000 }, () => {
  let run: Run;
  let finishedAtMs: number;
  let post: ReceivedPost;
  let mail: ReceivedMail;

  beforeAll(async () => {
    // Nothing staged: the store fails with NO_STAGING_DIRECTORY.
    run = await stack.api.run({ action: 'store', today: '2026-11-26' });
    finishedAtMs = Date.now();
    post = await until('the webhook', () => receiver.posts[0]);
    mail = await until('the mail', () => smtp.mails[0]);
  });

  it('the run fails as it would without notifications, and is not held up by the receiver that is down', async () => {
    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('NO_STAGING_DIRECTORY');
    // The run finished long before the down receiver was given up on.
    expect(Date.parse(run.finishedAt!) - Date.parse(run.requestedAt)).toBeLessThan(GIVE_UP_AFTER_MS);
    expect(await metric('cedar_store_notifications_total{target="down-hook",outcome="gave_up"}')).toBe(0);
    // And the API stays as it was: the recorded run is the one the receivers got.
    expect(await stack.api.get(run.id)).toEqual(run);
  });

  it('posts one webhook, signed with HMAC-SHA256 over the body, with the run, a summary and the advice', async () => {
    expect(post.path).toBe('/hooks/cedar-store');
    expect(post.headers['content-type']).toBe('application/json');
    expect(post.headers.authorization).toBe(`Bearer ${HEADER_SECRET}`);
    const expected = `sha256=${createHmac('sha256', HMAC_SECRET).update(post.body).digest('hex')}`;
    const signature = String(post.headers['x-cedar-store-signature']);
    expect(timingSafeEqual(Buffer.from(signature), Buffer.from(expected))).toBe(true);
    // A body changed on the way would not match.
    const forged = createHmac('sha256', HMAC_SECRET).update(post.body.replace('failed', 'succeeded')).digest('hex');
    expect(signature).not.toBe(`sha256=${forged}`);

    const body = JSON.parse(post.body) as { event: string; subject: string; summary: string; advice: string; run: Run };
    expect(body.event).toBe('failed');
    expect(body.subject).toBe(`cedar-store: store failed on ${DEVICE} (NO_STAGING_DIRECTORY)`);
    expect(body.run).toEqual(run);
    expect(body.summary).toContain(`The store run ${run.id} on ${DEVICE} failed`);
    expect(body.summary).toContain(`NO_STAGING_DIRECTORY: ${run.error!.message}`);
    expect(body.advice).toMatch(/^Check that the backup host staged the day/);
  });

  it('sends one mail, logged in, whose subject names the action, device and code and whose body says what to do', () => {
    expect(mail.user).toBe('cedar');
    expect(mail.from).toBe('cedar-store@example.org');
    expect(mail.to).toEqual(['backup-admin@example.org']);
    const { subject, text } = readMail(mail.raw);
    expect(subject).toBe(`cedar-store: store failed on ${DEVICE} (NO_STAGING_DIRECTORY)`);
    expect(text).toContain(`The store run ${run.id} on ${DEVICE} failed`);
    expect(text).toContain(run.error!.message);
    expect(text).toContain('What to do: Check that the backup host staged the day');
  });

  it('retries the receiver that is down, then gives up, counting each attempt', async () => {
    const gaveUp = await until('down-hook to be given up on', async () =>
      (await metric('cedar_store_notifications_total{target="down-hook",outcome="gave_up"}')) === 1 ? true : undefined,
    );
    expect(gaveUp).toBe(true);
    // Given up on within the bounded time, not at once.
    expect(Date.now() - finishedAtMs).toBeGreaterThan(GIVE_UP_AFTER_MS / 2);
    expect(await metric('cedar_store_notifications_total{target="down-hook",outcome="error"}')).toBeGreaterThan(2);
    expect(await metric('cedar_store_notifications_total{target="down-hook",outcome="delivered"}')).toBe(0);
    expect(await metric('cedar_store_notifications_total{target="ops-hook",outcome="delivered"}')).toBe(1);
    expect(await metric('cedar_store_notifications_total{target="admins",outcome="delivered"}')).toBe(1);
    // Exactly one of each, however often the run was saved.
    expect(receiver.posts).toHaveLength(1);
    expect(smtp.mails).toHaveLength(1);
    // The run is as it was recorded when it finished.
    expect(await stack.api.get(run.id)).toEqual(run);
  });

  it('logs each failed attempt and the giving up, naming the target but never a secret', () => {
    const log = logLines.join('');
    expect(log).toMatch(/"target":"down-hook".*notification failed, will retry/);
    expect(log).toMatch(/"target":"down-hook".*gave up after \d+ attempts/);
    expect(log).toMatch(/"target":"ops-hook".*notification delivered/);
    for (const secret of [HMAC_SECRET, HEADER_SECRET, QUERY_SECRET, SMTP_PASSWORD]) expect(log).not.toContain(secret);
  });

  it('starts the series of each target at 0, and reports a success to no one by default', async () => {
    const before = receiver.posts.length;
    expect(await metric('cedar_store_notifications_total{target="admins",outcome="gave_up"}')).toBe(0);
    await stack.api.run({ action: 'initialize' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.posts).toHaveLength(before);
  });
});
