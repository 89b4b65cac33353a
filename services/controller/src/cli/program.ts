/**
 * The `cedar-store` command line (docs/cli.md): client commands that drive the controller
 * over its HTTP API, the two commands that run servers, and import-config, which turns the
 * reference tool's configuration into cedar-store's. This is the whole program, every
 * command registered; run-cli.ts runs it (or, for a command it can tell, that command's group
 * alone) and is where `runCli` comes from.
 */
import type { Command } from 'commander';
import { registerActionCommands } from './action-commands.js';
import { registerAuditCommand } from './audit-command.js';
import { registerCheckConfigCommand } from './check-config-command.js';
import { registerCompletionCommand } from './completion.js';
import type { CommandContext } from './command-context.js';
import type { CliEnvironment } from './environment.js';
import { registerImportConfigCommand } from './import-config-command.js';
import { registerManifestCommands } from './manifest-commands.js';
import { registerQueryCommands } from './query-commands.js';
import { registerRestoreCommand } from './restore-command.js';
import { createProgram } from './program-base.js';
import { registerServerCommands } from './server-commands.js';

export type { CliEnvironment, OutputStream, ServerCommands } from './environment.js';
export { EXIT } from './exit-codes.js';

export function buildProgram(env: CliEnvironment): Command {
  const { program, ctx } = createProgram(env);
  registerAllCommands(program, ctx);
  return program;
}

/** Every command, in the order the program's help lists them. */
export function registerAllCommands(program: Command, ctx: CommandContext): void {
  // Subcommands inherit the output and exit settings of createProgram, so they must come after them.
  registerActionCommands(program, ctx);
  registerQueryCommands(program, ctx);
  registerManifestCommands(program, ctx);
  registerRestoreCommand(program, ctx);
  registerAuditCommand(program, ctx);
  registerServerCommands(program, ctx);
  registerImportConfigCommand(program, ctx);
  registerCheckConfigCommand(program, ctx);
  registerCompletionCommand(program, ctx);
}
