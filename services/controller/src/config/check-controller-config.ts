/**
 * `cedar-store check-config controller.yaml`: everything the controller would refuse at start,
 * all at once and each with its line, without opening the database or reaching any agent:
 * the YAML, every field (a misspelt one with the name it probably meant), and the files the
 * configuration names (token and secret files, CA certificates, the database's directory),
 * as the user running the check can read them: run it as the service's user to see what the
 * service will see.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { checkConfigFile, type ConfigProblem, type FileCheckKit } from '@cedar-store/ports/config-check';
import { ConfigError, ControllerConfigSchema, readCaFile } from './controller-config.js';
import { NotifyTargetSchema, resolveNotifyTargets, targetName } from './notify-config.js';

export type ConfigCheck = { problems: ConfigProblem[] };

export function checkControllerConfig(path: string, env: NodeJS.ProcessEnv = process.env): Promise<ConfigCheck> {
  return checkConfigFile(path, ControllerConfigSchema, 'controller', (kit) => fileProblems(kit, env));
}

/** The files the configuration names, each checked as the controller reads it at start. */
async function fileProblems({ valueAt, pathAt, add, tokenFile }: FileCheckKit, env: NodeJS.ProcessEnv): Promise<void> {
  await tokenFile(['auth', 'tokenFile']);
  if (
    valueAt(['auth', 'tokenFile']) === undefined &&
    valueAt(['auth', 'token']) === undefined &&
    !env.CEDAR_STORE_TOKEN?.trim()
  ) {
    add(['auth'], 'no API token: set auth.token or auth.tokenFile (or CEDAR_STORE_TOKEN in the service environment)');
  }

  const agents = valueAt(['agents']);
  for (const index of (Array.isArray(agents) ? (agents as unknown[]) : []).keys()) {
    await tokenFile(['agents', index, 'tokenFile']);
    const caFile = pathAt(['agents', index, 'caFile']);
    if (caFile) {
      const id = valueAt(['agents', index, 'id']);
      await readCaFile(caFile, typeof id === 'string' ? id : String(index)).catch((error: unknown) => {
        if (!(error instanceof ConfigError)) throw error;
        add(['agents', index, 'caFile'], error.message);
      });
    }
  }

  const notify = valueAt(['notify']);
  for (const [index, raw] of (Array.isArray(notify) ? notify : []).entries()) {
    const target = NotifyTargetSchema.safeParse(raw);
    if (!target.success) continue; // its fields have problems of their own
    // One target at a time, under its own name, so each bad target is its own problem.
    await resolveNotifyTargets([{ ...target.data, name: targetName(target.data, index) }], (message) => {
      add(['notify', index], message);
      return new ConfigError(message);
    }).catch((error: unknown) => {
      if (!(error instanceof ConfigError)) throw error;
    });
  }

  const database = pathAt(['database']);
  const databaseProblem = database ? await databasePathProblem(database) : undefined;
  if (databaseProblem) add(['database'], databaseProblem);
}

/** SQLite writes the database and its -wal and -shm files in the database's directory. */
async function databasePathProblem(database: string): Promise<string | undefined> {
  const directory = dirname(database);
  const facts = await stat(directory).catch(() => undefined);
  if (!facts) return `its directory ${directory} does not exist: create it, owned by the controller's user`;
  if (!facts.isDirectory()) return `${directory} is not a directory`;
  const writable = await access(directory, constants.W_OK | constants.X_OK).then(
    () => true,
    () => false,
  );
  if (!writable)
    return `its directory ${directory} cannot be written by this user: the controller needs to write there`;
  const file = await stat(database).catch(() => undefined);
  if (file && !file.isFile()) return `${database} exists and is not a file`;
  return undefined;
}
