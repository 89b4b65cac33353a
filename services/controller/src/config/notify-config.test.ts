import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, resolveControllerConfig } from './controller-config.js';

const NO_ENV = {};

function document(notify: unknown): Record<string, unknown> {
  return {
    auth: { token: 'an-api-token-of-24-chars' },
    database: '/var/lib/cedar-store/controller.db',
    agents: [{ id: 'burner-1', url: 'ws://127.0.0.1:7701/rpc', token: 'an-agent-token-24-chars!' }],
    notify,
  };
}

async function rejection(notify: unknown): Promise<string> {
  const error = await resolveControllerConfig(document(notify), 'controller.yaml', NO_ENV).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).message;
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cedar-notify-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('notify: in controller.yaml', () => {
  it('is optional: no targets, nothing reported', async () => {
    const config = await resolveControllerConfig(document(undefined), 'controller.yaml', NO_ENV);
    expect(config.notify).toBeUndefined();
  });

  it('reads the secret files and names each target by kind and position unless named', async () => {
    const secretFile = join(dir, 'hook.secret');
    const passwordFile = join(dir, 'smtp.password');
    await writeFile(secretFile, 'hook-secret\n', { mode: 0o600 });
    await writeFile(passwordFile, 'smtp-password\n', { mode: 0o600 });
    const config = await resolveControllerConfig(
      document([
        { webhook: { url: 'https://alerts.example.org/hooks/cedar', secretFile } },
        {
          name: 'admins',
          on: ['failed', 'succeeded'],
          email: {
            to: 'backup-admin@example.org',
            from: 'cedar-store@example.org',
            smtp: { host: 'mail.example.org', user: 'cedar', passwordFile },
          },
        },
      ]),
      'controller.yaml',
      NO_ENV,
    );
    expect(config.notify).toEqual([
      {
        kind: 'webhook',
        name: 'webhook-1',
        on: ['failed', 'warning'],
        url: 'https://alerts.example.org/hooks/cedar',
        headers: {},
        secret: 'hook-secret',
      },
      {
        kind: 'email',
        name: 'admins',
        on: ['failed', 'succeeded'],
        to: ['backup-admin@example.org'],
        from: 'cedar-store@example.org',
        smtp: { host: 'mail.example.org', port: 25, secure: false, user: 'cedar', password: 'smtp-password' },
      },
    ]);
  });

  it('refuses a target with both or neither of webhook and email', async () => {
    expect(await rejection([{ on: ['failed'] }])).toContain('needs exactly one of webhook or email');
    expect(
      await rejection([
        {
          webhook: { url: 'http://127.0.0.1:9/hook' },
          email: { to: 'a@example.org', from: 'b@example.org', smtp: { host: 'mail' } },
        },
      ]),
    ).toContain('needs exactly one of webhook or email');
  });

  it('refuses an unknown event, a URL that is not http(s), and two targets with one name', async () => {
    expect(await rejection([{ on: ['failure'], webhook: { url: 'http://127.0.0.1:9/' } }])).toContain('notify');
    expect(await rejection([{ webhook: { url: 'ftp://example.org/hook' } }])).toContain(
      'must be an http:// or https:// URL',
    );
    expect(
      await rejection([
        { name: 'ops', webhook: { url: 'http://127.0.0.1:9/a' } },
        { name: 'ops', webhook: { url: 'http://127.0.0.1:9/b' } },
      ]),
    ).toContain('must be unique');
  });

  it('refuses a secret file other users can read, naming the target and the fix', async () => {
    const secretFile = join(dir, 'hook.secret');
    await writeFile(secretFile, 'hook-secret');
    await chmod(secretFile, 0o644);
    const message = await rejection([{ webhook: { url: 'http://127.0.0.1:9/', secretFile } }]);
    expect(message).toContain('notify target webhook-1');
    expect(message).toContain(`chmod 600 ${secretFile}`);
  });

  it('refuses a CA file that holds no certificate', async () => {
    const caFile = join(dir, 'ca.pem');
    await writeFile(caFile, 'not a certificate');
    expect(await rejection([{ webhook: { url: 'https://alerts.example.org/', caFile } }])).toContain(
      'holds no PEM certificate',
    );
  });
});
