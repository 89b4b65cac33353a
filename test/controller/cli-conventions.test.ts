// The CLI conventions through the built bin, as a user's shell runs it: check-config loading its
// checks from the built packages, a --json error on stdout, a token file refused for its mode,
// and the completion script sourced by bash.
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_BIN, buildServices, CLI_BIN, runNodeScript } from '../support/processes.js';

const TOKEN = 'a-test-token-long-enough-0123456789';
let dir: string;

beforeAll(async () => {
  await buildServices();
  dir = await mkdtemp(join(tmpdir(), 'cedar-cli-conventions-'));
}, 300_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the built cedar-store', { timeout: 60_000 }, () => {
  it('check-config names a misspelt field by line with the field meant, then passes once fixed', async () => {
    await mkdir(join(dir, 'db'));
    await writeFile(join(dir, 'api.token'), `${TOKEN}\n`, { mode: 0o600 });
    const lines = [
      `database: ${join(dir, 'db', 'cedar.sqlite')}`,
      `auth: { tokenFile: ${join(dir, 'api.token')} }`,
      'agents:',
      `  - { id: burner-1, url: 'ws://127.0.0.1:7701/rpc', tokenFile: ${join(dir, 'api.token')} }`,
      'polcy: { startingDay: monday }',
    ];
    const file = join(dir, 'controller.yaml');
    await writeFile(file, `${lines.join('\n')}\n`);
    const bad = await runNodeScript(CLI_BIN, ['check-config', file]);
    expect(bad.stdout).toBe(`${file}:5: polcy: unknown field; did you mean policy?\n${file}: 1 problem\n`);
    expect(bad.code).toBe(2);
    await writeFile(file, `${lines.join('\n').replace('polcy', 'policy')}\n`);
    const good = await runNodeScript(CLI_BIN, ['check-config', file]);
    expect(good.stdout).toBe(`${file}: OK\n`);
    expect(good.code).toBe(0);
  });

  it('--json: a refused token file is one JSON error on stdout, exit 2', async () => {
    const open = join(dir, 'open.token');
    await writeFile(open, `${TOKEN}\n`);
    await chmod(open, 0o644);
    const result = await runNodeScript(CLI_BIN, ['devices', '--json'], {
      CEDAR_STORE_URL: 'http://127.0.0.1:1',
      CEDAR_STORE_TOKEN: '',
      CEDAR_STORE_TOKEN_FILE: open,
    });
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({
      error: {
        code: 'USAGE',
        message: `CEDAR_STORE_TOKEN_FILE: the token file ${open} can be read by other users (mode 644): run chmod 600 ${open}`,
        advice: expect.stringContaining('--help'),
      },
    });
  });

  it('bash sources its completion script and completes "cedar-store st" to store', async () => {
    const script = join(dir, 'cedar-store.bash');
    await writeFile(script, (await runNodeScript(CLI_BIN, ['completion', 'bash'])).stdout);
    const { stdout } = await promisify(execFile)('bash', [
      '--norc',
      '-c',
      `source '${script}'; COMP_WORDS=(cedar-store st); COMP_CWORD=1; _cedar_store cedar-store st cedar-store; echo "\${COMPREPLY[*]}"`,
    ]);
    expect(stdout.trim()).toBe('store');
  });
});

describe('the built cedar-store-agent', { timeout: 60_000 }, () => {
  it('--check-config names a misspelt field by line with the field meant, and starts nothing', async () => {
    await mkdir(join(dir, 'staging'), { recursive: true });
    await writeFile(join(dir, 'agent.token'), `${TOKEN}\n`, { mode: 0o600 });
    const lines = [
      'agentId: burner-1',
      'listen: { host: 127.0.0.1, port: 1 }',
      `auth: { tokenFile: ${join(dir, 'agent.token')} }`,
      `stagingRoot: ${join(dir, 'staging')}`,
      `workingDir: ${join(dir, 'agent-work')}`,
      'devices:',
      `  - { id: dvd0, backend: virtual, path: ${join(dir, 'dvd0.iso')}, mediaType: dvd+rw, noEjct: true }`,
    ];
    const file = join(dir, 'agent.yaml');
    await writeFile(file, `${lines.join('\n')}\n`);
    const bad = await runNodeScript(AGENT_BIN, ['--check-config', file]);
    expect(bad.stdout).toBe(`${file}:7: devices.0.noEjct: unknown field; did you mean noEject?\n${file}: 1 problem\n`);
    expect(bad.code).toBe(2);
    await writeFile(file, `${lines.join('\n').replace('noEjct', 'noEject')}\n`);
    const good = await runNodeScript(AGENT_BIN, ['--check-config', file]);
    expect(good.stdout).toBe(`${file}: OK\n`);
    expect(good.code).toBe(0);
    // Nothing was started or created: no working directory, no disc image.
    await expect(stat(join(dir, 'agent-work'))).rejects.toThrow(/ENOENT/);
    await expect(stat(join(dir, 'dvd0.iso'))).rejects.toThrow(/ENOENT/);
  });

  it('--help lists --check-config', async () => {
    const help = await runNodeScript(AGENT_BIN, ['--help']);
    expect(help.stdout).toMatch(/^ {2}--check-config <file> +check agent\.yaml/m);
  });
});
