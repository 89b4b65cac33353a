/** `runs`, `media`, `devices` and `cancel`: read (or stop) what the controller holds. */
import { isFinished } from '@cedar-store/ports/constants';
import type { RunStatus } from '@cedar-store/ports';
import type { Command } from 'commander';
import { parseDevice, parseLimit, parseStatus } from './arguments.js';
import type { CommandContext } from './command-context.js';
import { printJson, printResult } from './command-context.js';
import { clientSettings, connect } from './environment.js';
import { ApiError, EXIT, UsageError } from './exit-codes.js';
import { clientCommandHelp } from './help.js';

// The tables (and below, the summary and the follower) load when a command prints them, not with the program.
const listings = () => import('./listings.js');

type JsonFlag = { json?: boolean };
type RunsFlags = JsonFlag & { status?: RunStatus; device?: string; limit?: number; follow?: boolean; quiet?: boolean };

export function registerQueryCommands(program: Command, ctx: CommandContext): void {
  program
    .command('runs')
    .summary('list runs, or show one run')
    .description('Lists runs, newest first, or shows one run with every decision it took and why.')
    .argument('[RUN_ID]', 'the run to show')
    .option(
      '--status <status>',
      'only runs with this status (queued, running, succeeded, failed, cancelled, interrupted)',
      parseStatus,
    )
    .option('--device <agent/dev>', 'only runs on this device', parseDevice)
    .option('--limit <n>', 'at most this many runs', parseLimit)
    .option('--follow', 'with RUN_ID: wait for the run to finish, as the action commands do (exit status as theirs)')
    .option('-q, --quiet', 'with --follow: no progress on stderr')
    .option('--json', 'print JSON on stdout instead of a table or summary')
    .addHelpText(
      'after',
      clientCommandHelp([
        'cedar-store runs',
        'cedar-store runs --status failed --device burner-1/dvd0 --limit 10',
        'cedar-store runs 0b6f1c2e-5d8a-4f0e-9a51-3c2d7e8f9a10 --json',
        'cedar-store runs 0b6f1c2e-5d8a-4f0e-9a51-3c2d7e8f9a10 --follow',
      ]),
    )
    .action(async (runId: string | undefined, flags: RunsFlags, command: Command) => {
      if (runId === undefined) {
        if (flags.follow) throw new UsageError('--follow needs a RUN_ID (cedar-store runs RUN_ID --follow)');
        const client = await connect(command, ctx.env);
        const { runs, raw } = await client.listRuns({ status: flags.status, device: flags.device, limit: flags.limit });
        if (flags.json) printJson(ctx, raw);
        else printResult(ctx, (await listings()).formatRunsTable(runs));
        ctx.exit(EXIT.ok);
        return;
      }
      if (flags.status || flags.device || flags.limit) {
        throw new UsageError('--status, --device and --limit filter the list: leave them out with a RUN_ID');
      }
      const client = await connect(command, ctx.env);
      const run = await client.getRun(runId);
      if (flags.follow) {
        const { waitAndReport } = await import('./wait-for-run.js');
        ctx.exit(await waitAndReport(ctx, client, run, flags));
        return;
      }
      if (flags.json) printJson(ctx, run);
      else printResult(ctx, (await import('./summary.js')).formatRunSummary(run, clientSettings(ctx.env)));
      ctx.exit(EXIT.ok);
    });

  program
    .command('media')
    .summary('list the discs in the catalog and what each session holds')
    .description('Lists every disc the controller wrote, newest first: its sessions, their days, bytes and runs.')
    .option('--json', 'print the catalog as JSON on stdout')
    .addHelpText('after', clientCommandHelp(['cedar-store media', 'cedar-store media --json | jq .']))
    .action(async (flags: JsonFlag, command: Command) => {
      const { discs, raw } = await (await connect(command, ctx.env)).media();
      if (flags.json) printJson(ctx, raw);
      else printResult(ctx, (await listings()).formatMediaTable(discs));
      ctx.exit(EXIT.ok);
    });

  program
    .command('devices')
    .summary('list agents and devices: connected, busy or idle, queued runs')
    .description('Lists the configured agents and their devices, with connection state and the runs using them.')
    .option('--json', 'print agents and devices as JSON on stdout')
    .addHelpText('after', clientCommandHelp(['cedar-store devices', 'cedar-store devices --json']))
    .action(async (flags: JsonFlag, command: Command) => {
      const { answer, raw } = await (await connect(command, ctx.env)).devices();
      if (flags.json) printJson(ctx, raw);
      else printResult(ctx, (await listings()).formatDevicesTable(answer));
      ctx.exit(EXIT.ok);
    });

  program
    .command('cancel')
    .summary('cancel a queued run, or stop a running one at its next step')
    .description(
      'Cancels a queued run at once. A running run stops at its next step boundary; a write that ' +
        'has begun is finished first, so the disc and the store indicator always agree.',
    )
    .argument('<RUN_ID>', 'the run to cancel')
    .option('--json', "print the controller's answer as JSON on stdout")
    .addHelpText('after', clientCommandHelp(['cedar-store cancel 0b6f1c2e-5d8a-4f0e-9a51-3c2d7e8f9a10']))
    .action(async (runId: string, flags: JsonFlag, command: Command) => {
      const client = await connect(command, ctx.env);
      const cancel = await client.cancelRun(runId).catch(async (error: unknown) => {
        // The controller answers 409 for a run that already finished. Nothing is wrong and
        // nothing was changed, so a script cancelling a run that beat it to the end exits 0.
        if (!(error instanceof ApiError && error.status === 409 && error.code === 'INVALID_REQUEST')) throw error;
        const run = await client.getRun(runId);
        if (!isFinished(run.status)) throw error;
        return { answer: { outcome: 'finished', run }, raw: { outcome: 'finished', run } };
      });
      if (flags.json) printJson(ctx, cancel.raw);
      else printResult(ctx, describeCancel(runId, cancel.answer.outcome, cancel.answer.run?.status));
      ctx.exit(EXIT.ok);
    });
}

function describeCancel(runId: string, outcome: string | undefined, status: string | undefined): string {
  if (outcome === 'cancelled' || (outcome === undefined && status === 'cancelled')) return `run ${runId} cancelled`;
  if (outcome === 'finished' || (outcome === undefined && status !== undefined && isFinished(status as RunStatus))) {
    return `run ${runId} had already finished (${status ?? 'finished'}): nothing to cancel`;
  }
  return (
    `cancel requested: run ${runId} stops at its next step boundary ` +
    '(a write that has begun is finished first); follow it with: cedar-store runs ' +
    `${runId} --follow`
  );
}
