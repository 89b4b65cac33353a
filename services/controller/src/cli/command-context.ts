/** What every command's action gets: the environment, and a way to report its exit status. */
import type { CliEnvironment } from './environment.js';

/** The flags that shape a command's output. */
export type OutputFlags = { json?: boolean; quiet?: boolean };

export type CommandContext = {
  env: CliEnvironment;
  /** Records the exit status `runCli` returns once the action has ended. */
  exit(code: number): void;
};

/** One line to stdout: the command's result (a table, a summary, JSON). */
export function printResult(ctx: CommandContext, text: string): void {
  ctx.env.stdout.write(`${text}\n`);
}

/** One line to stderr: what a user should know but a script reading stdout should not parse. */
export function printNote(ctx: CommandContext, text: string): void {
  ctx.env.stderr.write(`${text}\n`);
}

/** `--json` output: one document per line, so appending to a log gives JSON Lines. */
export function printJson(ctx: CommandContext, value: unknown): void {
  printResult(ctx, JSON.stringify(value));
}
