/**
 * run-cli.ts registers only the group of the command being run (so `cedar-store store` from
 * cron loads none of the other commands): a user must not be able to tell. Each command
 * reads and helps as in the whole program; anything the fast path cannot tell for sure gets
 * the whole program.
 */
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import type { CliEnvironment } from './environment.js';
import { buildProgram } from './program.js';
import { COMMAND_GROUPS, programFor } from './run-cli.js';
import { cli, fake, MemoryStream, TOKEN } from './testing/fake-controller.js';

function environment(): CliEnvironment & { stdout: MemoryStream } {
  return {
    stdout: new MemoryStream(),
    stderr: new MemoryStream(),
    env: {},
    invocation: '/usr/local/bin/cedar-store',
    serverCommands: { controller: async () => 0, local: async () => 0 },
  };
}

/** A command's --help as a user sees it (the text after its options included). */
function helpOf(program: Command, name: string, env: CliEnvironment & { stdout: MemoryStream }): string {
  const command = program.commands.find((candidate) => candidate.name() === name);
  if (!command) throw new Error(`no command ${name}`);
  command.outputHelp();
  return env.stdout.text;
}

const WHOLE = buildProgram(environment())
  .commands.map((command) => command.name())
  .filter((name) => name !== 'completion');

describe('a command run with its group alone', () => {
  it('every command but completion has a group', () => {
    expect(Object.keys(COMMAND_GROUPS).sort()).toEqual([...WHOLE].sort());
  });

  it.each(WHOLE)('%s helps exactly as in the whole program', async (name) => {
    const wholeEnv = environment();
    const aloneEnv = environment();
    const alone = await programFor([name, '--help'], aloneEnv);
    expect(alone.commands.map((command) => command.name())).not.toContain('completion');
    expect(helpOf(alone, name, aloneEnv)).toBe(helpOf(buildProgram(wholeEnv), name, wholeEnv));
  });

  it.each([
    [['--url', 'http://127.0.0.1:7700', 'store']],
    [['--url=http://127.0.0.1:7700', '--token', 'x', 'store']],
    [['--token-file', '/etc/cedar-store/api.token', 'runs']],
  ])('the program options before the command are read as commander reads them: %j', async (argv) => {
    const program = await programFor(argv, environment());
    expect(program.commands.map((command) => command.name())).not.toContain('completion');
    expect(program.commands.map((command) => command.name())).toContain(argv.at(-1));
  });

  it.each([
    [['--help']],
    [['help', 'store']],
    [['--bogus', 'store']],
    [['--url', 'store']],
    [['--', 'store']],
    [['stor']],
    [['completion', 'bash']],
    [[]],
  ])('%j gets the whole program', async (argv) => {
    const program = await programFor(argv, environment());
    expect(program.commands.map((command) => command.name())).toEqual(
      buildProgram(environment()).commands.map((command) => command.name()),
    );
  });

  it('a mistyped command is still told the command it may mean', async () => {
    const result = await cli(['stor']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'stor'");
    expect(result.stderr).toContain('(Did you mean store?)');
  });

  it('the global options given before the command reach the controller', async () => {
    const server = await fake();
    const result = await cli(['--url', server.url, `--token=${TOKEN}`, 'devices', '--json']);
    expect(result.code).toBe(0);
    expect(server.requests.length).toBeGreaterThan(0);
  });

  it('--version prints the version whatever follows it', async () => {
    const result = await cli(['--version', 'store', '--bogus']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
