// The built controller as a process, its notify targets in controller.yaml with the secrets in
// mode-600 files: the night's store fails (nothing was staged), cedar-store store exits 1 at
// once, and the webhook receiver and the SMTP server each get exactly one report, signed and
// logged in with the secrets from those files, which appear nowhere in the controller's log.
import { createHmac } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2eStack, type E2eStack } from '../support/e2e/e2e-stack.js';
import {
  closedPort,
  readMail,
  startHttpReceiver,
  startSmtpReceiver,
  type ReceivedMail,
  type ReceivedPost,
} from '../support/notify-receivers.js';

const DEVICE = 'burner-1/dvd0';
const HMAC_SECRET = 'e2e-hook-hmac-secret-93ac1d';
const SMTP_PASSWORD = 'e2e-smtp-password-4be770';
const QUERY_SECRET = 'e2e-query-secret-0f2b9e';

let secrets: string;
let stack: E2eStack;
let receiver: Awaited<ReturnType<typeof startHttpReceiver>>;
let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;

beforeAll(async () => {
  secrets = await mkdtemp(join(tmpdir(), 'cedar-e2e-notify-'));
  await writeFile(join(secrets, 'webhook.secret'), `${HMAC_SECRET}\n`, { mode: 0o600 });
  await writeFile(join(secrets, 'smtp.password'), `${SMTP_PASSWORD}\n`, { mode: 0o600 });
  receiver = await startHttpReceiver();
  smtp = await startSmtpReceiver({ user: 'cedar-store', password: SMTP_PASSWORD });
  stack = await startE2eStack({
    notify: [
      {
        name: 'ops-hook',
        webhook: { url: `${receiver.url}/hooks/cedar`, secretFile: join(secrets, 'webhook.secret') },
      },
      {
        name: 'admins',
        on: ['failed'],
        email: {
          to: 'backup-admin@example.org',
          from: 'cedar-store@example.org',
          smtp: {
            host: '127.0.0.1',
            port: smtp.port,
            user: 'cedar-store',
            passwordFile: join(secrets, 'smtp.password'),
          },
        },
      },
      { name: 'down-hook', webhook: { url: `http://127.0.0.1:${await closedPort()}/hook?key=${QUERY_SECRET}` } },
    ],
  });
}, 300_000);

afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
  await smtp?.close();
  await rm(secrets, { recursive: true, force: true });
});

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`still waiting for ${what} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('notifications from the controller process', { timeout: 120_000 }, () => {
  it('a failed store gives one signed webhook and one mail, and no secret in the log', async () => {
    const started = Date.now();
    const store = await stack.cliRun(['store', '--today', '2026-11-26']);
    // The receiver that is down does not hold the run up: its first retry is 10 s away.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(store.code).toBe(1);
    expect(store.run.error?.code).toBe('NO_STAGING_DIRECTORY');

    const post: ReceivedPost = await until('the webhook', () => receiver.posts[0]);
    const mail: ReceivedMail = await until('the mail', () => smtp.mails[0]);
    expect(post.headers['x-cedar-store-signature']).toBe(
      `sha256=${createHmac('sha256', HMAC_SECRET).update(post.body).digest('hex')}`,
    );
    const body = JSON.parse(post.body) as { event: string; subject: string; run: { id: string } };
    expect(body).toMatchObject({
      event: 'failed',
      subject: `cedar-store: store failed on ${DEVICE} (NO_STAGING_DIRECTORY)`,
      run: { id: store.run.id },
    });
    expect(mail.user).toBe('cedar-store');
    const { subject, text } = readMail(mail.raw);
    expect(subject).toBe(`cedar-store: store failed on ${DEVICE} (NO_STAGING_DIRECTORY)`);
    expect(text).toContain(`The store run ${store.run.id} on ${DEVICE} failed`);
    expect(text).toContain('What to do: ');

    await until('the down receiver to fail once', () =>
      stack.controllerLogs.some((line) => line.includes('notification failed, will retry')) ? true : undefined,
    );
    // One of each, however often the run was saved.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.posts).toHaveLength(1);
    expect(smtp.mails).toHaveLength(1);
    const log = stack.controllerLogs.join('\n');
    expect(log).toContain('"target":"down-hook"');
    for (const secret of [HMAC_SECRET, SMTP_PASSWORD, QUERY_SECRET]) expect(log).not.toContain(secret);
  });
});
