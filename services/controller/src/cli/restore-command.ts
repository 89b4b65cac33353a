/**
 * `cedar-store restore` (docs/restoring.md): queue a restore run of one day from the disc the
 * catalog names into a target directory under the agent's restoreRoot, follow it like a store,
 * and print where the files went and what could be checked. The run's own summary words are in
 * `@cedar-store/ports/words` (restore-summary.ts).
 */
import { restoreTargetProblem } from '@cedar-store/domain/restore-target';
import { type Command, InvalidArgumentError } from 'commander';
import { actionCommand, submit, withOutputOptions, type ActionFlags } from './action-commands.js';
import { parseDay } from './arguments.js';
import type { CommandContext } from './command-context.js';
import { clientCommandHelp } from './help.js';

/** Globs in one restore (the API's limit). */
const MAX_PATHS = 32;

type RestoreFlags = ActionFlags & { day: string; path?: string[]; to: string; force?: boolean };

export function registerRestoreCommand(program: Command, ctx: CommandContext): void {
  withOutputOptions(
    actionCommand(
      program,
      'restore',
      'restore a day from its disc into a directory on the agent host',
      'Restores one day from the disc in the drive into <restoreRoot>/NAME/YYYY/MM/DD on the agent host, after ' +
        'checking that the drive holds the disc the catalog says holds the day (WRONG_DISC otherwise, nothing ' +
        "written), and checks every restored file against the manifest's SHA-256. Without --device, the only " +
        'configured device is used; with several, name one.',
    )
      .requiredOption('--day <YYYY-MM-DD>', 'the day to restore', parseDay)
      .option(
        '--path <glob>',
        'restore only the files within the day this glob matches; repeat it for more',
        collectGlob,
      )
      .requiredOption('--to <name>', "the target: one directory name under the agent's restoreRoot", parseTarget)
      .option('--force', 'restore into a target that is not empty, replacing files and symlinks of the same name'),
  )
    .addHelpText(
      'after',
      clientCommandHelp(
        [
          'cedar-store restore --day 2026-11-25 --to nov25',
          "cedar-store restore --day 2026-11-25 --path 'docs/**' --path '*.conf' --to nov25-docs",
          'cedar-store restore --day 2026-11-25 --to nov25 --force --device burner-1/dvd0 --json',
        ],
        { waits: true },
      ),
    )
    .action((flags: RestoreFlags, command: Command) =>
      submit(ctx, command, flags, {
        action: 'restore',
        device: flags.device,
        day: flags.day,
        paths: flags.path,
        target: flags.to,
        force: flags.force,
      }),
    );
}

function parseTarget(value: string): string {
  const problem = restoreTargetProblem(value);
  if (problem) throw new InvalidArgumentError(`the target "${value}" ${problem}: give one plain directory name.`);
  return value;
}

function collectGlob(value: string, previous: string[] | undefined): string[] {
  if (value.length === 0 || value.length > 1024)
    throw new InvalidArgumentError('a --path glob takes 1 to 1024 characters.');
  const globs = [...(previous ?? []), value];
  if (globs.length > MAX_PATHS) throw new InvalidArgumentError(`at most ${MAX_PATHS} --path globs per restore.`);
  return globs;
}
