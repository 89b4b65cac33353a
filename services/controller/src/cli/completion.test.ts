/**
 * `cedar-store completion`: the scripts loaded by the real shells, completing what the
 * program takes (the list comes from the program, so a new command is covered as it lands).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from './program.js';
import { cli, MemoryStream } from './testing/fake-controller.js';

const run = promisify(execFile);
let dir: string;
const scripts: Record<string, string> = {};

/** The program's commands as a user sees them in --help. */
const COMMANDS = buildProgram({
  stdout: new MemoryStream(),
  stderr: new MemoryStream(),
  env: {},
  serverCommands: { controller: async () => 0, local: async () => 0 },
}).commands.map((command) => command.name());

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cedar-completion-'));
  for (const shell of ['bash', 'zsh', 'fish']) {
    const result = await cli(['completion', shell]);
    expect(result.code).toBe(0);
    scripts[shell] = join(dir, `cedar-store.${shell}`);
    await writeFile(scripts[shell], result.stdout);
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** What bash completes for `line` (the cursor at its end), with the script sourced as a user does. */
async function bashComplete(line: string): Promise<string[]> {
  const script = `
    source "$1"
    complete -p cedar-store
    read -ra COMP_WORDS <<< "$2"
    [[ "$2" == *' ' ]] && COMP_WORDS+=('')
    COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 ))
    COMP_LINE=$2
    COMP_POINT=\${#COMP_LINE}
    "$(complete -p cedar-store | sed -E 's/.* -F ([^ ]+) .*/\\1/')" cedar-store "\${COMP_WORDS[COMP_CWORD]}" "\${COMP_WORDS[COMP_CWORD-1]}"
    printf '%s\\n' "\${COMPREPLY[@]}"
  `;
  const { stdout } = await run('bash', ['--norc', '--noprofile', '-c', script, 'bash', scripts.bash!, line]);
  const [registration, ...words] = stdout.trimEnd().split('\n');
  expect(registration).toBe('complete -o default -F _cedar_store cedar-store');
  return words.filter((word) => word !== '');
}

describe('bash', () => {
  it('completes "cedar-store st" to store', async () => {
    expect(await bashComplete('cedar-store st')).toEqual(['store']);
  });

  it('offers every command, then the options of the command typed, also after global options', async () => {
    expect((await bashComplete('cedar-store ')).sort()).toEqual([...COMMANDS].sort());
    expect(await bashComplete('cedar-store store --de')).toEqual(['--device']);
    expect(await bashComplete('cedar-store --url http://127.0.0.1:7700 --token-file /x ver')).toEqual(['verify']);
    expect(await bashComplete('cedar-store completion ')).toEqual(['bash', 'zsh', 'fish']);
    expect(await bashComplete('cedar-store check-config --j')).toEqual(['--json']);
    expect(await bashComplete('cedar-store --token-')).toEqual(['--token-file']);
  });

  it('leaves the value of an option to the shell (file names)', async () => {
    expect(await bashComplete('cedar-store --token-file ')).toEqual([]);
  });
});

describe('fish and zsh', () => {
  it('fish completes "cedar-store st" to store, and the options of a command', async () => {
    const complete = async (line: string): Promise<string[]> => {
      const { stdout } = await run('fish', [
        '--no-config',
        '-c',
        `source $argv[1]; complete -C '${line}'`,
        scripts.fish!,
      ]);
      return stdout
        .trimEnd()
        .split('\n')
        .map((entry) => entry.split('\t')[0]!);
    };
    expect(await complete('cedar-store st')).toEqual(['store']);
    expect(await complete('cedar-store store --fu')).toEqual(['--full']);
    expect((await complete('cedar-store ')).filter((word) => !word.startsWith('-')).sort()).toEqual(
      [...COMMANDS].sort(),
    );
  });

  it('zsh loads the script and registers its completion function for cedar-store', async () => {
    const { stdout } = await run('zsh', [
      '-f',
      '-c',
      'autoload -Uz compinit && compinit -u -D && source "$1" && print -r -- $_comps[cedar-store]',
      'zsh',
      scripts.zsh!,
    ]);
    expect(stdout.trim()).toBe('_cedar_store');
    const script = await cli(['completion', 'zsh']);
    for (const command of COMMANDS) expect(script.stdout).toMatch(new RegExp(`^ {4}'${command}:`, 'm'));
  });
});

it('an unknown shell is a usage error naming the three', async () => {
  const result = await cli(['completion', 'tcsh']);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('Allowed choices are bash, zsh, fish');
});
