/**
 * `cedar-store local`: the whole product on one machine with no burner — an agent process
 * serving a `virtual` dvd+rw (an ISO file playing the disc) and the controller in this
 * process, both on loopback, with staging, media, database, tokens and logs under one
 * directory. Tokens are created once (mode 0600), printed when created, reused afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { readTokenFile, TokenFileError } from '@cedar-store/ports/auth';
import { createLogger } from '../logger.js';
import { lockLocalDir, type DirLock } from './dir-lock.js';
import { startController, StartupError, type RunningController } from '../server/controller-service.js';

export const LOCAL_AGENT_ID = 'local';
export const LOCAL_DEVICE = `${LOCAL_AGENT_ID}/dvd0`;

export type LocalStackOptions = {
  dir: string;
  /** The controller's port on 127.0.0.1 (7700 by default; 0 picks a free one). */
  port?: number;
  /** Where the stack reports what it does (stderr of the CLI). */
  out: NodeJS.WritableStream;
};

export type LocalLayout = {
  dir: string;
  staging: string;
  work: string;
  media: string;
  disc: string;
  database: string;
  apiTokenFile: string;
  agentTokenFile: string;
  agentConfig: string;
  logs: string;
};

export function localLayout(dir: string): LocalLayout {
  const root = resolve(dir);
  return {
    dir: root,
    staging: join(root, 'staging'),
    work: join(root, 'work'),
    media: join(root, 'media'),
    disc: join(root, 'media', 'dvd0.iso'),
    database: join(root, 'controller.db'),
    apiTokenFile: join(root, 'api.token'),
    agentTokenFile: join(root, 'agent.token'),
    agentConfig: join(root, 'agent.yaml'),
    logs: join(root, 'logs'),
  };
}

export type LocalStack = {
  layout: LocalLayout;
  url: string;
  apiToken: string;
  controller: RunningController;
  /** Resolves when the agent process exits, with its exit code or signal. */
  agentExited: Promise<string>;
  stop(): Promise<void>;
};

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const layout = localLayout(options.dir);
  await mkdir(layout.dir, { recursive: true });
  const lock = await lockLocalDir(layout.dir);
  try {
    return await startUnderLock(layout, lock, options);
  } catch (error) {
    await lock.release();
    throw error;
  }
}

async function startUnderLock(layout: LocalLayout, lock: DirLock, options: LocalStackOptions): Promise<LocalStack> {
  for (const dir of [layout.staging, layout.work, layout.media, layout.logs]) {
    await mkdir(dir, { recursive: true });
  }
  const api = await ensureToken(layout.apiTokenFile);
  const agentToken = await ensureToken(layout.agentTokenFile);
  await writeFile(layout.agentConfig, agentYaml(layout));

  const agent = await startAgentProcess(layout);
  const agentExited = once(agent.child, 'exit').then(([code, signal]) => String(signal ?? code));
  let controller: RunningController;
  try {
    const logFile = createWriteStream(join(layout.logs, 'controller.log'), { flags: 'a' });
    controller = await startController(
      {
        listen: { host: '127.0.0.1', port: options.port ?? 7700 },
        token: api.token,
        database: layout.database,
        agents: [{ id: LOCAL_AGENT_ID, url: `ws://127.0.0.1:${agent.port}/rpc`, token: agentToken.token }],
        policy: {},
        devices: {},
      },
      createLogger({ destination: logFile }),
    );
  } catch (error) {
    agent.child.kill('SIGTERM');
    await agentExited;
    throw error;
  }
  const url = `http://127.0.0.1:${controller.port}`;
  const out = options.out;
  out.write(
    [
      `cedar-store local is running (Ctrl-C stops it)`,
      `  controller  ${url}`,
      `  agent       ws://127.0.0.1:${agent.port}/rpc, device ${LOCAL_DEVICE} (virtual dvd+rw)`,
      `  staging     ${layout.staging}/YYYY/MM/DD`,
      `  disc image  ${layout.disc}`,
      `  database    ${layout.database}`,
      `  logs        ${layout.logs}`,
      api.created
        ? `  API token   ${api.token}\n              (shown once; kept in ${layout.apiTokenFile}, mode 0600)`
        : `  API token   in ${layout.apiTokenFile}`,
      '',
      'In another terminal:',
      `  export CEDAR_STORE_URL=${url} CEDAR_STORE_TOKEN_FILE=${layout.apiTokenFile}`,
      '  npx cedar-store store',
      '',
    ].join('\n'),
  );

  let stopping: Promise<void> | undefined;
  return {
    layout,
    url,
    apiToken: api.token,
    controller,
    agentExited,
    stop() {
      stopping ??= (async () => {
        await controller.close();
        if (agent.child.exitCode === null && agent.child.signalCode === null) agent.child.kill('SIGTERM');
        await agentExited;
        await lock.release();
      })();
      return stopping;
    },
  };
}

