// `cedar-store local` and `npm run demo` as a user runs them: the stack under one directory,
// tokens created once with mode 0600 and reused, a store through the CLI, and a clean stop
// on Ctrl-C (SIGINT).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServices, CLI_BIN, ROOT, runNodeScript, type ProcessResult } from '../support/processes.js';
import { stageDayOnDisk } from '../support/staging-dir.js';

let dir: string;

beforeAll(async () => {
  await buildServices();
  dir = await mkdtemp(join(tmpdir(), 'cedar-local-'));
}, 180_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Starts `cedar-store local` and resolves with what it printed once it is ready. */
async function startLocal(): Promise<{ child: ChildProcess; url: string; printed: string[] }> {
  const child = spawn(process.execPath, [CLI_BIN, 'local', '--dir', join(dir, 'var'), '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const printed: string[] = [];
  const lines = createInterface({ input: child.stderr! });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`local exited with ${code}: ${printed.join('\n')}`)));
    lines.on('line', (line) => {
      printed.push(line);
      if (/^\s+npx cedar-store store$/.test(line)) {
        const match = printed.map((l) => /^\s+controller\s+(\S+)/.exec(l)).find(Boolean);
        if (match) resolve(match[1]!);
      }
    });
  });
  return { child, url, printed };
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = once(child, 'exit');
  child.kill('SIGINT');
  const [code] = (await exited) as [number | null];
  return code;
}

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<ProcessResult> {
  return runNodeScript(CLI_BIN, args, env);
}

describe('cedar-store local', { timeout: 120_000 }, () => {
  it('creates 0600 tokens and prints the API token once, stores through the CLI, stops on Ctrl-C, reuses the tokens', async () => {
    const first = await startLocal();
    const tokenFile = join(dir, 'var', 'api.token');
    const token = (await readFile(tokenFile, 'utf8')).trim();
    expect(token.length).toBeGreaterThanOrEqual(32);
    expect((await stat(tokenFile)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'var', 'agent.token'))).mode & 0o777).toBe(0o600);
    expect(first.printed.join('\n')).toContain(token);

    await stageDayOnDisk(join(dir, 'var', 'staging'), '2026-11-26', { 'hello.txt': 'hello\n' });
    const stored = await cli(['store', '--today', '2026-11-26', '--json'], {
      CEDAR_STORE_URL: first.url,
      CEDAR_STORE_TOKEN: token,
    });
    expect(stored.code).toBe(0);
    expect(JSON.parse(stored.stdout)).toMatchObject({
      status: 'succeeded',
      device: 'local/dvd0',
      verify: { ok: true },
    });
    expect(await stop(first.child)).toBe(0);

    const second = await startLocal();
    expect(second.printed.join('\n')).not.toContain(token);
    expect(second.printed.join('\n')).toContain(`API token   in ${tokenFile}`);
    expect((await readFile(tokenFile, 'utf8')).trim()).toBe(token);
    const runs = await cli(['runs', '--json'], { CEDAR_STORE_URL: second.url, CEDAR_STORE_TOKEN: token });
    expect(runs.code).toBe(0);
    expect(runs.stdout).toContain('"succeeded"');
    expect(await stop(second.child)).toBe(0);
  });
});

describe('npm run demo', { timeout: 120_000 }, () => {
  it('stages today, stores it with verify, shows the disc, and exits 0 — also a second time', async () => {
    const demoDir = join(dir, 'demo');
    const run = (): Promise<ProcessResult> =>
      runNodeScript(join(ROOT, 'scripts/demo.mjs'), [], { CEDAR_DEMO_DIR: demoDir }, 100_000);
    const now = new Date();
    const pad = (n: number): string => String(n).padStart(2, '0');
    const todayPath = `/${now.getFullYear()}/${pad(now.getMonth() + 1)}/${pad(now.getDate())}/README.txt`;

    const first = await run();
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/succeeded/);
    expect(first.stdout).toMatch(/Verify\s+ok/);
    expect(first.stdout).toMatch(/ISO session\s*:\s*1/);
    expect(first.stdout).toContain(todayPath);

    const second = await run();
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('exists already');
    expect(second.stdout).toContain(todayPath);
  });
});
