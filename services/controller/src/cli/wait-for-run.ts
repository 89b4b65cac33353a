/**
 * Following a queued run to its end and reporting it, for the action commands and
 * `runs RUN_ID --follow`. Its modules (the event stream, the reporters, the summary words)
 * load only when a run is followed: `--help`, `--version`, `--no-wait` and a usage error
 * never need them, and an action command loads them while the controller takes its request.
 */
import type { Run } from '@cedar-store/ports';
import type { ApiClient } from './api-client.js';
import type { CommandContext, OutputFlags } from './command-context.js';
import { printJson, printNote, printResult } from './command-context.js';
import { clientSettings } from './environment.js';
import { EXIT } from './exit-codes.js';
import { followRun } from './follow-run.js';
import { createReporter } from './reporters.js';
import { formatRunSummary } from './summary.js';
import { progressMode } from './terminal.js';

/** Follows a run to its end and prints it; returns the exit status its outcome means. */
export async function waitAndReport(
  ctx: CommandContext,
  client: ApiClient,
  run: Run,
  flags: OutputFlags,
): Promise<number> {
  const settings = clientSettings(ctx.env);
  const reporter = createReporter({
    stream: ctx.env.stderr,
    // The bar is drawn on stderr, so stderr decides: redirected to a file it gets plain lines, even from a terminal.
    mode: progressMode(ctx.env.stderr, ctx.env.env, flags.quiet),
    plainProgressEveryMs: settings.plainProgressEveryMs,
  });
  let final: Run;
  try {
    reporter.following(run);
    final = await followRun(run, { client, reporter, settings });
  } finally {
    reporter.close();
  }
  return reportFinishedRun(ctx, final, flags);
}

export function reportFinishedRun(ctx: CommandContext, run: Run, flags: OutputFlags): number {
  const settings = clientSettings(ctx.env);
  if (flags.json) printJson(ctx, run);
  else printResult(ctx, formatRunSummary(run, { ...settings, errorOnStderr: true }));
  if (run.status === 'succeeded') return EXIT.ok;
  const error = run.error ? `${run.error.code}: ${run.error.message}` : `run ${run.id} ${run.status}`;
  printNote(ctx, error);
  return EXIT.runFailed;
}
