/**
 * The `cedar-store` program before any command: its global options, its output and exit
 * settings, and the exit status an action records. program.ts adds every command to it,
 * run-cli.ts only the group of the command being run.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import type { CommandContext } from './command-context.js';
import type { CliEnvironment } from './environment.js';
import { DEFAULT_URL } from './environment.js';
import { programHelp } from './help.js';
import { colourAllowed } from './terminal.js';

const exitCodes = new WeakMap<Command, number>();

/** The program with its global options and settings, and no command yet. */
export function createProgram(env: CliEnvironment): { program: Command; ctx: CommandContext } {
  const program = new Command('cedar-store');
  const ctx: CommandContext = { env, exit: (code) => exitCodes.set(program, code) };
  program
    .description(
      "Writes a backup host's daily staging directories to optical media or ISO images, and proves the disc " +
        'reads back identical. The client commands talk to the controller over its HTTP API.',
    )
    .usage('[--url URL] [--token-file FILE | --token TOKEN] <command> [options]')
    .version(packageVersion(), '-V, --version', 'print the version')
    .option('--url <url>', `the controller's address (env CEDAR_STORE_URL; default ${DEFAULT_URL})`)
    .option('--token <token>', "the controller's API token (env CEDAR_STORE_TOKEN; visible in ps: prefer a file)")
    .option(
      '--token-file <file>',
      "read the controller's API token from this file, which only its owner may read (env CEDAR_STORE_TOKEN_FILE)",
    )
    .configureOutput({
      writeOut: (text) => env.stdout.write(text),
      writeErr: (text) => env.stderr.write(text),
      getOutHasColors: () => colourAllowed(env.stdout, env.env),
      getErrHasColors: () => colourAllowed(env.stderr, env.env),
      getOutHelpWidth: () => env.stdout.columns ?? 100,
      getErrHelpWidth: () => env.stderr.columns ?? 100,
    })
    // Commander would call process.exit; runCli turns its errors into exit status 2 instead.
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', programHelp(env.invocation ?? 'cedar-store'));
  return { program, ctx };
}

/** The exit status the program's action recorded, if it recorded one. */
export function exitCodeOf(program: Command): number | undefined {
  return exitCodes.get(program);
}

function packageVersion(): string {
  try {
    // src/cli/ and dist/cli/ both sit two levels below the package root.
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
