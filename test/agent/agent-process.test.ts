// `cedar-store-agent --config agent.yaml` as a real process, the way a burner host runs it:
// its help, its refusal of a bad configuration, serving a virtual dvd+rw to a plain client,
// and a SIGTERM that lets the running write finish before the process exits.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isoSessions } from '../support/iso-inspector.js';
import { RpcTestClient } from '../support/rpc-client.js';
import { stageDayOnDisk } from '../support/staging-dir.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'services/device-agent/dist/bin.js');
const TOKEN = 'process-test-token-0123456789';

let base: string;

function agentYaml(overrides = ''): string {
  return [
    'agentId: burner-1',
    'listen: { host: 127.0.0.1, port: 0 }',
    'auth: {}',
    `stagingRoot: ${join(base, 'stage')}`,
    `workingDir: ${join(base, 'work')}`,
    'devices:',
    `  - { id: dvd0, backend: virtual, path: ${join(base, 'dvd0.iso')}, mediaType: dvd+rw${overrides} }`,
    '',
  ].join('\n');
}

/** Starts the agent and resolves with its port once it logs that it listens. */
async function startProcess(config: string): Promise<{ child: ChildProcess; port: number; logs: string[] }> {
  const child = spawn(process.execPath, [bin, '--config', config], {
    env: { ...process.env, CEDAR_AGENT_TOKEN: TOKEN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const lines = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    lines.on('line', (line) => {
      logs.push(line);
      const event = JSON.parse(line) as { msg?: string; port?: number };
      if (event.msg === 'agent listening' && event.port) resolve(event.port);
    });
    child.once('exit', (code) => reject(new Error(`agent exited with ${code}: ${logs.join('\n')}`)));
  });
  return { child, port, logs };
}

beforeAll(async () => {
  // The bin is the compiled JavaScript; an up-to-date build makes this a no-op.
  await run(process.execPath, [`${root}/node_modules/typescript/bin/tsc`, '-b', 'services/device-agent'], {
    cwd: root,
  });
  base = await mkdtemp(join(tmpdir(), 'cedar-agent-process-'));
  await mkdir(join(base, 'stage'), { recursive: true });
}, 120_000);

afterAll(() => rm(base, { recursive: true, force: true }));

describe('the cedar-store-agent process', { timeout: 60_000 }, () => {
  it('explains itself with --help', async () => {
    const { stdout } = await run(process.execPath, [bin, '--help']);
    expect(stdout).toMatch(/Usage: cedar-store-agent --config <agent.yaml>/);
    expect(stdout).toMatch(/CEDAR_AGENT_TOKEN/);
  });

  it('prints the version of its package with --version and -V', async () => {
    const { version } = JSON.parse(await readFile(join(root, 'services/device-agent/package.json'), 'utf8')) as {
      version: string;
    };
    for (const flag of ['--version', '-V']) {
      expect((await run(process.execPath, [bin, flag])).stdout).toBe(`${version}\n`);
    }
  });

  it('refuses a bad configuration naming the field and the rule, and exits 2', async () => {
    const config = join(base, 'bad.yaml');
    await writeFile(config, agentYaml(', driveSpeed: 0'));
    const failure = await run(process.execPath, [bin, '--config', config]).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toMatch(/devices\.0\.driveSpeed: must be >= 1/);
  });

  it('serves a virtual dvd+rw to a plain client and finishes a write before stopping on SIGTERM', async () => {
    const config = join(base, 'agent.yaml');
    await writeFile(config, agentYaml());
    await stageDayOnDisk(join(base, 'stage'), '2026-11-23', { small: 'first night' });
    await stageDayOnDisk(join(base, 'stage'), '2026-11-24', { big: { size: 200 * 2 ** 20 } });
    const { child, port, logs } = await startProcess(config);
    const client = await RpcTestClient.connect(`ws://127.0.0.1:${port}/rpc`, TOKEN);
    try {
      const first = await client.call('media.write', {
        device: 'dvd0',
        days: ['2026-11-23'],
        label: 'CEDAR BACKUP 23-NOV-2026',
        newDisc: true,
      });
      expect(first.result).toMatchObject({ sessions: 1 });

      const writing = client.call('media.write', {
        device: 'dvd0',
        days: ['2026-11-24'],
        label: 'CEDAR BACKUP 24-NOV-2026',
        newDisc: false,
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      expect((await writing).result).toMatchObject({ sessions: 2 });
      const [code] = await exited;
      expect(code).toBe(0);
      expect(logs.some((line) => line.includes('shutting down'))).toBe(true);
      expect(logs.join('\n')).not.toContain(TOKEN);
      expect((await isoSessions(join(base, 'dvd0.iso'))).map((s) => s.volumeId)).toEqual([
        'CEDAR BACKUP 23-NOV-2026',
        'CEDAR BACKUP 24-NOV-2026',
      ]);
    } finally {
      await client.close();
      child.kill('SIGKILL');
    }
  });
});
