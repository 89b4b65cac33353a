/**
 * What a notification says about a finished run: which `on:` event it is, a subject line, a
 * one-paragraph summary a user can act on without opening the API, and the advice line (what
 * to do next), the same for every target.
 */
import type { ErrorCode } from '@cedar-store/domain';
import type { Run } from '@cedar-store/ports';
import type { NotifyEvent } from '../config/notify-config.js';

export type RunReport = {
  event: NotifyEvent;
  subject: string;
  summary: string;
  advice: string;
};

/** What to do next, by the code a run failed with. */
const ADVICE: Record<ErrorCode, string> = {
  NO_STAGING_DIRECTORY:
    "Check that the backup host staged the day (its stage action ran and wrote cback.stage) and that the agent's stagingRoot is right, then run the action again.",
  MEDIA_NOT_INITIALIZED: 'Initialize the disc with cedar-store initialize, or use rebuild to start a new disc.',
  MEDIA_NOT_REWRITABLE:
    'The disc cannot be blanked: put in a rewritable disc, or a blank one, and run cedar-store rebuild.',
  MEDIA_FULL: 'The disc has no room for the days: put in a new disc and run cedar-store rebuild.',
  DEVICE_MOUNTED: 'Unmount the disc on the agent host (umount), then run the action again.',
  DEVICE_BUSY: 'Another run or program is using the drive: wait for it to finish, then run the action again.',
  DEVICE_UNKNOWN: "Check the device name against cedar-store devices and the agent's agent.yaml.",
  TOOL_MISSING: 'Install the missing program on the agent host (see the message), then run the action again.',
  WRITE_FAILED:
    'The burner reported an error: check the disc and the drive (try another disc), then run the action again.',
  VERIFY_FAILED:
    'The disc does not read back as staged: do not trust it; put in a new disc and run cedar-store rebuild.',
  AGENT_UNREACHABLE: 'Check that cedar-store-agent runs on the agent host and the network between the hosts.',
  AGENT_LOST:
    'The agent went away during the run: check the agent host, then cedar-store runs to see how the operation ended.',
  INVALID_REQUEST: 'Correct the request as the message says.',
  UNAUTHORIZED: 'Check the tokens in controller.yaml and agent.yaml.',
  INTERNAL: "Look at the controller's log around this run and report the problem with it.",
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

/** Dry runs (a plan, nothing written) are their own event; older runs have no such field. */
export function isDryRun(run: Run): boolean {
  const flagged = run as Run & { dryRun?: unknown; options: { dryRun?: unknown } };
  return flagged.dryRun === true || flagged.options.dryRun === true;
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
        : `The disc did not read back identical (${run.verify.mismatches.length} differences).`,
    );
  }
  for (const warning of run.warnings) sentences.push(`Warning ${warning.code}: ${warning.message}`);
  return sentences.map((sentence) => (/[.!?:)]$/.test(sentence) ? sentence : `${sentence}.`)).join(' ');
}

function adviceFor(run: Run, event: NotifyEvent): string {
  if (event === 'failed') {
    if (run.error && run.error.code in ADVICE) return ADVICE[run.error.code as ErrorCode];
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
