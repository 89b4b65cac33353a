/**
 * `cedar-store-agent --check-config agent.yaml`: everything the agent would refuse at start,
 * all at once and each with its line, without opening a drive or a socket: the YAML, every
 * field (a misspelt one with the name it probably meant), and what the configuration names:
 * the token file, the TLS certificate and key, the staging root, the working and restore
 * directories and the devices. Files are read as the user running the check: run it as the agent's user to see
 * what the service will see.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AgentConfigSchema } from '@cedar-store/ports';
import { checkConfigFile, type ConfigProblem, type FileCheckKit } from '@cedar-store/ports/config-check';
import { checkTlsFiles, ConfigError } from './agent-config.js';

export function checkAgentConfig(
  path: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ problems: ConfigProblem[] }> {
  return checkConfigFile(path, AgentConfigSchema, 'agent', (kit) => fileProblems(kit, env));
}

/** What the configuration names, as the user running the check can reach it. */
async function fileProblems({ valueAt, pathAt, add, tokenFile }: FileCheckKit, env: NodeJS.ProcessEnv): Promise<void> {
  await tokenFile(['auth', 'tokenFile']);
  if (
    valueAt(['auth', 'tokenFile']) === undefined &&
    valueAt(['auth', 'token']) === undefined &&
    !env.CEDAR_AGENT_TOKEN?.trim()
  ) {
    add(['auth'], 'no token: set auth.token or auth.tokenFile (or CEDAR_AGENT_TOKEN in the service environment)');
  }

  const certFile = pathAt(['tls', 'certFile']);
  const keyFile = pathAt(['tls', 'keyFile']);
  if (certFile && keyFile) {
    await checkTlsFiles({ certFile, keyFile }, 'tls').catch((error: unknown) => {
      if (!(error instanceof ConfigError)) throw error;
      const which = error.message.includes('tls.keyFile') ? 'keyFile' : 'certFile';
      add(['tls', which], error.message.replace(/^tls: tls\.\w+ /, ''));
    });
  }

  const stagingRoot = pathAt(['stagingRoot']);
  if (stagingRoot) {
    const problem = await directoryProblem(stagingRoot, constants.R_OK | constants.X_OK, 'read');
    if (problem) add(['stagingRoot'], problem);
  }
  // The agent creates these when missing: the nearest existing directory must let it.
  for (const key of ['workingDir', 'restoreRoot']) {
    const directory = pathAt([key]);
    const problem = directory ? await creatableProblem(directory) : undefined;
    if (problem) add([key], problem);
  }

  const devices = valueAt(['devices']);
  for (const index of (Array.isArray(devices) ? (devices as unknown[]) : []).keys()) {
    const devicePath = pathAt(['devices', index, 'path']);
    if (!devicePath) continue;
    const problem =
      valueAt(['devices', index, 'backend']) === 'virtual'
        ? await creatableProblem(dirname(devicePath))
        : (await exists(devicePath))
          ? undefined
          : `${devicePath} does not exist: is the drive connected, and is this its path (e.g. /dev/sr0)?`;
    if (problem) add(['devices', index, 'path'], problem);
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function directoryProblem(path: string, mode: number, verb: string): Promise<string | undefined> {
  const facts = await stat(path).catch(() => undefined);
  if (!facts) return `${path} does not exist`;
  if (!facts.isDirectory()) return `${path} is not a directory`;
  const allowed = await access(path, mode).then(
    () => true,
    () => false,
  );
  return allowed ? undefined : `${path} cannot be ${verb === 'read' ? 'read' : 'written'} by this user`;
}

/** The agent creates a missing directory at start: its nearest existing ancestor must let it. */
async function creatableProblem(path: string): Promise<string | undefined> {
  let current = path;
  while (!(await exists(current))) {
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return directoryProblem(current, constants.W_OK | constants.X_OK, 'write');
}
