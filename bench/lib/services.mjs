/**
 * The two services as real processes for the bench, started from the compiled bins the way a
 * host runs them (the same shape as test/support/processes.ts, without vitest): an agent with
 * virtual devices and a controller with its SQLite history, both on loopback, readiness read
 * from their JSON log lines. The bench's CLI calls go through `cedar-store` as a user's would.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseBinLine } from './bin-line.mjs';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const AGENT_BIN = join(ROOT, 'services/device-agent/dist/bin.js');
export const CLI_BIN = join(ROOT, 'services/controller/dist/bin.js');

export const API_TOKEN = 'bench-api-token-0123456789abcdef0123';
export const AGENT_TOKEN = 'bench-agent-token-0123456789abcdef012';

/**
 * The bench's devices: `dvd0` for the 1 GiB and many-small-files days, `bd0` for the 4 GiB day
 * (more than a DVD holds), `api0` for the API load (its runs fail fast: nothing is staged for
 * the day they ask for, so they measure the controller, not a write).
 */
export const DEVICES = {
  dvd0: { mediaType: 'dvd+rw' },
  bd0: { mediaType: 'bd-re' },
  api0: { mediaType: 'dvd+rw' },
};

export function layout(base) {
  return {
    base,
    stage: join(base, 'stage'),
    work: join(base, 'work'),
    media: join(base, 'media'),
    raw: join(base, 'raw'),
    image: (device) => join(base, 'media', `${device}.iso`),
    agentConfig: join(base, 'agent.yaml'),
    controllerConfig: join(base, 'controller.yaml'),
    database: join(base, 'controller.db'),
  };
}

export async function writeConfigs(paths, extraDeviceSettings = {}) {
  for (const dir of [paths.stage, paths.work, paths.media, paths.raw]) await mkdir(dir, { recursive: true });
  const apiTokenFile = join(paths.base, 'api.token');
  const agentTokenFile = join(paths.base, 'agent.token');
  await writeFile(apiTokenFile, `${API_TOKEN}\n`, { mode: 0o600 });
  await writeFile(agentTokenFile, `${AGENT_TOKEN}\n`, { mode: 0o600 });
  const devices = Object.entries(DEVICES).map(([id, { mediaType }]) => {
    const extra = Object.entries(extraDeviceSettings)
      .map(([key, value]) => `, ${key}: ${JSON.stringify(value)}`)
      .join('');
    return `  - { id: ${id}, backend: virtual, path: ${paths.image(id)}, mediaType: ${mediaType}${extra} }`;
  });
  await writeFile(
    paths.agentConfig,
    [
      'agentId: bench',
      'listen: { host: 127.0.0.1, port: 0 }',
      `auth: { tokenFile: ${agentTokenFile} }`,
      `stagingRoot: ${paths.stage}`,
      `workingDir: ${paths.work}`,
      'devices:',
      ...devices,
      '',
    ].join('\n'),
  );
  return { apiTokenFile, agentTokenFile };
}

export async function writeControllerConfig(paths, agentPort, agentTokenFile, apiTokenFile) {
  await writeFile(
    paths.controllerConfig,
    [
      'listen: { host: 127.0.0.1, port: 0 }',
      `auth: { tokenFile: ${apiTokenFile} }`,
      `database: ${paths.database}`,
      'timeZone: UTC',
      'agents:',
      `  - { id: bench, url: "ws://127.0.0.1:${agentPort}/rpc", tokenFile: ${agentTokenFile} }`,
      // The bench times the write and the verify separately, as the issue asks.
      'policy: { checkData: false, warnMidnite: false }',
      '',
    ].join('\n'),
  );
}

/**
 * The environment and node flags a bin's first line sets (`#!/usr/bin/env -S NAME=value node
 * --flag`): it runs as it is deployed.
 */
export function binLineOf(bin) {
  return parseBinLine(readFileSync(bin, 'utf8').split('\n', 1)[0]);
}

/** Starts a bin as deployed (its first line's environment and node flags) and resolves once it logs `message` with its port; rejects if it exits first. */
export async function startService(bin, args, message) {
  const { env, flags } = binLineOf(bin);
  const child = spawn(process.execPath, [...flags, bin, ...args], {
    env: { ...process.env, ...env, CEDAR_AGENT_TOKEN: '', CEDAR_STORE_TOKEN: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs = [];
  const keep = (line) => {
    logs.push(line);
    if (logs.length > 200) logs.shift();
  };
  const exited = once(child, 'exit');
  createInterface({ input: child.stderr }).on('line', keep);
  const lines = createInterface({ input: child.stdout });
  const port = await new Promise((resolve, reject) => {
    lines.on('line', (line) => {
      keep(line);
      try {
        const event = JSON.parse(line);
        if (event.msg === message && event.port) resolve(event.port);
      } catch {
        // not JSON: kept in logs
      }
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`${bin} exited (${code ?? signal}) before it was ready:\n${logs.join('\n')}`)),
    );
  });
  return { child, pid: child.pid, port, logs, exited };
}

/** Stops a service with SIGTERM (SIGKILL after `graceMs`) and waits for its exit. */
export async function stopService(service, graceMs = 15_000) {
  if (!service || service.child.exitCode !== null || service.child.signalCode !== null) return;
  service.child.kill('SIGTERM');
  const timer = setTimeout(() => service.child.kill('SIGKILL'), graceMs);
  await service.exited;
  clearTimeout(timer);
}

/** Agent and controller, started in that order; `stop()` takes both down. */
export async function startStack(paths, tokens) {
  const agent = await startService(AGENT_BIN, ['--config', paths.agentConfig], 'agent listening');
  let controller;
  try {
    await writeControllerConfig(paths, agent.port, tokens.agentTokenFile, tokens.apiTokenFile);
    controller = await startService(
      CLI_BIN,
      ['controller', '--config', paths.controllerConfig],
      'controller listening',
    );
  } catch (error) {
    await stopService(agent);
    throw error;
  }
  const url = `http://127.0.0.1:${controller.port}`;
  await waitForDevices(url);
  return {
    agent,
    controller,
    url,
    async stop() {
      await stopService(controller);
      await stopService(agent);
    },
  };
}

/** The controller reaches the agent in the background: wait until it lists the bench's devices as connected. */
async function waitForDevices(url, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${url}/api/v1/devices`, { headers: { authorization: `Bearer ${API_TOKEN}` } }).catch(
      () => null,
    );
    if (response?.ok) {
      const body = await response.json();
      const text = JSON.stringify(body);
      if (text.includes('dvd0') && !/"connected":\s*false/.test(text)) return;
    }
    if (Date.now() > deadline) throw new Error(`the controller at ${url} did not list the agent's devices in time`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
