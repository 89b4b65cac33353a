/**
 * What every command shares: usage and configuration errors, help, and reaching the
 * controller. Each group of commands has its own file (action-, query-, server-commands).
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { cli, fake, TOKEN, withToken } from './testing/fake-controller.js';

/** Every command docs/cli.md lists, plus cancel and import-config. */
const COMMANDS = [
  'store',
  'rebuild',
  'initialize',
  'verify',
  'restore',
  'audit',
  'runs',
  'media',
  'devices',
  'cancel',
  'controller',
  'local',
  'import-config',
  'check-config',
  'completion',
];

describe('usage and configuration errors (exit 2)', () => {
  it.each([
    [['store', '--today', '2025-02-30'], '"2025-02-30" is not a real calendar date'],
    [['store', '--today', '5/2/2025'], 'is not a real calendar date'],
    [['verify', '--day', '2025-13-01'], 'is not a real calendar date'],
    [['store', '--device', 'dvd0'], 'write it agent/device'],
    [['runs', '--status', 'done'], 'is not a run status'],
    [['runs', '--limit', '0'], 'is not a positive whole number'],
    [['store', '--frobnicate'], "unknown option '--frobnicate'"],
    [['burn'], "unknown command 'burn'"],
    [['restore', '--day', '2026-11-25', '--to', '../x'], 'the target "../x" holds "/"'],
    [['restore', '--day', '2026-11-25', '--to', '..'], 'may not be "." nor hold ".."'],
    [['restore', '--day', '2026-11-25'], "required option '--to <name>' not specified"],
    [['restore', '--to', 'x'], "required option '--day <YYYY-MM-DD>' not specified"],
  ])('%j is refused before any request', async (argv, message) => {
    const server = await fake();
    const result = await cli([...argv, ...withToken(server.url)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stdout).toBe('');
    expect(server.requests).toHaveLength(0);
  });

  it('a missing token says how to get one', async () => {
    const server = await fake();
    const result = await cli(['store', '--url', server.url]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'no token: pass --token-file or --token, or set CEDAR_STORE_TOKEN_FILE or CEDAR_STORE_TOKEN ' +
        '(cedar-store local prints the token and keeps it in DIR/api.token)',
    );
    expect(server.requests).toHaveLength(0);
  });

  it('a URL with a path is refused, from --url or CEDAR_STORE_URL, saying to give the base URL', async () => {
    const server = await fake();
    const flag = await cli(['runs', '--url', `${server.url}/api/v1`, '--token', TOKEN]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toBe(
      `error: --url "${server.url}/api/v1" has a path (/api/v1): give the controller's base URL without a path, ` +
        `e.g. ${server.url}\n`,
    );
    const env = await cli(['store'], { CEDAR_STORE_URL: `${server.url}/api/v1/`, CEDAR_STORE_TOKEN: TOKEN });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain(`CEDAR_STORE_URL "${server.url}/api/v1/" has a path (/api/v1/)`);
    expect(server.requests).toHaveLength(0);
    // A trailing slash alone is no path.
    expect((await cli(['runs', '--url', `${server.url}/`, '--token', TOKEN])).code).toBe(0);
  });

  it('a URL that is not http(s) is refused', async () => {
    const result = await cli(['devices', '--url', 'ftp://example.org', '--token', TOKEN]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('not an http:// or https:// URL');
  });

  it('INVALID_REQUEST and DEVICE_UNKNOWN from the controller exit 2 with code: message', async () => {
    const server = await fake();
    const result = await cli(['store', '--device', 'burner-9/cd0', ...withToken(server.url)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('DEVICE_UNKNOWN: no device "burner-9/cd0"\n');
  });

  it('other refusals (DEVICE_BUSY) exit 1', async () => {
    const server = await fake();
    const result = await cli(['store', '--device', 'burner-1/busy', ...withToken(server.url)]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('DEVICE_BUSY: the device is busy\n');
    expect(result.stdout).toBe('');
  });
});

describe('help', () => {
  it('--help exits 0 with examples, environment and exit codes', async () => {
    const result = await cli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      '30 2 * * * CEDAR_STORE_TOKEN_FILE=/etc/cedar-store/api.token cedar-store store --quiet --json >> /var/log/cedar-store.jsonl',
    );
    expect(result.stdout).toContain('CEDAR_STORE_TOKEN');
    expect(result.stdout).toContain('Exit codes:');
    for (const command of COMMANDS) {
      expect(result.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
  });

  it('each command has help with examples', async () => {
    for (const command of COMMANDS) {
      const result = await cli([command, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Examples:');
    }
  });

  it('no command at all shows the help as a usage error', async () => {
    const result = await cli([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: cedar-store');
  });
});

describe('reaching the controller (exit 3)', () => {
  it('a refused token exits 3 and says so', async () => {
    const server = await fake();
    const result = await cli(['store', '--url', server.url, '--token', 'wrong']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`the controller at ${server.url} refused the token`);
    expect(result.stderr).toContain('CEDAR_STORE_TOKEN');
  });

  it('nothing listening exits 3 naming the URL and what to do', async () => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const url = `http://127.0.0.1:${port}`;
    const result = await cli(['store', '--url', url, '--token', TOKEN]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`cannot reach the controller at ${url}`);
    expect(result.stderr).toContain('ECONNREFUSED');
    expect(result.stderr).toContain('cedar-store local');
    expect(result.stdout).toBe('');
  });

  it('honours CEDAR_STORE_URL and CEDAR_STORE_TOKEN, and flags win over them', async () => {
    const server = await fake();
    const fromEnv = await cli(['devices'], { CEDAR_STORE_URL: server.url, CEDAR_STORE_TOKEN: TOKEN });
    expect(fromEnv.code).toBe(0);
    const tokenFlag = await cli(['devices', '--token', 'wrong'], {
      CEDAR_STORE_URL: server.url,
      CEDAR_STORE_TOKEN: TOKEN,
    });
    expect(tokenFlag.code).toBe(3);
    const urlFlag = await cli(['devices', '--url', server.url], {
      CEDAR_STORE_URL: 'http://127.0.0.1:1',
      CEDAR_STORE_TOKEN: TOKEN,
    });
    expect(urlFlag.code).toBe(0);
    expect(server.requests.map((r) => r.headers.authorization)).toEqual([
      `Bearer ${TOKEN}`,
      'Bearer wrong',
      `Bearer ${TOKEN}`,
    ]);
  });

  it('global options may come before the command too', async () => {
    const server = await fake();
    const result = await cli([...withToken(server.url), 'devices', '--json']);
    expect(result.code).toBe(0);
  });
});
