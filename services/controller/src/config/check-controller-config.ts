/**
 * `cedar-store check-config controller.yaml`: everything the controller would refuse at start,
 * all at once and each with its line, without opening the database or reaching any agent:
 * the YAML, every field (a misspelt one with the name it probably meant), and the files the
 * configuration names (token and secret files, CA certificates, the database's directory),
 * as the user running the check can read them: run it as the service's user to see what the
 * service will see.
 */
import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { bearerTokenProblem } from '@cedar-store/ports';
import { readTokenFile, TokenFileError } from '@cedar-store/ports/auth';
import {
  parseConfigText,
  pathText,
  schemaProblems,
  sortProblems,
  type ConfigPath,
  type ConfigProblem,
  type ParsedConfigText,
} from '@cedar-store/ports/config-check';
import { ConfigError, ControllerConfigSchema, readCaFile, type ControllerConfigFile } from './controller-config.js';
import { resolveNotifyTargets, targetName } from './notify-config.js';

export type ConfigCheck = { problems: ConfigProblem[] };

export async function checkControllerConfig(path: string, env: NodeJS.ProcessEnv = process.env): Promise<ConfigCheck> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return { problems: [{ path: '(file)', message: `cannot read the controller configuration: ${code}` }] };
  }
  const parsed = parseConfigText(text);
  const { data, problems } = schemaProblems(ControllerConfigSchema, parsed);
  if (!data) return { problems };
  return { problems: sortProblems(await fileProblems(data, parsed, env)) };
}

/** The files a valid configuration names, each checked as the controller reads it at start. */
async function fileProblems(
  config: ControllerConfigFile,
  parsed: ParsedConfigText,
  env: NodeJS.ProcessEnv,
): Promise<ConfigProblem[]> {
  const problems: ConfigProblem[] = [];
  const add = (path: ConfigPath, message: string): void => {
    problems.push({ line: parsed.lineOf(path), path: pathText(path), message });
  };
  const tokenFile = async (path: ConfigPath, file: string): Promise<void> => {
    try {
      const problem = bearerTokenProblem(await readTokenFile(file));
      if (problem) add(path, `the token in ${file} ${problem}`);
    } catch (error) {
      if (!(error instanceof TokenFileError)) throw error;
      add(path, error.message);
    }
  };

  if (config.auth.tokenFile) await tokenFile(['auth', 'tokenFile'], config.auth.tokenFile);
  else if (!config.auth.token && !env.CEDAR_STORE_TOKEN?.trim()) {
    add(['auth'], 'no API token: set auth.token or auth.tokenFile (or CEDAR_STORE_TOKEN in the service environment)');
  }

  for (const [index, agent] of config.agents.entries()) {
    if (agent.tokenFile) await tokenFile(['agents', index, 'tokenFile'], agent.tokenFile);
    if (agent.caFile) {
      await readCaFile(agent.caFile, agent.id).catch((error: unknown) => {
        if (!(error instanceof ConfigError)) throw error;
        add(['agents', index, 'caFile'], error.message);
      });
    }
  }

  for (const [index, target] of config.notify.entries()) {
    // One target at a time, under its own name, so each bad target is its own problem.
    await resolveNotifyTargets([{ ...target, name: targetName(target, index) }], (message) => {
      add(['notify', index], message);
      return new ConfigError(message);
    }).catch((error: unknown) => {
      if (!(error instanceof ConfigError)) throw error;
    });
  }

  const databaseProblem = await databasePathProblem(config.database);
  if (databaseProblem) add(['database'], databaseProblem);
  return problems;
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
