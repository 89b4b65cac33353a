/**
 * The human summary of a run: what it did and, for each decision, the rule and the figures
 * that made it, so a user reading a cron mail or the dashboard can tell *why* a day went to
 * a new disc or was appended without opening the JSON. One source of these words: the CLI
 * lays the rows out as text, the dashboard as a list.
 */
import type { Run } from '../run.js';
import { elapsedMs, formatBytes, formatDuration, formatLocalTime } from './format.js';
import { describeAudit } from './audit-summary.js';
import { describeRestore } from './restore-summary.js';

type Selection = NonNullable<Run['selection']>;
type Blanking = NonNullable<Run['blanking']>;
type VerifyReport = NonNullable<Run['verify']>;

/** One row of a summary: a label (`Days`, `Disc`, …) and its lines, the first beside the label. */
export type SummaryRow = { label: string; lines: string[] };

export type SummaryOptions = {
  maxMismatchesShown: number;
  /** The error's message goes to stderr (an action that failed): the summary names its code only. */
  errorOnStderr?: boolean;
  /** The zone times are written in (IANA name); the host's when left out. */
  timeZone?: string;
};

/** `Run X: store on lab-1/dvd0, succeeded (dry run)` */
export function runHeadline(run: Run): string {
  const dryRun = run.options?.dryRun === true;
  return `Run ${run.id}: ${run.action} on ${run.device}, ${run.status}${dryRun ? ' (dry run)' : ''}`;
}

export function runSummaryRows(run: Run, options: SummaryOptions): SummaryRow[] {
  const rows: SummaryRow[] = [];
  const row = (label: string, lines: string[]): void => {
    rows.push({ label, lines });
  };
  row('When', [describeTimes(run, options.timeZone)]);
  if (run.selection) row('Days', describeSelection(run.selection));
  else if (run.options?.days?.length) row('Days', [`${run.options.days.join(', ')} (requested)`]);
  if (run.blanking) row('Disc', describeBlanking(run.blanking, run));
  if (run.image) row('Image', [describeImage(run.image)]);
  if (run.options?.dryRun === true) row('Plan', describePlan(run));
  if (run.write) {
    row('Written', [
      `${formatBytes(run.write.bytesWritten)} in ${formatDuration(run.write.durationMs)}; ` +
        `${run.write.sessions} ${run.write.sessions === 1 ? 'session' : 'sessions'} on the disc`,
    ]);
  }
  if (run.verify) row('Verify', describeVerify(run.verify, options.maxMismatchesShown));
  if (run.restore) row('Restore', describeRestore(run.restore, options.maxMismatchesShown));
  else if (run.options?.day) row('Restore', [`${run.options.day} into ${run.options.target ?? '?'} (requested)`]);
  if (run.audit) row('Audit', describeAudit(run.audit, options.maxMismatchesShown));
  const warnings = run.warnings ?? [];
  if (warnings.length > 0)
    row(
      'Warnings',
      warnings.map((warning) => `${warning.code}: ${warning.message}`),
    );
  if (run.error) row('Error', [options.errorOnStderr ? run.error.code : `${run.error.code}: ${run.error.message}`]);
  return rows;
}

function describeTimes(run: Run, timeZone: string | undefined): string {
  const parts = [`requested ${formatLocalTime(run.requestedAt, timeZone)}`];
  if (run.startedAt) parts.push(`started ${formatLocalTime(run.startedAt, timeZone)}`);
  if (run.finishedAt) parts.push(`finished ${formatLocalTime(run.finishedAt, timeZone)}`);
  const took = elapsedMs(run.startedAt, run.finishedAt);
  if (took !== undefined) parts.push(`took ${formatDuration(took)}`);
  return parts.join(', ');
}

const SELECTION_RULES: Record<Selection['rule'], string> = {
  today: "today's staging day is staged and not yet stored",
  yesterday: "today's staging day was not ready, yesterday's is staged and not yet stored (the midnight rule)",
  tomorrow: "neither today's nor yesterday's staging day was ready, tomorrow's is staged (the midnight rule)",
  full: "--full: today's staging day, whatever its store indicator says",
  rebuild: "rebuild: the week's staged days since its starting day",
  requested: 'the days named in the request',
};

/** The days and, on the next line, the rule that chose them. */
export function describeSelection(selection: Selection): string[] {
  const days = selection.days.length > 0 ? selection.days.join(', ') : 'none';
  const context = [
    ...(selection.today && selection.days.join() !== selection.today ? [`today is ${selection.today}`] : []),
    ...(selection.crossedMidnight ? ['midnight crossed'] : []),
  ];
  const why = SELECTION_RULES[selection.rule] ?? 'no explanation known for this rule';
  return [`${days}${context.length > 0 ? ` (${context.join(', ')})` : ''}`, `rule ${selection.rule}: ${why}`];
}

