/**
 * Running the `cedar-store` command line: the program with its global options, and the exit
 * status each way it can end. `runCli` never exits the process; it returns the exit status,
 * so the bin decides and tests run it in memory.
 *
 * Only the modules of the command being run load: `cedar-store store`, which cron starts every
 * night, registers the action commands alone, and pays for nothing else before it sends its
 * request. A command line whose command is not plain to see (help, completion, an unknown
 * command, an option before the command that is not the program's) gets the whole program
 * (program.ts), so commander answers it exactly as it always has.
 */
import { CommanderError, type Command, type Option } from 'commander';
import type { CommandContext } from './command-context.js';
import type { CliEnvironment } from './environment.js';
import { ApiError, CliError, EXIT } from './exit-codes.js';
import { createProgram, exitCodeOf } from './program-base.js';

type Register = (program: Command, ctx: CommandContext) => void;

const actions = async (): Promise<Register> => (await import('./action-commands.js')).registerActionCommands;
const queries = async (): Promise<Register> => (await import('./query-commands.js')).registerQueryCommands;
const manifests = async (): Promise<Register> => (await import('./manifest-commands.js')).registerManifestCommands;
const servers = async (): Promise<Register> => (await import('./server-commands.js')).registerServerCommands;

/**
 * The commands that can run with their own group registered alone, and that group. Left out:
 * `completion`, which describes every command, and `help`. A command missing here still
 * works: it gets the whole program.
 */
export const COMMAND_GROUPS: Readonly<Record<string, () => Promise<Register>>> = {
  store: actions,
  rebuild: actions,
  initialize: actions,
  verify: actions,
  runs: queries,
  media: queries,
  devices: queries,
  cancel: queries,
  manifest: manifests,
  find: manifests,
  restore: async () => (await import('./restore-command.js')).registerRestoreCommand,
  audit: async () => (await import('./audit-command.js')).registerAuditCommand,
  controller: servers,
  local: servers,
  'import-config': async () => (await import('./import-config-command.js')).registerImportConfigCommand,
  'check-config': async () => (await import('./check-config-command.js')).registerCheckConfigCommand,
};

/** The program `argv` needs: its command's group alone when the command is plain to see, else every command. */
export async function programFor(argv: string[], env: CliEnvironment): Promise<Command> {
  const { program, ctx } = createProgram(env);
  // `--version` first: commander prints the version as it reads that option, before any command counts.
  if (program.options.some((option) => option.attributeName() === 'version' && isFlagOf(option, argv[0]))) {
    return program;
  }
  const name = commandName(argv, program);
  const group = name !== undefined && Object.hasOwn(COMMAND_GROUPS, name) ? COMMAND_GROUPS[name] : undefined;
  // Subcommands inherit the output and exit settings of createProgram, so they come after them.
  if (group) (await group())(program, ctx);
  else (await import('./program.js')).registerAllCommands(program, ctx);
  return program;
}

/**
 * The command `argv` names when only the program's options that take a value (`--url URL`,
 * `--url=URL`) come before it, read as commander reads them; undefined for anything else
 * (another option, `--`, no command), which the whole program then answers.
 */
function commandName(argv: string[], program: Command): string | undefined {
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index]!;
    if (arg.length < 2 || !arg.startsWith('-')) return arg;
    const option = program.options.find(
      (candidate) =>
        candidate.required && (isFlagOf(candidate, arg) || (candidate.long && arg.startsWith(`${candidate.long}=`))),
    );
    if (!option) return undefined;
    if (isFlagOf(option, arg)) index += 1;
  }
  return undefined;
}

function isFlagOf(option: Option, arg: string | undefined): boolean {
  return arg !== undefined && (arg === option.long || arg === option.short);
}

/** Runs the CLI on `argv` (the user's arguments: `process.argv.slice(2)`); resolves with the exit status. */
export async function runCli(argv: string[], env: CliEnvironment): Promise<number> {
  const program = await programFor(argv, env);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCodeOf(program) ?? EXIT.ok;
  } catch (error) {
    const code = reportError(error, env);
    if (code !== EXIT.ok && wantsJson(argv)) await printJsonError(error, env);
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
async function printJsonError(error: unknown, env: CliEnvironment): Promise<void> {
  // The advice loads with the error that needs it, not with every command.
  const { adviceFor } = await import('../advice/error-advice.js');
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
