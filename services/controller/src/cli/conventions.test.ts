/**
 * The conventions a user of restic or borg expects, through the CLI as it is run: a token
 * file (refused when others can read it), errors as JSON with --json, and no colour or
 * cursor codes where they would be garbage (NO_COLOR, TERM=dumb, a pipe).
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adviceFor } from '../advice/error-advice.js';
import { CLI_ERROR_CODES } from './exit-codes.js';
import { cli, fake, TOKEN, withToken } from './testing/fake-controller.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cedar-cli-conventions-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function tokenFile(name: string, content: string, mode = 0o600): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  await chmod(path, mode);
  return path;
}

describe('--token-file and CEDAR_STORE_TOKEN_FILE', () => {
  it('read the token from a file only its owner can read (a trailing newline is fine)', async () => {
    const server = await fake();
    const file = await tokenFile('api.token', `${TOKEN}\n`);
    const flag = await cli(['devices', '--url', server.url, '--token-file', file]);
    expect(flag.code).toBe(0);
    const env = await cli(['devices'], { CEDAR_STORE_URL: server.url, CEDAR_STORE_TOKEN_FILE: file });
    expect(env.code).toBe(0);
    expect(server.requests.map((request) => request.headers.authorization)).toEqual([
      `Bearer ${TOKEN}`,
      `Bearer ${TOKEN}`,
    ]);
  });

  it('refuse a file others can read, saying how to fix it, before any request (exit 2)', async () => {
    const server = await fake();
    const file = await tokenFile('readable.token', `${TOKEN}\n`, 0o644);
    const flag = await cli(['store', '--url', server.url, '--token-file', file]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toBe(
      `error: --token-file: the token file ${file} can be read by other users (mode 644): run chmod 600 ${file}\n`,
    );
    const env = await cli(['store'], { CEDAR_STORE_URL: server.url, CEDAR_STORE_TOKEN_FILE: file });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain(`CEDAR_STORE_TOKEN_FILE: the token file ${file} can be read by other users`);
    expect(server.requests).toHaveLength(0);
  });

  it('refuse an empty or missing file (exit 2)', async () => {
    const server = await fake();
    const empty = await tokenFile('empty.token', '\n');
    const result = await cli(['devices', '--url', server.url, '--token-file', empty]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`the token file ${empty} is empty`);
    const missing = await cli(['devices', '--url', server.url, '--token-file', join(dir, 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`cannot read the token file ${join(dir, 'nope')}: ENOENT`);
    expect(server.requests).toHaveLength(0);
  });

  it('the command line wins over the environment, a token over a file; both flags at once is a usage error', async () => {
    const server = await fake();
    const good = await tokenFile('good.token', TOKEN);
    const wrong = await tokenFile('wrong.token', 'wrong');
    const base = { CEDAR_STORE_URL: server.url };
    // --token-file beats CEDAR_STORE_TOKEN; CEDAR_STORE_TOKEN beats CEDAR_STORE_TOKEN_FILE.
    expect((await cli(['devices', '--token-file', good], { ...base, CEDAR_STORE_TOKEN: 'wrong' })).code).toBe(0);
    expect((await cli(['devices'], { ...base, CEDAR_STORE_TOKEN: TOKEN, CEDAR_STORE_TOKEN_FILE: wrong })).code).toBe(0);
    expect((await cli(['devices', '--token', TOKEN], { ...base, CEDAR_STORE_TOKEN_FILE: wrong })).code).toBe(0);
    const both = await cli(['devices', '--token', TOKEN, '--token-file', good], base);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--token or --token-file, not both');
    expect(server.requests.map((request) => request.headers.authorization)).toEqual([
      `Bearer ${TOKEN}`,
      `Bearer ${TOKEN}`,
      `Bearer ${TOKEN}`,
    ]);
  });

  it('--help states the order', async () => {
    const help = await cli(['--help']);
    expect(help.stdout.replace(/\s+/g, ' ')).toContain(
      'The token comes from the first of: --token, --token-file, CEDAR_STORE_TOKEN, CEDAR_STORE_TOKEN_FILE',
    );
  });
});

describe('--json errors: one JSON object on stdout, as well as the exit status', () => {
  const parse = (stdout: string): unknown => {
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    return JSON.parse(lines[0]!);
  };

  it('a usage error found by the CLI (a missing token)', async () => {
    const result = await cli(['devices', '--json', '--url', 'http://127.0.0.1:1']);
    expect(result.code).toBe(2);
    expect(parse(result.stdout)).toEqual({
      error: { code: 'USAGE', message: expect.stringContaining('no token'), advice: adviceFor('USAGE') },
    });
    expect(result.stderr).toContain('no token');
  });

  it('a usage error found by the command-line parser (an unknown option, a bad date)', async () => {
    const unknown = await cli(['store', '--json', '--frobnicate', ...withToken('http://127.0.0.1:1')]);
    expect(unknown.code).toBe(2);
    expect(parse(unknown.stdout)).toMatchObject({
      error: { code: 'USAGE', message: "unknown option '--frobnicate'" },
    });
    const date = await cli(['store', '--json', '--today', '2025-02-30', ...withToken('http://127.0.0.1:1')]);
    expect(date.code).toBe(2);
    expect(parse(date.stdout)).toMatchObject({
      error: { code: 'USAGE', message: expect.stringContaining('"2025-02-30" is not a real calendar date') },
    });
  });

  it('an unreachable controller (exit 3) and a refused token (exit 3)', async () => {
    const down = await cli(['runs', '--json', ...withToken('http://127.0.0.1:1')]);
    expect(down.code).toBe(3);
    expect(parse(down.stdout)).toMatchObject({
      error: {
        code: 'CONTROLLER_UNREACHABLE',
        message: expect.stringContaining('cannot reach the controller'),
        advice: expect.stringContaining('CEDAR_STORE_URL'),
      },
    });
    const server = await fake();
    const refused = await cli(['runs', '--json', '--url', server.url, '--token', 'wrong']);
    expect(refused.code).toBe(3);
    expect(parse(refused.stdout)).toMatchObject({ error: { code: 'TOKEN_REFUSED' } });
  });

  it("a request the controller refuses carries its code and that code's advice", async () => {
    const server = await fake();
    const busy = await cli(['store', '--device', 'burner-1/busy', '--json', ...withToken(server.url)]);
    expect(busy.code).toBe(1);
    expect(parse(busy.stdout)).toEqual({
      error: { code: 'DEVICE_BUSY', message: 'the device is busy', advice: adviceFor('DEVICE_BUSY') },
    });
    expect(busy.stderr).toBe('DEVICE_BUSY: the device is busy\n');
  });

  it('without --json, stdout stays empty', async () => {
    const result = await cli(['runs', ...withToken('http://127.0.0.1:1')]);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
  });

  it('every code the CLI gives has advice', () => {
    for (const code of CLI_ERROR_CODES) expect(adviceFor(code)).toMatch(/\.$/);
  });
});

describe('no colour or cursor codes where they would be garbage', () => {
  const ESC = '\u001b';

  it('TERM=dumb on a terminal gets timestamped lines, not a bar', async () => {
    const server = await fake({ eventDelayMs: 1 });
    const result = await cli(['store', ...withToken(server.url)], { TERM: 'dumb' }, { stderrTTY: true });
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain(ESC);
    expect(result.stderr).toMatch(/^\d{4}-\d{2}-\d{2}T[\d:]+Z write 100% /m);
  });

  it('a terminal with NO_COLOR still gets its bar, and no colour anywhere', async () => {
    const server = await fake({ eventDelayMs: 1 });
    const result = await cli(
      ['store', ...withToken(server.url)],
      { NO_COLOR: '1', TERM: 'xterm' },
      { stderrTTY: true },
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/write +\[[█░]+\]/);
    // Select Graphic Rendition (colour, bold…) is ESC [ … m; the bar's cursor moves are other codes.
    expect(result.stderr + result.stdout).not.toMatch(new RegExp(`${ESC}\\[[\\d;]*m`));
  });
});