/** Why the rebuild rule (always a new disc) applied: each action that uses it names itself. */
function rebuildReason(run: Pick<Run, 'action' | 'options'> | undefined): string {
  if (run?.action === 'initialize') return 'initialize: blanks the media and labels it, so always a new disc';
  if (run?.action === 'store' && run.options?.full) return 'rule rebuild: a --full store always starts a new disc';
  if (run?.action === 'rebuild') return 'rule rebuild: a rebuild always starts a new disc';
  return 'rule rebuild: a rebuild or a --full store always starts a new disc';
}

/** New disc or append, the rule that decided, and the measurements it used. */
export function describeBlanking(blanking: Blanking, run?: Pick<Run, 'action' | 'options'>): string[] {
  const lines = [
    blanking.newDisc
      ? 'new disc'
      : blanking.mediaBlank
        ? 'new disc: the media was blank, so this first session starts it'
        : 'append a session',
  ];
  switch (blanking.rule) {
    case 'rebuild':
      lines.push(rebuildReason(run));
      break;
    case 'startOfWeek':
      lines.push("rule startOfWeek: today is the week's starting day");
      break;
    case 'factor': {
      const ratio = blanking.ratio === undefined ? '?' : blanking.ratio.toFixed(2);
      const factor = blanking.factor === undefined ? '?' : String(blanking.factor);
      const mode = blanking.mode ? ` (${blanking.mode} blank behaviour)` : '';
      lines.push(
        `rule factor: available / (1 + required) = ${ratio} ${blanking.newDisc ? '<=' : '>'} blank factor ${factor}${mode}`,
      );
      break;
    }
    case 'append': {
      const why = blanking.todayIsStart
        ? 'the blank behaviour did not call for a new disc'
        : "today is not the week's starting day";
      // On blank media the rule's append becomes the disc's first session: say why both hold.
      lines.push(`rule append: ${why}${blanking.mediaBlank ? ' (there was no disc to append to)' : ''}`);
      break;
    }
    default:
      lines.push(`rule ${String(blanking.rule)}`);
  }
  const figures: string[] = [];
  if (blanking.availableBytes !== undefined) figures.push(`available ${formatBytes(blanking.availableBytes)}`);
  if (blanking.requiredBytes !== undefined) figures.push(`required ${formatBytes(blanking.requiredBytes)}`);
  if (figures.length > 0) lines.push(figures.join(', '));
  return lines;
}

export function describeImage(image: NonNullable<Run['image']>): string {
  const parts = [`label "${image.label}"`];
  if (image.estimatedBytes !== undefined) parts.push(`estimated ${formatBytes(image.estimatedBytes)}`);
  if (image.availableBytes !== undefined) parts.push(`${formatBytes(image.availableBytes)} available on the media`);
  return parts.join(', ');
}

/** What a dry run found: whether the image fits, and what a real run would have done or failed with. */
export function describePlan(run: Pick<Run, 'action' | 'status' | 'image' | 'error'>): string[] {
  const nothing = 'dry run: nothing was blanked, written or marked';
  const image = run.image;
  const figures =
    image?.estimatedBytes !== undefined && image.availableBytes !== undefined
      ? `${formatBytes(image.estimatedBytes)} estimated, ${formatBytes(image.availableBytes)} available`
      : undefined;
  if (run.status === 'succeeded') {
    return [`fits${figures ? `: ${figures}` : ''}; a real ${run.action} would write it`, nothing];
  }
  if (run.error?.code === 'MEDIA_FULL') {
    return [`does not fit${figures ? `: ${figures}` : ''}; a real ${run.action} would fail with MEDIA_FULL`, nothing];
  }
  if (run.error) return [`a real ${run.action} would fail with ${run.error.code}`, nothing];
  return [nothing];
}

/**
 * How many mismatches a verify found in all: its report names the first 1000 and counts the
 * rest in `mismatchCount` (absent when the list is all of them, and from older agents).
 */
export function mismatchTotal(verify: Pick<VerifyReport, 'mismatches' | 'mismatchCount'>): number {
  return Math.max(verify.mismatchCount ?? 0, verify.mismatches?.length ?? 0);
}

export function describeVerify(verify: VerifyReport, maxShown: number): string[] {
  const compared = `${verify.filesCompared} files, ${formatBytes(verify.bytesCompared)} compared (${verify.method})`;
  if (verify.ok) return [`ok: ${compared}`];
  const mismatches = verify.mismatches ?? [];
  const total = mismatchTotal(verify);
  const lines = [`FAILED: ${total} ${total === 1 ? 'mismatch' : 'mismatches'}; ${compared}`];
  const shown = mismatches.slice(0, maxShown);
  for (const mismatch of shown) lines.push(`${mismatch.kind.padEnd(8)} ${mismatch.path}`);
  const listed = total > mismatches.length ? `the first ${mismatches.length}` : 'them all';
  if (total > shown.length) lines.push(`… and ${total - shown.length} more (--json lists ${listed})`);
  return lines;
}
