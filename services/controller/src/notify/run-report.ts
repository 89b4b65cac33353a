/**
 * What a notification says about a finished run: which `on:` event it is, a subject line, a
 * one-paragraph summary a user can act on without opening the API, and the advice line (what
 * to do next), the same for every target.
 */
import type { Run } from '@cedar-store/ports';
import { mismatchTotal } from '@cedar-store/ports/words';
import { adviceFor as adviceForCode } from '../advice/error-advice.js';
import type { NotifyEvent } from '../config/notify-config.js';

export type RunReport = {
  event: NotifyEvent;
  subject: string;
  summary: string;
  advice: string;
};

const STATUS_WORDS: Record<NotifyEvent, string> = {
  failed: 'failed',
  warning: 'succeeded with warnings',
  succeeded: 'succeeded',
  cancelled: 'was cancelled',
  dryRun: 'dry run finished',
};

/** The event of a finished run, or undefined for one that has not finished. */
export function notifyEventOf(run: Run): NotifyEvent | undefined {
  if (run.status === 'queued' || run.status === 'running') return undefined;
  if (isDryRun(run)) return 'dryRun';
  if (run.status === 'failed' || run.status === 'interrupted') return 'failed';
  if (run.status === 'cancelled') return 'cancelled';
  return run.warnings.length > 0 ? 'warning' : 'succeeded';
}

/** Dry runs (a plan, nothing written: `options.dryRun`) are their own event; older runs have no such field. */
export function isDryRun(run: Run): boolean {
  return run.options.dryRun === true;
}

export function reportRun(run: Run): RunReport | undefined {
  const event = notifyEventOf(run);
  if (!event) return undefined;
  const code = run.error?.code ?? (event === 'warning' ? run.warnings[0]?.code : undefined);
  const subject = `cedar-store: ${run.action} ${STATUS_WORDS[event]} on ${run.device}` + (code ? ` (${code})` : '');
  return { event, subject, summary: summarize(run, event), advice: adviceFor(run, event) };
}

function summarize(run: Run, event: NotifyEvent): string {
  const sentences = [
    `The ${run.action} run ${run.id} on ${run.device} ${STATUS_WORDS[event]}` +
      (run.finishedAt ? ` at ${run.finishedAt}` : '') +
      (run.startedAt && run.finishedAt ? ` after ${seconds(run.startedAt, run.finishedAt)}` : '') +
      '.',
  ];
  if (run.error) sentences.push(`${run.error.code}: ${run.error.message}`);
  if (run.selection) {
    sentences.push(
      run.selection.days.length > 0
        ? `Days: ${run.selection.days.join(', ')} (rule: ${run.selection.rule}).`
        : 'No staged day was waiting.',
    );
  }
  if (run.blanking) {
    sentences.push(
      run.blanking.newDisc ? `New disc (rule: ${run.blanking.rule}).` : 'Appended to the disc in the drive.',
    );
  }
  if (run.write) sentences.push(`Wrote ${run.write.bytesWritten} bytes (${run.write.sessions} sessions on the disc).`);
  if (run.verify) {
    sentences.push(
      run.verify.ok
        ? 'The disc read back identical to the staged days.'
        : `The disc did not read back identical (${mismatchTotal(run.verify)} differences).`,
    );
  }
  for (const warning of run.warnings) sentences.push(`Warning ${warning.code}: ${warning.message}`);
  return sentences.map((sentence) => (/[.!?:)]$/.test(sentence) ? sentence : `${sentence}.`)).join(' ');
}

function adviceFor(run: Run, event: NotifyEvent): string {
  if (event === 'failed') {
    const advice = run.error ? adviceForCode(run.error.code) : undefined;
    if (advice) return advice;
    if (run.status === 'interrupted')
      return 'The controller stopped during the run: see cedar-store runs, then run the action again.';
    return "See the run with cedar-store runs and the controller's log.";
  }
  if (event === 'warning') return 'Read the warnings: the run succeeded, but the next one may not.';
  if (event === 'cancelled') return 'Nothing to do unless the cancellation was not expected.';
  if (event === 'dryRun') return 'A plan only: nothing was blanked, written or marked.';
  return 'Nothing to do.';
}

function seconds(from: string, to: string): string {
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) ? `${Math.max(0, Math.round(ms / 1000))} s` : 'an unknown time';
}
