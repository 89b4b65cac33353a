/**
 * The part of `check-config` both services share: read the file, parse the YAML, check every
 * field against the schema, then let the service check the files its configuration names,
 * also when some fields are wrong, so one run shows every problem, each with its line.
 */
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import {
  parseConfigText,
  schemaProblems,
  sortProblems,
  type ConfigProblem,
  type ParsedConfigText,
} from './yaml-problems.js';

/** The service's own checks of what the configuration names; `flagged` fields had a problem already. */
export type FileChecks = (
  value: unknown,
  parsed: ParsedConfigText,
  flagged: ReadonlySet<string>,
) => Promise<ConfigProblem[]>;

export async function checkConfigFile(
  path: string,
  schema: z.ZodType,
  what: 'controller' | 'agent',
  checkFiles: FileChecks,
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
  return { problems: sortProblems([...problems, ...(await checkFiles(parsed.value, parsed, flagged))]) };
}
