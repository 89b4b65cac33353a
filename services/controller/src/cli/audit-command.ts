/**
 * `cedar-store audit` (docs/auditing.md): queue an audit run of the disc in the drive, follow it
 * like a store, and print the disc, what was read and the verdict; exit 1 when the audit failed.
 * The run's own summary words are in `@cedar-store/ports/words` (audit-summary.ts).
 */
import type { Command } from 'commander';
import { actionCommand, submit, withOutputOptions, type ActionFlags } from './action-commands.js';
import type { CommandContext } from './command-context.js';
import { clientCommandHelp } from './help.js';

export function registerAuditCommand(program: Command, ctx: CommandContext): void {
  withOutputOptions(
    actionCommand(
      program,
      'audit',
      "read every file of the disc in the drive and check it against the catalog's manifest",
      'Reads and hashes every file of the disc in the drive, finds the disc its label names in the catalog, and ' +
        "compares the files with the disc's manifest: missing, extra, differing and unreadable files fail the " +
        "audit, as does a mismatch in xorriso's MD5 check. The verdict is kept in the catalog. Nothing on the " +
        'disc changes. Without --device, the only configured device is used; with several, name one.',
    ),
  )
    .addHelpText(
      'after',
      clientCommandHelp(['cedar-store audit', 'cedar-store audit --device burner-1/dvd0 --json'], { waits: true }),
    )
    .action((flags: ActionFlags, command: Command) =>
      submit(ctx, command, flags, { action: 'audit', device: flags.device }),
    );
}
