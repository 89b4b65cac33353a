/**
 * The two services as real processes, the way a host runs them: the compiled bins started
 * with their configuration files, and their readiness read from their JSON log lines.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const AGENT_BIN = join(ROOT, 'services/device-agent/dist/bin.js');
export const CLI_BIN = join(ROOT, 'services/controller/dist/bin.js');

export type ProcessResult = { code: number; stdout: string; stderr: string };

/** Runs a Node script to its end, as a user's shell would, and resolves with its exit code and output. */
export function runNodeScript(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 120_000,
): Promise<ProcessResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [script, ...args],
      { env: { ...process.env, ...env }, timeout: timeoutMs },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Compiles both services; an up-to-date build makes this a no-op. */
export async function buildServices(): Promise<void> {
  await promisify(execFile)(
    process.execPath,
    [join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'services/device-agent', 'services/controller'],
    { cwd: ROOT },
  );
}

export type ServiceProcess = { child: ChildProcess; port: number; logs: string[]; exited: Promise<unknown> };

/** Starts a bin and resolves once it logs `message` with its port. */
export async function startService(
  bin: string,
  args: string[],
  message: string,
  env: NodeJS.ProcessEnv = {},
): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const exited = once(child, 'exit');
  child.stderr!.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
  const lines = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    lines.on('line', (line) => {
      logs.push(line);
      try {
        const event = JSON.parse(line) as { msg?: string; port?: number };
        if (event.msg === message && event.port) resolve(event.port);
      } catch {
        // not JSON: kept in logs
      }
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`${bin} exited (${code ?? signal}) before it was ready:\n${logs.join('\n')}`)),
    );
  });
  return { child, port, logs, exited };
}

export async function writeAgentConfig(
  path: string,
  settings: { base: string; port: number; tokenFile: string },
): Promise<void> {
  await writeFile(
    path,
    [
      'agentId: burner-1',
      `listen: { host: 127.0.0.1, port: ${settings.port} }`,
      `auth: { tokenFile: ${settings.tokenFile} }`,
      `stagingRoot: ${join(settings.base, 'stage')}`,
      `workingDir: ${join(settings.base, 'work')}`,
      'devices:',
      `  - { id: dvd0, backend: virtual, path: ${join(settings.base, 'dvd0.iso')}, mediaType: dvd+rw }`,
      '',
    ].join('\n'),
  );
}

export async function writeControllerConfig(
  path: string,
  settings: { base: string; agentPort: number; apiTokenFile: string; agentTokenFile: string },
): Promise<void> {
  await writeFile(
    path,
    [
      'listen: { host: 127.0.0.1, port: 0 }',
      `auth: { tokenFile: ${settings.apiTokenFile} }`,
      `database: ${join(settings.base, 'controller.db')}`,
      'timeZone: UTC',
      'agents:',
      `  - { id: burner-1, url: "ws://127.0.0.1:${settings.agentPort}/rpc", tokenFile: ${settings.agentTokenFile} }`,
      '',
    ].join('\n'),
  );
}

/** Resolves when no process runs a command line containing `needle` (an orphaned xorriso). */
export async function waitForNoProcess(needle: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let found = false;
    for (const pid of await readdir('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      if (cmdline.includes(needle)) found = true;
    }
    if (!found) return;
    if (Date.now() > deadline) throw new Error(`a process with ${needle} still runs`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
