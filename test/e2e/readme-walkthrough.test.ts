// The README's commands, run as a newcomer runs them: every `sh` block, in order, as one bash
// script with `set -e`, in a copy of the repository that has nothing beside it (so setup
// installs from scratch, and nothing the repository does not hold can be read). The only line
// left out is `npm test`, which is the suite running this test. After the script, the disc
// image is read back with xorriso, and no process the script started may still be running:
// the background stack the README starts must stop when the README says to stop it.
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { discPaths } from '../support/e2e/disc-reader.js';
import { ROOT } from '../support/processes.js';

/** The lines of every ```sh block of the README, in order. */
function readmeShellBlocks(): string[][] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  return [...readme.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((match) => match[1]!.trimEnd().split('\n'));
}

const isNpmTest = (line: string): boolean => line.replace(/#.*$/, '').trim() === 'npm test';

/** What a clone holds (and what is about to be committed): tracked and new files, not ignored ones. */
function copyRepository(to: string): void {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT })
    .toString('utf8')
    .split('\0')
    .filter(Boolean);
  for (const file of files) {
    const from = join(ROOT, file);
    try {
      if (!statSync(from).isFile()) continue;
    } catch {
      continue; // tracked but deleted in the working tree
    }
    mkdirSync(dirname(join(to, file)), { recursive: true });
    copyFileSync(from, join(to, file));
  }
}

/** This environment without what vitest and the outer npm set, as a newcomer's shell has it. */
function newcomerEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { npm_config_prefer_offline: 'true' };
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(VITEST|TEST$|NODE_ENV$|NODE_OPTIONS$|npm_|CEDAR_)/.test(key)) continue;
    env[key] = value;
  }
  return env;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitForGroupToEnd(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!groupAlive(pgid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return !groupAlive(pgid);
}

describe('the README, run as written on a fresh copy', () => {
  it(
    'sets up, runs the demo and the one-host walkthrough, and leaves nothing running',
    { timeout: 20 * 60_000 },
    async () => {
      const blocks = readmeShellBlocks();
      expect(blocks.length, 'the README has its quick start and walkthrough blocks').toBeGreaterThanOrEqual(2);
      const lines = blocks.flat();
      expect(lines.filter(isNpmTest), 'the one line this test cannot run is `npm test`').toHaveLength(1);
      expect(await portIsFree(7700), 'the walkthrough starts a controller on port 7700: something else holds it').toBe(
        true,
      );

      const base = mkdtempSync(join(tmpdir(), 'cedar-readme-'));
      const clone = join(base, 'cedar-store');
      copyRepository(clone);
      const script = ['set -euo pipefail', ...lines.filter((line) => !isNpmTest(line))].join('\n');

      const child = spawn('bash', ['-c', script], {
        cwd: clone,
        detached: true, // its own process group: whatever it leaves running is found by the group
        stdio: ['ignore', 'pipe', 'pipe'],
        env: newcomerEnvironment(),
      });
      const pgid = child.pid!;
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      try {
        const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
        expect(code, `the README's commands failed:\n${output.slice(-6000)}`).toBe(0);

        // Nothing the README started still runs, and the controller's port is free again.
        expect(
          await waitForGroupToEnd(pgid, 30_000),
          `a process the README started still runs:\n${output.slice(-3000)}`,
        ).toBe(true);
        expect(await portIsFree(7700)).toBe(true);

        // The walkthrough's day is on the disc, as xorriso reads the image.
        const now = new Date();
        const day = [now.getFullYear(), now.getMonth() + 1, now.getDate()]
          .map((n) => String(n).padStart(2, '0'))
          .join('/');
        expect(await discPaths(join(clone, 'var/media/dvd0.iso'))).toContain(`${day}/hello.txt`);
      } finally {
        if (groupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
        rmSync(base, { recursive: true, force: true });
      }
    },
  );
});
