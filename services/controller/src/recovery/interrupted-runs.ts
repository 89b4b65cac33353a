/**
 * A crash leaves runs `running` or `queued` that nothing will ever finish. At start, before
 * any run is taken, each becomes `interrupted` with a reason that says what the user must do:
 * the last step event tells how far the run got, and so whether the disc or the store
 * indicator may have been touched. A `finished` event closes each run's event stream, so a
 * client that follows it stops waiting. The reasoning here is pure; the run repository
 * (RunRepository.finishAbandoned) finds the runs and stores the outcome in one go.
 */
import type { DayStamp } from '@cedar-store/domain';
import type { Run, RunEvent, RunRepository, StepName } from '@cedar-store/ports';
import { unstoredClause } from './unstored-advice.js';

type StepEvent = Extract<RunEvent, { type: 'step' }>;

/** Ends, in the run repository, every run a previous controller process left unfinished. */
export function recoverInterruptedRuns(runs: RunRepository, now: Date): Promise<Run[]> {
  return runs.finishAbandoned(now, (run, events) => interruptedRun(run, events, now));
}

/** A run no process is working on any more, as it ends: interrupted, saying what the user must do. */
export function interruptedRun(run: Run, events: readonly RunEvent[], now: Date): Run {
  const steps = events.filter((event): event is StepEvent => event.type === 'step');
  const error = { code: 'INTERNAL', message: interruptionReason(run, steps) + journalHint(run) };
  return { ...run, status: 'interrupted', finishedAt: now.toISOString(), error };
}

/** Why the run was interrupted and what that means for the disc and the staging days. */
export function interruptionReason(run: Run, steps: readonly Pick<StepEvent, 'step' | 'state'>[]): string {
  if (run.status === 'queued') {
    return 'the controller stopped before this run started; nothing was written. Request it again.';
  }
  const last = steps.at(-1);
  const where = last ? `${last.state === 'started' ? 'during' : 'after'} step ${last.step}` : 'before its first step';
  const head = `the controller stopped while this run was running (${where})`;
  const reached = (step: StepName) => steps.some((event) => event.step === step && event.state !== 'skipped');
  const finished = (step: StepName) => steps.some((event) => event.step === step && event.state === 'finished');

  switch (run.action) {
    case 'verify':
      return `${head}; a verify writes nothing, so the disc and the staging days are as they were. Request it again.`;
    case 'audit':
      return `${head}; an audit changes nothing on the disc, and no verdict was kept. Request it again.`;
    case 'restore':
      return reached('restore')
        ? `${head}; the disc and the staging days are as they were, and the target may hold part of the day: ` +
            'restore again into a new target, or with --force into the same one.'
        : `${head}; nothing was written. Request it again.`;
    case 'initialize':
      return reached('initialize')
        ? `${head}; the disc may be partly blanked or initialized. Run cedar-store initialize again before the next store.`
        : `${head}; nothing was written. Request it again.`;
    case 'store':
    case 'rebuild': {
      const days = run.selection?.days ?? run.options?.days ?? [];
      const named = days.length > 0 ? ` (${days.join(', ')})` : '';
      if (finished('storeIndicator')) {
        return (
          `${head}; its days${named} were written and marked stored, so nothing needs writing again; ` +
          'only the capacity warning or the media catalog entry may be missing.'
        );
      }
      if (reached('storeIndicator')) {
        return (
          `${head}; the store indicator may be written for some of its days${named} and not for others: ` +
          `those without it still wait in staging (run cedar-store store again today). ${verifyHint(days)}`
        );
      }
      if (reached('write') && run.action === 'rebuild') {
        return (
          `${head}; the disc may be blanked or partly written, and no store indicator was written for it. ` +
          'Run cedar-store rebuild again.'
        );
      }
      if (reached('write')) {
        return `${head}; whatever was written, ${unstoredClause('store', days)} ${verifyHint(days)}`;
      }
      return `${head}; nothing was written to the disc and no store indicator was written. Request it again.`;
    }
  }
}

/** An operation in flight is journaled on its agent: its outcome is learned when the agent connects. */
function journalHint(run: Run): string {
  if (run.operation?.state !== 'running') return '';
  const agent = run.device.slice(0, run.device.indexOf('/'));
  return (
    ` The controller asks agent ${agent} how ${run.operation.method} (operation ${run.operation.opId}) ended ` +
    'once it connects, and records it on this run.'
  );
}

function verifyHint(days: readonly DayStamp[]): string {
  if (days.length === 1) return `Check the disc with cedar-store verify --day ${days[0]}.`;
  if (days.length > 1) return 'Check the disc with cedar-store verify --day DAY for each of those days.';
  return 'Check the disc with cedar-store verify.';
}
