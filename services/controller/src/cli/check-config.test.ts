/**
 * `cedar-store check-config` as a user runs it on a controller.yaml: exit 0 when the
 * controller would start with it, else exit 2 with every problem on its line.
 */
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './testing/fake-controller.js';

const TOKEN = 'a-test-token-long-enough-0123456789';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cedar-check-config-'));
  await mkdir(join(dir, 'db'));
  for (const name of ['api.token', 'agent.token']) {
    await writeFile(join(dir, name), `${TOKEN}\n`);
    await chmod(join(dir, name), 0o600);
  }
  await writeFile(join(dir, 'open.token'), `${TOKEN}\n`);
  await chmod(join(dir, 'open.token'), 0o644);
  await writeFile(join(dir, 'not-a-ca.pem'), 'hello\n');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function config(name: string, lines: string[]): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

const validLines = (): string[] => [
  `database: ${join(dir, 'db', 'cedar.sqlite')}`,
  `auth: { tokenFile: ${join(dir, 'api.token')} }`,
  'agents:',
  '  - id: burner-1',
  '    url: ws://127.0.0.1:7701/rpc',
  `    tokenFile: ${join(dir, 'agent.token')}`,
];

describe('cedar-store check-config', () => {
  it('a configuration the controller would start with: exit 0, nothing started', async () => {
    const file = await config('good.yaml', validLines());
    const result = await cli(['check-config', file]);
    expect(result.stdout).toBe(`${file}: OK\n`);
    expect(result.code).toBe(0);
  });

  it('names every problem with its line: a misspelt field, an open token file, a bad CA, a missing directory, a secret', async () => {
    const file = await config('bad.yaml', [
      `database: ${join(dir, 'missing', 'cedar.sqlite')}`, // 1
      'auth:', // 2
      `  tokenFile: ${join(dir, 'api.token')}`, // 3
      'agents:', // 4
      '  - id: burner-1', // 5
      '    url: ws://127.0.0.1:7701/rpc', // 6
      `    tokenFile: ${join(dir, 'open.token')}`, // 7
      `    caFile: ${join(dir, 'not-a-ca.pem')}`, // 8
      'policy:', // 9
      '  blankBehaviour: { mode: weekly, factor: 1.3 }', // 10
      'notify:', // 11
      '  - webhook:', // 12
      '      url: https://alerts.example.org/hook', // 13
      `      secretFile: ${join(dir, 'no-such-secret')}`, // 14
    ]);
    const result = await cli(['check-config', file]);
    expect(result.code).toBe(2);
    expect(result.stdout.trimEnd().split('\n')).toEqual([
      `${file}:1: database: its directory ${join(dir, 'missing')} does not exist: create it, owned by the controller's user`,
      `${file}:7: agents.0.tokenFile: the token file ${join(dir, 'open.token')} can be read by other users (mode 644): run chmod 600 ${join(dir, 'open.token')}`,
      expect.stringMatching(
        new RegExp(`^${file}:8: agents\\.0\\.caFile: the CA file of agent burner-1 .* holds no PEM certificate`),
      ),
      `${file}:10: policy.blankBehaviour: unknown field; did you mean blankBehavior?`,
      expect.stringMatching(
        new RegExp(
          `^${file}:12: notify\\.0: notify target webhook-1: cannot read the token file ${join(dir, 'no-such-secret')}: ENOENT`,
        ),
      ),
      `${file}: 5 problems`,
    ]);
  });

  it('a field with a problem of its own is not checked again as a file', async () => {
    const lines = validLines();
    lines[1] = 'auth: { tokenFile: api.token }';
    const result = await cli(['check-config', await config('relative.yaml', lines)]);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/relative\.yaml:2: auth\.tokenFile: must be an absolute path\n.*: 1 problem\n$/);
  });

  it('a value that breaks a rule, and broken YAML, each on its line', async () => {
    const lines = validLines();
    lines[4] = '    url: http://127.0.0.1:7701/rpc';
    const wrong = await cli(['check-config', await config('wrong-url.yaml', lines)]);
    expect(wrong.code).toBe(2);
    expect(wrong.stdout).toContain(':5: agents.0.url: must be a ws:// or wss:// URL');

    const broken = await cli(['check-config', await config('broken.yaml', [...validLines(), ' - id: oops'])]);
    expect(broken.code).toBe(2);
    expect(broken.stdout).toMatch(/broken\.yaml:7: \(yaml\): /);
  });

  it('--json: one object with every problem; an unreadable file is a problem too', async () => {
    const missing = join(dir, 'nope.yaml');
    const result = await cli(['check-config', '--json', missing]);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({
      file: missing,
      ok: false,
      problems: [{ path: '(file)', message: 'cannot read the controller configuration: ENOENT' }],
    });
    const good = await cli(['check-config', '--json', await config('good2.yaml', validLines())]);
    expect(JSON.parse(good.stdout)).toMatchObject({ ok: true, problems: [] });
  });
});
