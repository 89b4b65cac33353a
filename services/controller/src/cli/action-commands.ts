/**
 * `store`, `rebuild`, `initialize` and `verify`: queue a run, then (unless --no-wait)
 * follow it to its end and report it. One flow for all four, so they wait, print and exit
 * alike.
 */
import type { Command } from 'commander';
import type { RunRequest } from './api-client.js';
import { collectDays, parseDay, parseDevice } from './arguments.js';
import type { CommandContext, OutputFlags } from './command-context.js';
import { printJson, printNote, printResult } from './command-context.js';
import { connect } from './environment.js';
import { EXIT } from './exit-codes.js';
import { clientCommandHelp, cronLine } from './help.js';

export type ActionFlags = OutputFlags & { device?: string; wait: boolean };

export function registerActionCommands(program: Command, ctx: CommandContext): void {
  withOutputOptions(
    actionCommand(
      program,
      'store',
      'write the staging day the midnight rule picks, then verify it',
      "Writes today's staging day to the device's disc (or yesterday's or tomorrow's, by the midnight rule), " +
        'starting a new disc or appending a session as the blanking rules decide, then verifies it.',
    )
      .option('--full', "start a new disc with today's staging day, whatever its store indicator says")
      .option(
        '--today <YYYY-MM-DD>',
        "the day to treat as today (catch-up runs); default: the controller's date",
        parseDay,
      )
      .option('--dry-run', DRY_RUN_HELP),
  )
    .addHelpText(
      'after',
      clientCommandHelp(
        [
          'cedar-store store',
          'cedar-store store --device burner-1/dvd0 --today 2025-02-05',
          'cedar-store store --full --no-wait',
          'cedar-store store --dry-run   # the plan for tonight; exit 1 names what would fail',
          `${cronLine(ctx.env.invocation ?? 'cedar-store')}   # crontab`,
        ],
        { waits: true },
      ),
    )
    .action((flags: ActionFlags & { full?: boolean; today?: string; dryRun?: boolean }, command: Command) =>
      submit(ctx, command, flags, {
        action: 'store',
        device: flags.device,
        full: flags.full,
        today: flags.today,
        dryRun: flags.dryRun,
      }),
    );

  withOutputOptions(
    actionCommand(
      program,
      'rebuild',
      "start a new disc with the week's staged days",
      "Starts a new disc holding every staged day of the week so far (since the week's starting day).",
    )
      .option('--today <YYYY-MM-DD>', "the day to treat as today; default: the controller's date", parseDay)
      .option('--dry-run', DRY_RUN_HELP),
  )
    .addHelpText(
      'after',
      clientCommandHelp(
        ['cedar-store rebuild', 'cedar-store rebuild --device burner-1/dvd0 --json', 'cedar-store rebuild --dry-run'],
        { waits: true },
      ),
    )
    .action((flags: ActionFlags & { today?: string; dryRun?: boolean }, command: Command) =>
      submit(ctx, command, flags, {
        action: 'rebuild',
        device: flags.device,
        today: flags.today,
        dryRun: flags.dryRun,
      }),
    );

  withOutputOptions(
    actionCommand(
      program,
      'initialize',
      'label rewritable media so checkMedia accepts it',
      'Blanks rewritable media and gives it a cedar-store media label, as checkMedia requires.',
    ),
  )
    .addHelpText('after', clientCommandHelp(['cedar-store initialize --device burner-1/dvd0'], { waits: true }))
    .action((flags: ActionFlags, command: Command) =>
      submit(ctx, command, flags, { action: 'initialize', device: flags.device }),
    );

  withOutputOptions(
    actionCommand(
      program,
      'verify',
      'compare the disc with the staging directories of some days',
      'Reads the disc back and compares it with the staging directories of the given days.',
    ).requiredOption('--day <YYYY-MM-DD>', 'a day to verify; repeat it or give a comma list', collectDays),
  )
    .addHelpText(
      'after',
      clientCommandHelp(
        [
          'cedar-store verify --day 2025-02-05',
          'cedar-store verify --day 2025-02-03,2025-02-04 --day 2025-02-05 --json',
        ],
        { waits: true },
      ),
    )
    .action((flags: ActionFlags & { day: string[] }, command: Command) =>
      submit(ctx, command, flags, { action: 'verify', device: flags.device, days: flags.day }),
    );
}

const DRY_RUN_HELP =
  'plan only: take every step up to the fit check and print the plan; nothing is blanked, written or marked. ' +
  'Exit 0 when the run would succeed, 1 with the error it would fail with';

export function actionCommand(program: Command, name: string, summary: string, description: string): Command {
  return program
    .command(name)
    .summary(summary)
    .description(description)
    .option('--device <agent/dev>', 'the device to use; may be left out when only one is configured', parseDevice);
}

export function withOutputOptions(command: Command): Command {
  return command
    .option('--no-wait', 'return once the run is queued: print its id (or the queued run with --json)')
    .option('--json', 'print the final run (or the queued one with --no-wait) as one JSON line on stdout, nothing else')
    .option(
      '-q, --quiet',
      'no progress on stderr, only warnings and errors: cron then mails only when something needs a look',
    );
}

export async function submit(
  ctx: CommandContext,
  command: Command,
  flags: ActionFlags,
  request: RunRequest,
): Promise<void> {
  const client = await connect(command, ctx.env);
  const submitted = client.submitRun(withoutUndefined(request));
  // What follows the run loads while the controller takes the request, not after its answer.
  const following = flags.wait ? import('./wait-for-run.js') : undefined;
  // Awaited below once the run is queued; a refused request leaves it unread, not unhandled.
  void following?.catch(() => undefined);
  const queued = await submitted;
  if (!following) {
    if (flags.json) printJson(ctx, queued);
    else {
      printResult(ctx, queued.id);
      if (!flags.quiet) {
        printNote(
          ctx,
          `queued ${queued.action} on ${queued.device}; follow it with: cedar-store runs ${queued.id} --follow`,
        );
      }
    }
    ctx.exit(EXIT.ok);
    return;
  }
  const { waitAndReport } = await following;
  ctx.exit(await waitAndReport(ctx, client, queued, flags));
}

function withoutUndefined(request: RunRequest): RunRequest {
  return Object.fromEntries(Object.entries(request).filter(([, value]) => value !== undefined)) as RunRequest;
}
