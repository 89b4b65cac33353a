// Two devices burning at once on one agent: each burner's process group must land in the
// journal entry of its own device's operation, or a restarted agent would keep the wrong
// device busy (and free the one still being burned).
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AGENT_TOKENS, createAgentContainer } from './agent.js';
import { resolveAgentConfig } from './config/agent-config.js';
import { createHandlers, type AgentServices } from './server/rpc-handlers.js';

const DAY = '2026-11-24';

let base: string;
let services: AgentServices | undefined;

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'cedar-agent-attribution-'));
});

afterEach(async () => {
  services?.journal?.close();
  services = undefined;
  await writeFile(join(base, 'release'), '').catch(() => undefined);
  await rm(base, { recursive: true, force: true });
});

/**
 * An xorriso first on the path that logs its pid (its process group) and arguments when it is
 * asked to commit, and waits for the test's release before running the real one in its place.
 */
async function heldXorriso(): Promise<{ searchPath: string; log: string }> {
  const bin = join(base, 'bin');
  const log = join(base, 'commits.log');
  const real = (await execa('which', ['xorriso'])).stdout.trim();
  await mkdir(bin, { recursive: true });
  await writeFile(
    join(bin, 'xorriso'),
    `#!/bin/sh
case " $* " in
  *" -commit "*)
    echo "$$ $*" >> '${log}'
    while [ ! -e '${join(base, 'release')}' ]; do sleep 0.05; done
    ;;
esac
exec '${real}' "$@"
`,
  );
  await chmod(join(bin, 'xorriso'), 0o755);
  return { searchPath: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, log };
}

async function commitsHeld(log: string, count: number): Promise<string[]> {
  for (;;) {
    const lines = (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean);
    if (lines.length >= count) return lines;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function groupsOf(workingDir: string, opId: string): Promise<number[]> {
  const entry = JSON.parse(await readFile(join(workingDir, 'journal', `${opId}.json`), 'utf8')) as {
    groups: Array<{ pgid: number }>;
  };
  return entry.groups.map((group) => group.pgid);
}

describe('programs of two devices writing at once', { timeout: 90_000 }, () => {
  it('are journaled under their own device’s operation', async () => {
    const stagingRoot = join(base, 'stage');
    await mkdir(join(stagingRoot, ...DAY.split('-')), { recursive: true });
    await writeFile(join(stagingRoot, ...DAY.split('-'), 'notes.txt'), 'night of the 24th\n');
    await writeFile(join(stagingRoot, ...DAY.split('-'), 'cback.stage'), '');
    for (const dir of ['left', 'right']) await mkdir(join(base, dir));
    const workingDir = join(base, 'work');
    const config = await resolveAgentConfig(
      {
        agentId: 'pair',
        listen: { host: '127.0.0.1', port: 0 },
        auth: { token: 'attribution-test-token-0123456789' },
        stagingRoot,
        workingDir,
        devices: [
          { id: 'dvd0', backend: 'virtual', path: join(base, 'left', 'disc.iso'), mediaType: 'dvd+rw' },
          { id: 'dvd1', backend: 'virtual', path: join(base, 'right', 'disc.iso'), mediaType: 'dvd+rw' },
        ],
      },
      'attribution test config',
      {},
    );
    const xorriso = await heldXorriso();
    const container = await createAgentContainer(config, pino({ level: 'silent' }), {
      searchPath: xorriso.searchPath,
    });
    services = container.get<AgentServices>(AGENT_TOKENS.Services);
    const handlers = createHandlers(services);
    const write = (device: string, opId: string) =>
      handlers['media.write'](
        { device, days: [DAY], label: 'CEDAR BACKUP 24-NOV-2026', newDisc: false, opId },
        () => undefined,
      );

    const writes = Promise.all([write('dvd1', 'pair-right:write'), write('dvd0', 'pair-left:write')]);
    const commits = await commitsHeld(xorriso.log, 2);
    const burnerOf = (dir: string): number => Number(commits.find((line) => line.includes(`/${dir}/`))!.split(' ')[0]);
    const left = burnerOf('left');
    const right = burnerOf('right');
    expect(left).not.toBe(right);

    const leftGroups = await groupsOf(workingDir, 'pair-left:write');
    const rightGroups = await groupsOf(workingDir, 'pair-right:write');
    expect(leftGroups).toContain(left);
    expect(leftGroups).not.toContain(right);
    expect(rightGroups).toContain(right);
    expect(rightGroups).not.toContain(left);

    await writeFile(join(base, 'release'), '');
    await writes;
    expect(services.journal?.get(['pair-left:write', 'pair-right:write']).map((op) => op.state)).toEqual([
      'succeeded',
      'succeeded',
    ]);
  });
});
