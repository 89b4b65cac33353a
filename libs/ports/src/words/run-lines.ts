/**
 * One line of text per run event, shared by the CLI's plain log, its TTY display and the
 * dashboard, so all say the same thing in the same words.
 */
import type { RunEventBody } from '../run.js';
import { formatBytes, formatDuration, formatPercent, formatRate } from './format.js';

type StepEvent = Extract<RunEventBody, { type: 'step' }>;

export function stepLine(event: StepEvent): string {
  const took = event.durationMs === undefined ? '' : ` in ${formatDuration(event.durationMs)}`;
  switch (event.state) {
    case 'started':
      return `${event.step}: started`;
    case 'finished':
      return `${event.step}: finished${took}${event.detail ? ` (${event.detail})` : ''}`;
    case 'failed':
      return `${event.step}: failed${event.durationMs === undefined ? '' : ` after ${formatDuration(event.durationMs)}`}${failedDetail(event.detail)}`;
    case 'skipped':
      return `${event.step}: skipped${event.detail ? ` (${event.detail})` : ''}`;
    default:
      return `${event.step}: ${String(event.state)}`;
  }
}

/**
 * A failed step names its error's code only: the run ends with that error, which the CLI
 * prints once, in full, on stderr. A detail with no code is shown as it is.
 */
function failedDetail(detail: string | undefined): string {
  if (!detail) return '';
  const code = /^([A-Z][A-Z0-9_]*): /.exec(detail)?.[1];
  return code ? ` (${code})` : `: ${detail}`;
}

export function warningLine(event: { code: string; message: string }): string {
  return `warning ${event.code}: ${event.message}`;
}

/** `run X failed`: the error itself is printed once when the CLI ends, not here as well. */
export function finishedLine(runId: string, event: { status: string }): string {
  return `run ${runId} ${event.status}`;
}

export type ProgressFigures = { phase: string; bytesDone: number; bytesTotal: number; rate?: number; etaMs?: number };

/** `write 40% 1.70 GiB of 4.25 GiB, 11.2 MiB/s, ETA 3m 50s` */
export function progressLine(figures: ProgressFigures): string {
  const parts = [
    `${figures.phase} ${formatPercent(figures.bytesDone, figures.bytesTotal)}`,
    `${formatBytes(figures.bytesDone)} of ${formatBytes(figures.bytesTotal)}`,
  ];
  let line = parts.join(' ');
  if (figures.rate !== undefined) line += `, ${formatRate(figures.rate)}`;
  if (figures.etaMs !== undefined) line += `, ETA ${formatDuration(figures.etaMs)}`;
  return line;
}

/** Any event as one line; undefined for progress, which each display throttles its own way. */
export function eventLine(runId: string, event: RunEventBody): string | undefined {
  switch (event.type) {
    case 'step':
      return stepLine(event);
    case 'warning':
      return warningLine(event);
    case 'finished':
      return finishedLine(runId, event);
    default:
      return undefined;
  }
}
