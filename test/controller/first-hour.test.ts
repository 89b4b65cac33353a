// A new user's first hour, as they hit it: `npm start` stopped by its PID, two stacks on one
// directory, the demo's last words, and the CLI against a real `cedar-store local` — the
// summary of each action, the media catalog of one ISO file blanked and rewritten, a failed
// store's error, the advice of NO_STAGING_DIRECTORY, and the crontab line of --help run the
// way cron runs it.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServices, CLI_BIN, ROOT, runNodeScript, type ProcessResult } from '../support/processes.js';
import { stageDayOnDisk } from '../support/staging-dir.js';

let base: string;
const started: ChildProcess[] = [];

beforeAll(async () => {
  await buildServices();
  base = await mkdtemp(join(tmpdir(), 'cedar-first-hour-'));
}, 180_000);

afterAll(async () => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  // Whatever a failed assertion left running under our directory (its pids, found by their command line).
  for (const pid of await pidsMentioning(base)) process.kill(pid, 'SIGKILL');
  if (base) await rm(base, { recursive: true, force: true });
});

/** The pids of processes whose command line names `needle`. */
async function pidsMentioning(needle: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.replaceAll('\0', ' ').includes(needle)) pids.push(Number(entry));
  }
  return pids;
}

async function listening(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts `command args` and resolves once the stack it starts prints its controller's URL.
 * `stderr` collects all it printed.
 */
async function startStack(
  command: string,
  args: string[],
  options: { cwd?: string } = {},
): Promise<{ child: ChildProcess; url: string; stderr: string[] }> {
  const child = spawn(command, args, { cwd: options.cwd ?? ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  const stderr: string[] = [];
  const lines = createInterface({ input: child.stderr! });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${command} exited with ${code}: ${stderr.join('\n')}`)));
    lines.on('line', (line) => {
      stderr.push(line);
      const match = /^\s+controller\s+(http:\/\/\S+)/.exec(line);
      if (match) resolve(match[1]!);
    });
  });
  return { child, url, stderr };
}

async function stopWith(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  const exited = once(child, 'exit');
  child.kill(signal);
  const [code] = (await exited) as [number | null];
  return code;
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return check();
}

describe('stopping and sharing a local stack', { timeout: 180_000 }, () => {
  it('npm start in the background stops, agent and all, when its PID gets SIGTERM; a running write finishes first', async () => {
    const dir = join(base, 'npm-start');
    const stack = await startStack('npm', ['start', '--', '--dir', dir, '--port', '0']);
    expect(await listening(stack.url)).toBe(true);
    expect((await pidsMentioning(dir)).length).toBeGreaterThanOrEqual(2); // the stack and its agent

    await stageDayOnDisk(join(dir, 'staging'), '2026-11-25', { 'big.bin': { size: 256 * 1024 * 1024 } });
    const env = {
      CEDAR_STORE_URL: stack.url,
      CEDAR_STORE_TOKEN: (await readFile(join(dir, 'api.token'), 'utf8')).trim(),
    };
    const store = spawn(process.execPath, [CLI_BIN, 'store', '--today', '2026-11-25'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    started.push(store);
    const lines = createInterface({ input: store.stderr! });
    await new Promise<void>((resolve) => lines.on('line', (line) => line.endsWith('write: started') && resolve()));

    // What `kill <its PID>` does to the PID `npm start &` gave the shell.
    const code = await stopWith(stack.child, 'SIGTERM');
    expect(code).toBe(0);
    expect(await waitUntil(async () => (await pidsMentioning(dir)).length === 0, 15_000)).toBe(true);
    expect(await listening(stack.url)).toBe(false);
    expect(existsSync(join(dir, 'local.lock'))).toBe(false);
    store.kill('SIGINT'); // it was following a run on a controller that has gone

    // The write that was running when the stack was told to stop finished, verified.
    const again = await startStack(process.execPath, [CLI_BIN, 'local', '--dir', dir, '--port', '0']);
    const runs = await runNodeScript(CLI_BIN, ['runs', '--json'], { ...env, CEDAR_STORE_URL: again.url });
    expect(JSON.parse(runs.stdout)).toMatchObject({
      runs: [{ action: 'store', status: 'succeeded', verify: { ok: true } }],
    });
    expect(existsSync(join(dir, 'staging', '2026', '11', '25', 'cback.store'))).toBe(true);
    expect(await stopWith(again.child, 'SIGTERM')).toBe(0);
  });

  it('a second cedar-store local on the same --dir refuses (exit 2); a lock left by a killed one is taken over', async () => {
    const dir = join(base, 'shared');
    const first = await startStack(process.execPath, [CLI_BIN, 'local', '--dir', dir, '--port', '0']);
    const second = await runNodeScript(CLI_BIN, ['local', '--dir', dir, '--port', '0'], {}, 30_000);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(
      `cedar-store local: ${dir} is in use by another cedar-store local (pid ${first.child.pid}): ` +
        'stop that one first, or give this one its own --dir',
    );
    expect(await listening(first.url)).toBe(true);
    expect(await stopWith(first.child, 'SIGTERM')).toBe(0);

    // A stack killed outright leaves its lock behind, naming a pid that no longer runs.
    await writeFile(join(dir, 'local.lock'), '999999999\n');
    const third = await startStack(process.execPath, [CLI_BIN, 'local', '--dir', dir, '--port', '0']);
    expect((await readFile(join(dir, 'local.lock'), 'utf8')).trim()).toBe(String(third.child.pid));
    expect(await stopWith(third.child, 'SIGINT')).toBe(0);
  });
});

describe('npm run demo', { timeout: 180_000 }, () => {
  it('says nothing that is false once it has ended: no running stack, no address to export; says how to start one', async () => {
    const demo = await runNodeScript(
      join(ROOT, 'scripts/demo.mjs'),
      [],
      { CEDAR_DEMO_DIR: join(base, 'demo') },
      150_000,
    );
    expect(demo.code).toBe(0);
    const printed = demo.stdout + demo.stderr;
    expect(printed).not.toContain('Ctrl-C stops it');
    expect(printed).not.toContain('export CEDAR_STORE_URL');
    expect(printed).toContain('for this demo only');
    expect(demo.stderr).toContain("demo: the demo's stack has stopped. To keep one running");
    expect(demo.stderr).toContain(`npx cedar-store local --dir ${join(base, 'demo')}`);
  });
});

describe('the CLI against cedar-store local', { timeout: 240_000 }, () => {
  let stack: { child: ChildProcess; url: string };
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const cli = (args: string[]): Promise<ProcessResult> => runNodeScript(CLI_BIN, args, env, 60_000);

  beforeAll(async () => {
    dir = join(base, 'stack');
    stack = await startStack(process.execPath, [CLI_BIN, 'local', '--dir', dir, '--port', '0']);
    env = {
      CEDAR_STORE_URL: stack.url,
      CEDAR_STORE_TOKEN: (await readFile(join(dir, 'api.token'), 'utf8')).trim(),
    };
  }, 60_000);

  afterAll(async () => {
    if (stack) await stopWith(stack.child, 'SIGINT');
  });

  it('the first session on a blank image is a new disc; a blanked and rewritten disc is superseded', async () => {
    // A Wednesday: the week's starting day (Monday) does not start the disc, the blank image does.
    await stageDayOnDisk(join(dir, 'staging'), '2026-11-25', { 'data.bin': { size: 8 * 1024 * 1024 } });
    const first = await cli(['store', '--today', '2026-11-25']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^ {2}Disc {8}new disc: the media was blank, so this first session starts it$/m);

    // Plain progress: a line at each tenth, each once, and the verify's rate.
    const write = [...first.stderr.matchAll(/Z write (\d+)% /g)].map((match) => match[1]);
    expect(write).toEqual(['0', '10', '20', '30', '40', '50', '60', '70', '80', '90', '100']);
    expect(first.stderr).toMatch(/Z verify 100% 8\.00 MiB of 8\.00 MiB, [\d.]+ [KMG]?i?B\/s, ETA 0 ms$/m);

    const initialized = await cli(['initialize']);
    expect(initialized.code).toBe(0);
    expect(initialized.stdout).toMatch(/^ {14}initialize: blanks the media and labels it, so always a new disc$/m);
    expect(initialized.stdout).not.toContain('a rebuild or a --full store');

    const full = await cli(['store', '--full', '--today', '2026-11-25']);
    expect(full.code).toBe(0);
    expect(full.stdout).toMatch(/^ {14}rule rebuild: a --full store always starts a new disc$/m);

    const media = await cli(['media', '--json']);
    const discs = (JSON.parse(media.stdout) as { discs: Array<Record<string, unknown>> }).discs;
    expect(discs.map((disc) => [disc.sessions && (disc.sessions as Array<{ newDisc: boolean }>)[0]!.newDisc])).toEqual([
      [true],
      [true],
      [true],
    ]);
    expect(discs.map((disc) => typeof disc.supersededAt)).toEqual(['undefined', 'string', 'string']);
    const table = await cli(['media']);
    expect(table.stdout.match(/SUPERSEDED: its media was blanked for a newer disc/g)).toHaveLength(2);
    expect(table.stdout).toMatch(/CEDAR BACKUP 25-NOV-2026 +yes +2026-11-25 /);
  });

  it('a failed store prints its error once, on stderr; with --json the run is on stdout', async () => {
    // 2026-11-25 is stored and staged: the advice names --full, which would write it again.
    const stored = await cli(['store', '--today', '2026-11-25']);
    expect(stored.code).toBe(1);
    expect(stored.stderr.match(/no unstored staging directory/g)).toHaveLength(1);
    expect(stored.stdout).not.toContain('no unstored staging directory');
    expect(stored.stdout).toMatch(/^ {2}Error {7}NO_STAGING_DIRECTORY$/m);
    expect(stored.stderr).toMatch(/^NO_STAGING_DIRECTORY: .*or use --full to write today again\.$/m);

    const json = await cli(['store', '--today', '2026-11-25', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ status: 'failed', error: { code: 'NO_STAGING_DIRECTORY' } });
    expect(json.stderr.match(/no unstored staging directory/g)).toHaveLength(1);
  });

  it('advises --full only when today is staged and stored', async () => {
    await stageDayOnDisk(join(dir, 'staging'), '2026-10-14', { 'a.txt': 'a\n' }, { staged: false });
    for (const today of ['2026-10-07', '2026-10-14']) {
      const result = await cli(['store', '--today', today]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/Nothing to write: check that the stage action ran\.$/m);
      expect(result.stderr).not.toContain('--full');
    }
  });

  it("the crontab line of --help stores under cron's environment: no PATH beyond /usr/bin:/bin, no token", async () => {
    const help = await runNodeScript(CLI_BIN, ['--help']);
    const line = help.stdout
      .split('\n')
      .map((text) => text.trim())
      .find((text) => text.startsWith('30 2 * * * '));
    expect(line).toBeDefined();
    const log = join(base, 'cron.jsonl');
    // The schedule is cron's; the rest is what cron hands to /bin/sh, with this stack's token file and a log here.
    const command = line!
      .slice('30 2 * * * '.length)
      .replace('/etc/cedar-store/api.token', join(dir, 'api.token'))
      .replace('/var/log/cedar-store.jsonl', log);
    const now = new Date();
    const pad = (n: number): string => String(n).padStart(2, '0');
    const today = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
    await stageDayOnDisk(join(dir, 'staging'), today, { 'cron.txt': 'from cron\n' });
    const cron = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(
        '/bin/sh',
        ['-c', command],
        // What cron sets, plus where this test's controller listens.
        { env: { PATH: '/usr/bin:/bin', SHELL: '/bin/sh', HOME: base, CEDAR_STORE_URL: stack.url }, cwd: base },
        (error, _stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stderr }),
      );
    });
    expect(cron.stderr).toBe('');
    expect(cron.code).toBe(0);
    const runs = (await readFile(log, 'utf8')).trim().split('\n');
    expect(runs).toHaveLength(1);
    expect(JSON.parse(runs[0]!)).toMatchObject({ action: 'store', status: 'succeeded', selection: { days: [today] } });
  });
});
