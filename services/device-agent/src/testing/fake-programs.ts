/**
 * Fake drive programs for adapter tests: no optical drive exists where the tests run, so each
 * fake logs its arguments and answers with output recorded from the real program. They are
 * `/bin/sh` scripts (a Node start per call would make every write test slow) and the only
 * programs on the search path, so one a test forgot is TOOL_MISSING, never the real program.
 */
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type FakeAnswer = {
  /** The answer applies when every one of these arguments is present; the first that applies wins. */
  when?: readonly string[];
  stdout?: string;
  stderr?: string;
  exitCode?: number;
  /** Creates the file named by the argument after `flag` (`mkisofs -o <image>`), `bytes` long. */
  createFileAfter?: { flag: string; bytes: number };
};

export type FakeCall = {
  program: string;
  args: string[];
  /** The absolute paths among the arguments that existed when the program ran. */
  existing: string[];
};

export type FakePrograms = {
  searchPath: string;
  calls(): Promise<FakeCall[]>;
  cleanup(): Promise<void>;
};

/** Separates logged fields; arguments holding it (or a newline) are not supported. */
const FIELD = '\x1f';

const quote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

/** The fakes run with the fake directory alone on PATH; their own `cat` and `head` come from the host's. */
const PRELUDE = String.raw`PATH=${quote(process.env.PATH ?? '/usr/bin:/bin')}
has() { want=$1; shift; for a in "$@"; do [ "$a" = "$want" ] && return 0; done; return 1; }
after() { flag=$1; shift; while [ $# -gt 1 ]; do [ "$1" = "$flag" ] && { printf '%s' "$2"; return 0; }; shift; done; return 1; }
record=$(for a in "$@"; do
  mark=' '
  case $a in /*) [ -e "$a" ] && mark=+ ;; esac
  printf '%s%s\037' "$mark" "$a"
done)`;

async function script(dir: string, program: string, log: string, answers: readonly FakeAnswer[]): Promise<string> {
  const lines = ['#!/bin/sh', PRELUDE, `printf '%s\\037%s\\n' ${quote(program)} "$record" >> ${quote(log)}`];
  for (const [index, answer] of answers.entries()) {
    const condition = (answer.when ?? []).map((arg) => `has ${quote(arg)} "$@"`).join(' && ') || 'true';
    lines.push(`if ${condition}; then`);
    if (answer.createFileAfter) {
      const { flag, bytes } = answer.createFileAfter;
      lines.push(`  target=$(after ${quote(flag)} "$@") && head -c ${bytes} /dev/zero > "$target"`);
    }
    for (const stream of ['stdout', 'stderr'] as const) {
      const text = answer[stream];
      if (text === undefined || text === '') continue;
      const file = join(dir, `${program}-${index}.${stream}`);
      await writeFile(file, text);
      lines.push(`  cat ${quote(file)}${stream === 'stderr' ? ' >&2' : ''}`);
    }
    lines.push(`  exit ${answer.exitCode ?? 0}`, 'fi');
  }
  lines.push('exit 0', '');
  return lines.join('\n');
}

function parseCall(line: string): FakeCall {
  const [program = '', ...fields] = line.split(FIELD);
  const logged = fields.filter((field) => field !== '');
  return {
    program,
    args: logged.map((field) => field.slice(1)),
    existing: logged.filter((field) => field.startsWith('+')).map((field) => field.slice(1)),
  };
}

export async function installFakePrograms(programs: Record<string, readonly FakeAnswer[]>): Promise<FakePrograms> {
  const dir = await mkdtemp(join(tmpdir(), 'cedar-fake-programs-'));
  const binDir = join(dir, 'bin');
  const log = join(dir, 'calls.log');
  await mkdir(binDir);
  await writeFile(log, '');
  for (const [program, answers] of Object.entries(programs)) {
    const path = join(binDir, program);
    await writeFile(path, await script(dir, program, log, answers));
    await chmod(path, 0o755);
  }
  return {
    searchPath: binDir,
    calls: async () => (await readFile(log, 'utf8')).split('\n').filter(Boolean).map(parseCall),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
