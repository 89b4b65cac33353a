/**
 * A configuration file checked the way `check-config` reports it: every problem at once, each
 * with the line of the YAML it is about, and a "did you mean" for a misspelt field. Both
 * services' configurations go through it (controller.yaml, agent.yaml); it loads only `yaml`,
 * so a command that merely checks a file stays light.
 */
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { didYouMean } from './did-you-mean.js';

export type ConfigPath = ReadonlyArray<string | number>;

/** One thing wrong in a configuration file; `line` is 1-based, absent when no line holds it (an unreadable file). */
export type ConfigProblem = { line?: number; path: string; message: string };

export type ParsedConfigText = {
  /** The document as plain data (what a schema validates); undefined when the YAML is broken. */
  value: unknown;
  /** Broken YAML (bad indentation, a duplicate key…), each with its line. */
  problems: ConfigProblem[];
  /** The line of the field at `path`, or of its nearest ancestor in the file when it is missing. */
  lineOf(path: ConfigPath): number | undefined;
  /** The line of the key itself (`path`'s last element), for a field that should not be there. */
  keyLineOf(path: ConfigPath): number | undefined;
};

export function parseConfigText(text: string): ParsedConfigText {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const line = (offset: number): number => lineCounter.linePos(offset).line;
  // One mistake often breaks the parse several ways on its line: the first says it best.
  const problems: ConfigProblem[] = [];
  for (const error of document.errors) {
    const at = line(error.pos[0]);
    if (problems.some((problem) => problem.line === at)) continue;
    problems.push({ line: at, path: '(yaml)', message: firstLine(error.message) });
  }
  const lineOf = (path: ConfigPath): number | undefined => {
    for (let depth = path.length; depth >= 0; depth -= 1) {
      const node = nodeAt(document, path.slice(0, depth));
      if (node?.range) return line(node.range[0]);
    }
    return undefined;
  };
  const keyLineOf = (path: ConfigPath): number | undefined => {
    const parent = nodeAt(document, path.slice(0, -1));
    const key = path.at(-1);
    if (isMap(parent)) {
      const pair = parent.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === key);
      const keyNode = pair?.key as Node | undefined;
      if (keyNode?.range) return line(keyNode.range[0]);
    }
    return lineOf(path);
  };
  return { value: problems.length > 0 ? undefined : document.toJS(), problems, lineOf, keyLineOf };
}

function nodeAt(document: Document, path: ConfigPath): Node | undefined {
  if (path.length === 0) return (document.contents as Node | null) ?? undefined;
  const node = document.getIn(path, true) as unknown;
  return node && typeof node === 'object' && 'range' in node ? (node as Node) : undefined;
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}

/** `agents.0.tokenFile`, the way the services' own messages name a field. */
export function pathText(path: ConfigPath): string {
  return path.length === 0 ? '(top level)' : path.join('.');
}

/**
 * Validates a parsed file against its schema and turns every issue into a problem with its
 * line; an unknown field gets one problem of its own, on its own line, with the field the
 * user probably meant.
 */
export function schemaProblems<Schema extends z.ZodType>(
  schema: Schema,
  parsed: ParsedConfigText,
): { data?: z.output<Schema>; problems: ConfigProblem[] } {
  // What broken YAML would parse to is not what the user wrote: judging it would only add noise.
  if (parsed.problems.length > 0) return { problems: parsed.problems };
  const result = schema.safeParse(parsed.value);
  if (result.success) return { data: result.data, problems: [] };
  const problems: ConfigProblem[] = [];
  for (const issue of result.error.issues) {
    const path = issue.path.filter((part): part is string | number => typeof part !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const known = keysAt(schema, path);
      for (const key of issue.keys) {
        const guess = didYouMean(key, known);
        problems.push({
          line: parsed.keyLineOf([...path, key]),
          path: pathText([...path, key]),
          message: `unknown field${guess ? `; did you mean ${guess}?` : known.length > 0 ? ` (known here: ${known.join(', ')})` : ''}`,
        });
      }
      continue;
    }
    problems.push({ line: parsed.lineOf(path), path: pathText(path), message: issue.message });
  }
  return { problems: sortProblems(problems) };
}

/** In the order of the file; problems without a line first. */
export function sortProblems(problems: ConfigProblem[]): ConfigProblem[] {
  return [...problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

/** `controller.yaml:12: agents.0.tokenFile: …`, as compilers and linters print a problem. */
export function formatProblem(file: string, problem: ConfigProblem): string {
  return `${file}${problem.line === undefined ? '' : `:${problem.line}`}: ${problem.path}: ${problem.message}`;
}

/** What a check prints: each problem on its line, then `FILE: OK` or `FILE: N problems`. */
export function formatReport(file: string, problems: readonly ConfigProblem[]): string {
  const summary =
    problems.length === 0 ? `${file}: OK` : `${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}`;
  return [...problems.map((problem) => formatProblem(file, problem)), summary].join('\n');
}

type Def = {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
  left?: z.ZodType;
  right?: z.ZodType;
  getter?: () => z.ZodType;
};

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The object schemas `schema` may be, seen through optional, default, pipe, union… */
function objectsOf(schema: z.ZodType, depth = 0): Def[] {
  if (depth > 20) return [];
  const def = defOf(schema);
  const inner = def.innerType ?? (def.type === 'pipe' ? def.in : undefined) ?? def.getter?.();
  if (inner) return objectsOf(inner, depth + 1);
  if (def.type === 'object') return [def];
  if (def.type === 'union') return (def.options ?? []).flatMap((option) => objectsOf(option, depth + 1));
  if (def.type === 'intersection')
    return [def.left, def.right].flatMap((side) => (side ? objectsOf(side, depth + 1) : []));
  return [];
}

/** The schemas a value at `path` is checked against. */
function schemasAt(schema: z.ZodType, path: ConfigPath): z.ZodType[] {
  let current: z.ZodType[] = [schema];
  for (const part of path) {
    current = current.flatMap((candidate) => {
      const seen = unwrap(candidate);
      return seen.flatMap((one) => {
        const def = defOf(one);
        if (def.type === 'object' && typeof part === 'string' && def.shape?.[part]) return [def.shape[part]];
        if (def.type === 'array' && typeof part === 'number' && def.element) return [def.element];
        if (def.type === 'record' && def.valueType) return [def.valueType];
        return [];
      });
    });
  }
  return current;
}

function unwrap(schema: z.ZodType, depth = 0): z.ZodType[] {
  if (depth > 20) return [schema];
  const def = defOf(schema);
  const inner = def.innerType ?? (def.type === 'pipe' ? def.in : undefined) ?? def.getter?.();
  if (inner) return unwrap(inner, depth + 1);
  if (def.type === 'union') return (def.options ?? []).flatMap((option) => unwrap(option, depth + 1));
  return [schema];
}

/** The field names an object at `path` may have. */
export function keysAt(schema: z.ZodType, path: ConfigPath): string[] {
  const keys = new Set<string>();
  for (const at of schemasAt(schema, path)) {
    for (const object of objectsOf(at)) for (const key of Object.keys(object.shape ?? {})) keys.add(key);
  }
  return [...keys];
}
