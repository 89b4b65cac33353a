/**
 * The file globs of `cedar-store find` (docs/manifest-and-find.md): matched against a file's
 * path within its day (`docs/report.txt`, not `2026/11/25/docs/report.txt`).
 *
 * - `*` any run of characters within one path component (never `/`);
 * - `**` as a whole component: any number of components, none included (`**\/x`, `a/**`);
 * - `?` one character other than `/`;
 * - `[abc]`, `[a-z]`, `[!a-z]` one character of (or, with `!`, not of) the class;
 * - `\` takes the next character literally.
 * A glob without `/` matches a file's name in any directory, as if it began with `**\/`.
 */
import { InvalidRequestError, errorMessage } from './errors.js';

export const MAX_GLOB_LENGTH = 1024;
/** Wildcards in one glob: each is a backtracking point, so a long run of them could stall a search. */
const MAX_GLOB_WILDCARDS = 32;

export type FileGlob = {
  /** The glob as given. */
  text: string;
  /** Matches a whole path within a day. */
  regex: RegExp;
  /** The literal start every match has (for an index range); empty when the glob starts with a wildcard. */
  prefix: string;
};

export function parseGlob(text: string): FileGlob {
  if (text.length === 0) throw globError(text, 'it is empty');
  if (text.length > MAX_GLOB_LENGTH) throw globError(text, `it is longer than ${MAX_GLOB_LENGTH} characters`);
  if (text.includes('\0')) throw globError(text, 'it contains a NUL character');
  if (text.startsWith('/')) {
    throw globError(
      text,
      'it starts with "/": globs match the path within a day, e.g. "docs/*.txt" or "**/report.txt"',
    );
  }
  const anywhere = !text.includes('/');
  const source = anywhere ? `**/${text}` : text;
  const components = source.split('/');
  if (components.some((component) => component === ''))
    throw globError(text, 'it has an empty path component ("//" or a trailing "/")');
  let regex = '';
  let prefix = '';
  let literal = !anywhere;
  let wildcards = 0;
  components.forEach((component, index) => {
    const last = index === components.length - 1;
    if (component === '**') {
      wildcards += 1;
      literal = false;
      // Any number of whole components, each followed by "/" (or, last, anything at all).
      regex += last ? '.*' : '(?:[^/]+/)*';
      return;
    }
    if (component.includes('**')) throw globError(text, '"**" must be a whole path component, as in "a/**/b"');
    for (let i = 0; i < component.length; i += 1) {
      const char = component[i]!;
      if (char === '\\') {
        const next = component[i + 1];
        if (next === undefined) throw globError(text, 'it ends with a lone "\\"');
        regex += escapeRegex(next);
        if (literal) prefix += next;
        i += 1;
      } else if (char === '*') {
        wildcards += 1;
        literal = false;
        regex += '[^/]*';
      } else if (char === '?') {
        wildcards += 1;
        literal = false;
        regex += '[^/]';
      } else if (char === '[') {
        const end = component.indexOf(']', i + 2);
        if (end < 0) throw globError(text, `the "[" at character ${i + 1} of "${component}" has no closing "]"`);
        wildcards += 1;
        literal = false;
        regex += characterClass(text, component.slice(i + 1, end));
        i = end;
      } else {
        regex += escapeRegex(char);
        if (literal) prefix += char;
      }
    }
    if (!last) {
      regex += '/';
      if (literal) prefix += '/';
    }
  });
  if (wildcards > MAX_GLOB_WILDCARDS) throw globError(text, `it has more than ${MAX_GLOB_WILDCARDS} wildcards`);
  try {
    return { text, regex: new RegExp(`^${regex}$`, 'su'), prefix };
  } catch (error) {
    // A class the rules above let through but the engine refuses (e.g. "[\\w-a]").
    throw globError(text, errorMessage(error));
  }
}

function characterClass(text: string, body: string): string {
  const negated = body.startsWith('!');
  const members = negated ? body.slice(1) : body;
  if (members.length === 0) throw globError(text, 'it has an empty character class "[]"');
  let out = '';
  for (let i = 0; i < members.length; i += 1) {
    const char = members[i]!;
    if (char === '-' && i > 0 && i < members.length - 1) {
      const [from, to] = [members[i - 1]!, members[i + 1]!];
      if (from > to) throw globError(text, `the range "${from}-${to}" runs backwards`);
      out += '-';
    } else {
      out += char === '\\' || char === ']' || char === '^' || char === '[' ? `\\${char}` : char;
    }
  }
  // A class never matches "/": a glob's components are matched one by one.
  return negated ? `[^/${out}]` : `(?!/)[${out}]`;
}

function escapeRegex(char: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(char) ? `\\${char}` : char;
}

function globError(text: string, problem: string): InvalidRequestError {
  const shown = text.length > 80 ? `${text.slice(0, 80)}…` : text;
  return new InvalidRequestError(
    `the glob "${shown}" is not valid: ${problem}. ` +
      'Use * (within a name), ** (any directories), ? (one character) and [a-z] (a class).',
    { field: 'glob' },
  );
}
