/**
 * A real agent (in this process, `virtual` media, real xorriso) and a real controller (SQLite,
 * HTTP on loopback) for the program, disk and database fault suites, with the knobs those
 * faults need: the agent's programs found on a PATH the test builds (fakes in front of the
 * real ones, or a real one left out), its working directory, image and database placed on
 * a small file system, and its per-operation time limits.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { resolveAgentConfig, startAgent, type AgentServer } from '@cedar-store/device-agent';
import { startController, type RunningController } from '@cedar-store/controller';
import { execa } from 'execa';
import { pino } from 'pino';
import { ApiClient } from './controller-stack.js';
import { RpcTestClient } from './rpc-client.js';
import { stageDayOnDisk, type StagedFile } from './staging-dir.js';

export const HARNESS_API_TOKEN = 'harness-api-token-0123456789abcdef';
const AGENT_TOKEN = 'harness-agent-token-0123456789abcdef';

export type HarnessOptions = {
  /** The directory the agent's programs are found in, alone (no host PATH after it). */
  searchPath: string;
  workingDir?: string;
  /** The ISO file playing the disc. */
  image?: string;
  database?: string;
  /** agent.yaml `timeouts`, in seconds. */
  timeouts?: Record<string, number>;
  mountMethod?: 'auto' | 'mount' | 'fuseiso';
  /** More agent.yaml `devices` entries beside the virtual dvd0. */
  extraDevices?: Array<Record<string, unknown>>;
  /** controller.yaml `devices`: per-device policy overrides. */
  devicePolicies?: Parameters<typeof startController>[0]['devices'];
};

export type Harness = Awaited<ReturnType<typeof startHarness>>;

export async function startHarness(base: string, options: HarnessOptions) {
  const stagingRoot = join(base, 'stage');
  await mkdir(stagingRoot, { recursive: true });
  const image = options.image ?? join(base, 'media', 'dvd0.iso');
  const agentConfig = await resolveAgentConfig(
    {
      agentId: 'burner-1',
      listen: { host: '127.0.0.1', port: 0 },
      auth: { token: AGENT_TOKEN },
      stagingRoot,
      workingDir: options.workingDir ?? join(base, 'work'),
      ...(options.timeouts ? { timeouts: options.timeouts } : {}),
      devices: [
        {
          id: 'dvd0',
          backend: 'virtual',
          path: image,
          mediaType: 'dvd+rw',
          ...(options.mountMethod ? { mountMethod: options.mountMethod } : {}),
        },
        ...(options.extraDevices ?? []),
      ],
    },
    'harness agent',
    {},
  );
  const agent: { server: AgentServer; port: number } = await startAgent(agentConfig, pino({ level: 'silent' }), {
    searchPath: options.searchPath,
  });
  const database = options.database ?? join(base, 'controller.db');
  let controller: RunningController;
  try {
    controller = await startController(
      {
        listen: { host: '127.0.0.1', port: 0 },
        token: HARNESS_API_TOKEN,
        database,
        timeZone: 'UTC',
        agents: [{ id: 'burner-1', url: `ws://127.0.0.1:${agent.port}/rpc`, token: AGENT_TOKEN }],
        policy: {},
        devices: options.devicePolicies ?? {},
      },
      pino({ level: 'silent' }),
    );
  } catch (error) {
    await agent.server.close();
    throw error;
  }
  const api = new ApiClient(`http://127.0.0.1:${controller.port}`, HARNESS_API_TOKEN);
  await api.waitConnected(60_000);
  return {
    base,
    image,
    database,
    api,
    stage: (day: string, files: Record<string, StagedFile>) => stageDayOnDisk(stagingRoot, day, files),
    stored: (day: string) => existsSync(join(stagingRoot, ...day.split('-'), 'cback.store')),
    /** A client of the agent's own wire (media.export has no controller route). */
    rpc: () => RpcTestClient.connect(`ws://127.0.0.1:${agent.port}/rpc`, AGENT_TOKEN),
    async stop() {
      await controller.close();
      await agent.server.close();
    },
  };
}

/**
 * A directory standing for PATH that holds links to the host's own programs, so a test can
 * leave one out (a program that is not installed) or put a fake in front of it.
 */
export class ProgramDir {
  private constructor(readonly path: string) {}

  static async create(base: string, programs: readonly string[]): Promise<ProgramDir> {
    const dir = new ProgramDir(join(base, 'bin'));
    await mkdir(dir.path, { recursive: true });
    for (const program of programs) await dir.link(program);
    return dir;
  }

  /** Puts the host's `program` on this PATH. */
  async link(program: string): Promise<void> {
    await rm(join(this.path, program), { force: true });
    await symlink(await hostProgram(program), join(this.path, program));
  }

  /** Puts a `/bin/sh` script in front of `program`; `$REAL` in `body` is the host's program. */
  async fake(program: string, body: string): Promise<void> {
    const script = join(this.path, program);
    await rm(script, { force: true });
    const hostPath = process.env.PATH ?? '/usr/bin:/bin';
    await writeFile(script, `#!/bin/sh\nPATH='${hostPath}'\nREAL='${await hostProgram(program)}'\n${body}\n`);
    await chmod(script, 0o755);
  }

  async remove(program: string): Promise<void> {
    await rm(join(this.path, program), { force: true });
  }
}

async function hostProgram(program: string): Promise<string> {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(delimiter)) {
    const candidate = join(dir, program);
    if (dir && existsSync(candidate)) return candidate;
  }
  throw new Error(`${program} is not installed on this host`);
}

export async function sha256(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

/** A temp directory for one test. */
export function tempBase(name: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `cedar-${name}-`));
}

/**
 * Mounts a tmpfs of `size` at `dir` (we run as root in CI); null with the reason when this
 * host cannot, so the suite can skip saying why.
 */
export async function mountTmpfs(dir: string, size: string): Promise<string | null> {
  if (process.getuid?.() !== 0) return 'mounting a small file system needs root';
  await mkdir(dir, { recursive: true });
  const result = await execa('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir], {
    reject: false,
  });
  return result.exitCode === 0 ? null : `mount -t tmpfs failed: ${result.stderr.trim() || result.exitCode}`;
}

export async function unmountTmpfs(dir: string): Promise<void> {
  await execa('umount', ['-l', dir], { reject: false });
}

/**
 * Fills the file system holding `dir` with one file until only `leaveBytes` are left (none
 * by default); returns the file's path.
 */
export async function fillDisk(dir: string, leaveBytes = 0): Promise<string> {
  const filler = join(dir, 'filler');
  // dd stops at ENOSPC and says so: that is the point.
  await execa('dd', ['if=/dev/zero', `of=${filler}`, 'bs=64k'], { reject: false });
  if (leaveBytes > 0) await truncate(filler, Math.max(0, (await stat(filler)).size - leaveBytes));
  return filler;
}