/** Reads the token file, or creates one with 32 random bytes readable by its owner only. */
async function ensureToken(path: string): Promise<{ token: string; created: boolean }> {
  if (existsSync(path)) {
    const token = await readTokenFile(path).catch((error: unknown) => {
      throw error instanceof TokenFileError ? new StartupError(error.message) : error;
    });
    return { token, created: false };
  }
  const token = randomBytes(32).toString('base64url');
  await writeFile(path, `${token}\n`, { mode: 0o600, flag: 'wx' });
  await chmod(path, 0o600);
  return { token, created: true };
}

function agentYaml(layout: LocalLayout): string {
  return [
    '# Written by cedar-store local on every start; edit deploy/agent.example.yaml for a real host.',
    `agentId: ${LOCAL_AGENT_ID}`,
    'listen: { host: 127.0.0.1, port: 0 }',
    `auth: { tokenFile: ${JSON.stringify(layout.agentTokenFile)} }`,
    `stagingRoot: ${JSON.stringify(layout.staging)}`,
    `workingDir: ${JSON.stringify(layout.work)}`,
    'devices:',
    `  - { id: dvd0, backend: virtual, path: ${JSON.stringify(layout.disc)}, mediaType: dvd+rw }`,
    '',
  ].join('\n');
}

/** Starts `cedar-store-agent` and resolves with its port once it logs that it listens. */
async function startAgentProcess(layout: LocalLayout): Promise<{ child: ChildProcess; port: number }> {
  const bin = await findAgentBin();
  const env = { ...process.env };
  delete env.CEDAR_AGENT_TOKEN; // the token file under the directory is the one that counts
  // Its own process group: Ctrl-C in the terminal reaches this process only, which lets the
  // running run finish (its verify and store indicator need the agent) before stopping it.
  const child = spawn(process.execPath, [bin, '--config', layout.agentConfig], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const orphanGuard = (): void => {
    child.kill('SIGTERM');
  };
  process.once('exit', orphanGuard);
  child.once('exit', () => process.off('exit', orphanGuard));
  const log = createWriteStream(join(layout.logs, 'agent.log'), { flags: 'a' });
  const errors: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => {
    errors.push(chunk.toString());
    log.write(chunk);
  });
  const lines = createInterface({ input: child.stdout! });
  return new Promise((resolvePort, reject) => {
    const onExit = (code: number | null): void =>
      reject(new Error(`the agent exited (${code}) before it listened: ${errors.join('').trim() || 'see agent.log'}`));
    child.once('exit', onExit);
    child.once('error', reject);
    lines.on('line', (line) => {
      log.write(`${line}\n`);
      try {
        const event = JSON.parse(line) as { msg?: string; port?: number };
        if (event.msg === 'agent listening' && event.port) {
          child.off('exit', onExit);
          resolvePort({ child, port: event.port });
        }
      } catch {
        // not a log line of ours; kept in agent.log
      }
    });
  });
}

/** The agent's compiled bin: installed beside this package (workspace or npm), else on PATH. */
async function findAgentBin(): Promise<string> {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates: string[] = [];
  for (let dir = here; dir !== dirname(dir); dir = dirname(dir)) {
    candidates.push(join(dir, 'node_modules', '@cedar-store', 'device-agent', 'dist', 'bin.js'));
    candidates.push(join(dir, 'services', 'device-agent', 'dist', 'bin.js'));
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) candidates.push(join(dir, 'cedar-store-agent'));
  for (const candidate of candidates) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('cannot find cedar-store-agent: run npm run build (or npm run setup) first');
}
