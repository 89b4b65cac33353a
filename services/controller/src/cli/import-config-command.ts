/**
 * `import-config`: turns the reference tool's cback.conf into agent.yaml and controller.yaml.
 * It talks to no controller, so it needs neither --url nor a token, and it loads the XML
 * parser only when it runs, so `cedar-store --help` and cron's client commands stay fast.
 */
import { hostname } from 'node:os';
import type { Command } from 'commander';
import type { CommandContext } from './command-context.js';
import { printNote, printResult } from './command-context.js';
import { EXIT, UsageError } from './exit-codes.js';
import { examples } from './help.js';

type ImportFlags = { outDir: string; force?: boolean; agentId?: string };

const IMPORT_HELP = `
Reads <options> (starting_day, working_dir, backup_user, backup_group), <stage>
(staging_dir) and <store> (source_dir, media_type, device_type, target_device,
target_scsi_id, drive_speed, check_data, check_media, warn_midnite, no_eject,
refresh_media_delay, eject_delay, blank_behavior) and, when present, the capacity
extension's <capacity>. Other sections (<reference>, <extensions>, <collect>, <purge>,
<peers>…) are left out with a note. An element it cannot carry over exactly (an unknown
media or device type, a speed that is not a whole number, a flag other than Y or N, a
missing <store>) stops it with the element, its value and what to do: nothing is written.

Exit codes:
  0  both files written
  2  the file cannot be imported as it stands, or a file exists and --force was not given`;

export function registerImportConfigCommand(program: Command, ctx: CommandContext): void {
  program
    .command('import-config')
    .summary("write agent.yaml and controller.yaml from the reference tool's cback.conf")
    .description(
      'Reads an existing Cedar Backup configuration (cback.conf) and writes the equivalent agent.yaml and ' +
        'controller.yaml, commented, into --out-dir. Both files are written or neither; existing files are ' +
        'kept unless --force is given.',
    )
    .argument('<cback.conf>', 'the Cedar Backup XML configuration, e.g. /etc/cback.conf')
    .option('--out-dir <dir>', 'where to write agent.yaml and controller.yaml', '.')
    .option('--force', 'replace agent.yaml and controller.yaml if they exist')
    .option('--agent-id <id>', "the agent's name in both files (default: this host's name)")
    .addHelpText(
      'after',
      `${IMPORT_HELP}\n${examples([
        'cedar-store import-config /etc/cback.conf --out-dir /tmp/cedar-store-config',
        'cedar-store import-config /etc/cback.conf --out-dir /etc/cedar-store --agent-id burner-1 --force',
      ])}`,
    )
    .action(async (cbackConf: string, flags: ImportFlags) => {
      const { importConfig, MigrationError } = await import('../migrate/import-config.js');
      let outcome;
      try {
        outcome = await importConfig({
          cbackConf,
          outDir: flags.outDir,
          force: flags.force === true,
          agentId: flags.agentId ?? defaultAgentId(),
        });
      } catch (error) {
        if (error instanceof MigrationError) throw new UsageError(`import-config: ${error.message}`);
        throw error;
      }
      printResult(ctx, outcome.written.map((path) => `wrote ${path}`).join('\n'));
      if (outcome.notes.length > 0) {
        printResult(ctx, `\nNotes:\n${outcome.notes.map((note) => `  - ${note}`).join('\n')}`);
      }
      printResult(ctx, `\nNext:\n${outcome.nextSteps.map((step) => `  ${step}`).join('\n')}`);
      if (flags.agentId === undefined) {
        printNote(ctx, `the agent is named "${outcome.agentConfig.agentId}" (this host); --agent-id chooses another`);
      }
      ctx.exit(EXIT.ok);
    });
}

/** This host's short name as an agent id (letters, digits, ".", "_", "-"), or burner-1. */
function defaultAgentId(): string {
  const name = (hostname().split('.')[0] ?? '').replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return name.slice(0, 64) || 'burner-1';
}
