/**
 * The `cedar-store` command line (docs/cli.md): client commands that drive the controller
 * over its HTTP API, the two commands that run servers, and import-config, which turns the
 * reference tool's configuration into cedar-store's. `runCli` never exits the
 * process; it returns the exit status, so the bin decides and tests run it in memory.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { adviceFor } from '../advice/error-advice.js';
import { registerActionCommands } from './action-commands.js';
import { registerAuditCommand } from './audit-command.js';
import { registerCheckConfigCommand } from './check-config-command.js';
import { registerCompletionCommand } from './completion.js';
import type { CommandContext } from './command-context.js';
import type { CliEnvironment } from './environment.js';
import { DEFAULT_URL } from './environment.js';
import { ApiError, CliError, EXIT } from './exit-codes.js';
import { programHelp } from './help.js';
import { registerImportConfigCommand } from './import-config-command.js';
import { registerManifestCommands } from './manifest-commands.js';
import { registerQueryCommands } from './query-commands.js';
import { registerRestoreCommand } from './restore-command.js';
import { registerServerCommands } from './server-commands.js';
import { colourAllowed } from './terminal.js';

export type { CliEnvironment, OutputStream, ServerCommands } from './environment.js';
export { EXIT } from './exit-codes.js';

const exitCodes = new WeakMap<Command, number>();

export function buildProgram(env: CliEnvironment): Command {
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
  // Subcommands inherit the output and exit settings above, so they must come after them.
  registerActionCommands(program, ctx);
  registerQueryCommands(program, ctx);
  registerManifestCommands(program, ctx);
  registerRestoreCommand(program, ctx);
  registerAuditCommand(program, ctx);
  registerServerCommands(program, ctx);
  registerImportConfigCommand(program, ctx);
  registerCheckConfigCommand(program, ctx);
  registerCompletionCommand(program, ctx);
  return program;
}

/** Runs the CLI on `argv` (the user's arguments: `process.argv.slice(2)`); resolves with the exit status. */
export async function runCli(argv: string[], env: CliEnvironment): Promise<number> {
  const program = buildProgram(env);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCodes.get(program) ?? EXIT.ok;
  } catch (error) {
    const code = reportError(error, env);
    if (code !== EXIT.ok && wantsJson(argv)) printJsonError(error, env);
    return code;
  }
}

function reportError(error: unknown, env: CliEnvironment): number {
  // Commander has already printed its message (unknown option, missing argument…) or the help.
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (error instanceof ApiError) {
    env.stderr.write(`${error.code}: ${error.apiMessage}\n`);
    return error.exitCode;
  }
  if (error instanceof CliError) {
    env.stderr.write(`error: ${error.message}\n`);
    return error.exitCode;
  }
  env.stderr.write(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return EXIT.runFailed;
}

/** `--json` anywhere among the options (not after `--`): a script reads the error on stdout too. */
function wantsJson(argv: string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}

/**
 * With --json, an error that is not a finished run (a usage error, an unreachable controller,
 * a refused request) is one JSON line on stdout, as well as its line on stderr and the exit
 * status: `{"error":{"code","message","advice"}}`.
 */
function printJsonError(error: unknown, env: CliEnvironment): void {
  const code = error instanceof CommanderError ? 'USAGE' : error instanceof CliError ? error.code : 'CLI_FAILED';
  const message =
    error instanceof ApiError
      ? error.apiMessage
      : error instanceof Error
        ? error.message.replace(/^error: /, '')
        : String(error);
  const advice = adviceFor(code) ?? adviceFor('CLI_FAILED')!;
  env.stdout.write(`${JSON.stringify({ error: { code, message, advice } })}\n`);
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
