/**
 * The part of `check-config` both services share: read the file, parse the YAML, check every
 * field against the schema, then let the service check the files its configuration names,
 * also when some fields are wrong, so one run shows every problem, each with its line.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import type { z } from 'zod';
import { readTokenFile, TokenFileError } from '../auth/token-file.js';
import { bearerTokenProblem } from '../wire/primitives.js';
import {
  parseConfigText,
  pathText,
  schemaProblems,
  sortProblems,
  type ConfigPath,
  type ConfigProblem,
} from './yaml-problems.js';

/** What a service's own checks of the files its configuration names work with. */
export type FileCheckKit = {
  /** The value at `at` in the parsed configuration, whatever it is. */
  valueAt(at: ConfigPath): unknown;
  /** An absolute path at `at` whose field had no problem of its own, for its file check. */
  pathAt(at: ConfigPath): string | undefined;
  /** Records a problem of the field at `at`, with its line. */
  add(at: ConfigPath, message: string): void;
  /** Checks the token file named at `at` as the service reads it at start. */
  tokenFile(at: ConfigPath): Promise<void>;
};

export async function checkConfigFile(
  path: string,
  schema: z.ZodType,
  what: 'controller' | 'agent',
  checkFiles: (kit: FileCheckKit) => Promise<void>,
): Promise<{ problems: ConfigProblem[] }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return { problems: [{ path: '(file)', message: `cannot read the ${what} configuration: ${code}` }] };
  }
  const parsed = parseConfigText(text);
  if (parsed.problems.length > 0) return { problems: parsed.problems };
  const { problems } = schemaProblems(schema, parsed);
  // A field with a problem of its own is not checked again.
  const flagged = new Set(problems.map((problem) => problem.path));
  const found: ConfigProblem[] = [];
  const valueAt = (at: ConfigPath): unknown => at.reduce<unknown>((inner, key) => field(inner, key), parsed.value);
  const add = (at: ConfigPath, message: string): void => {
    found.push({ line: parsed.lineOf(at), path: pathText(at), message });
  };
  const pathAt = (at: ConfigPath): string | undefined => {
    const value = valueAt(at);
    return typeof value === 'string' && isAbsolute(value) && !flagged.has(pathText(at)) ? value : undefined;
  };
  const tokenFile = async (at: ConfigPath): Promise<void> => {
    const file = pathAt(at);
    if (!file) return;
    try {
      const problem = bearerTokenProblem(await readTokenFile(file));
      if (problem) add(at, `the token in ${file} ${problem}`);
    } catch (error) {
      if (!(error instanceof TokenFileError)) throw error;
      add(at, error.message);
    }
  };
  await checkFiles({ valueAt, pathAt, add, tokenFile });
  return { problems: sortProblems([...problems, ...found]) };
}

/** The member `key` of `value`, when `value` is an object or array. */
function field(value: unknown, key: string | number): unknown {
  return value !== null && typeof value === 'object' ? (value as Record<string | number, unknown>)[key] : undefined;
}
