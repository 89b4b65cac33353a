import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatReport } from '@cedar-store/ports/config-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAgentConfig } from './check-agent-config.js';

const TOKEN = 'a-test-token-long-enough-0123456789';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cedar-check-agent-'));
  await mkdir(join(dir, 'staging'));
  await writeFile(join(dir, 'agent.token'), `${TOKEN}\n`, { mode: 0o600 });
  await writeFile(join(dir, 'open.token'), `${TOKEN}\n`);
  await chmod(join(dir, 'open.token'), 0o644);
  await writeFile(join(dir, 'not-a-cert.pem'), 'hello\n');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function check(name: string, lines: string[]): Promise<{ file: string; report: string[] }> {
  const file = join(dir, name);
  await writeFile(file, `${lines.join('\n')}\n`);
  const { problems } = await checkAgentConfig(file, {});
  return { file, report: formatReport(file, problems).split('\n') };
}

describe('checkAgentConfig', () => {
  it('passes an agent.yaml the agent would start with (missing directories it creates are fine)', async () => {
    const { file, report } = await check('good.yaml', [
      'agentId: burner-1',
      `auth: { tokenFile: ${join(dir, 'agent.token')} }`,
      `stagingRoot: ${join(dir, 'staging')}`,
      `workingDir: ${join(dir, 'work', 'agent')}`,
      'devices:',
      `  - { id: dvd0, backend: virtual, path: ${join(dir, 'media', 'dvd0.iso')}, mediaType: dvd+rw }`,
    ]);
    expect(report).toEqual([`${file}: OK`]);
  });

  it('names every problem with its line: token file mode, TLS, staging root, drive, a misspelt field', async () => {
    const { file, report } = await check('bad.yaml', [
      'agentId: burner-1', // 1
      `auth: { tokenFile: ${join(dir, 'open.token')} }`, // 2
      `tls: { certFile: ${join(dir, 'not-a-cert.pem')}, keyFile: ${join(dir, 'not-a-cert.pem')} }`, // 3
      `stagingRoot: ${join(dir, 'no-staging')}`, // 4
      `workingDir: ${join(dir, 'work')}`, // 5
      'devices:', // 6
      '  - id: dvd0', // 7
      `    path: ${join(dir, 'no-such-sr0')}`, // 8
      '    mediaType: dvd+rw', // 9
      '    ejectDelai: 3', // 10
    ]);
    expect(report).toEqual([
      `${file}:2: auth.tokenFile: the token file ${join(dir, 'open.token')} can be read by other users (mode 644): run chmod 600 ${join(dir, 'open.token')}`,
      expect.stringMatching(
        new RegExp(`^${file}:3: tls\\.certFile: ${join(dir, 'not-a-cert.pem')} holds no PEM certificate`),
      ),
      `${file}:4: stagingRoot: ${join(dir, 'no-staging')} does not exist`,
      `${file}:8: devices.0.path: ${join(dir, 'no-such-sr0')} does not exist: is the drive connected, and is this its path (e.g. /dev/sr0)?`,
      `${file}:10: devices.0.ejectDelai: unknown field; did you mean ejectDelay?`,
      `${file}: 5 problems`,
    ]);
  });

  it('a missing token is a problem unless CEDAR_AGENT_TOKEN gives it', async () => {
    const lines = [
      'agentId: burner-1',
      `stagingRoot: ${join(dir, 'staging')}`,
      `workingDir: ${join(dir, 'work')}`,
      'devices:',
      `  - { id: dvd0, backend: virtual, path: ${join(dir, 'dvd0.iso')}, mediaType: dvd+rw }`,
    ];
    const { report } = await check('no-token.yaml', lines);
    expect(report[0]).toContain('auth: no token: set auth.token or auth.tokenFile');
    const file = join(dir, 'no-token.yaml');
    expect((await checkAgentConfig(file, { CEDAR_AGENT_TOKEN: TOKEN })).problems).toEqual([]);
  });
});
