/**
 * The human summary of a run as text: the rows and their words come from
 * `@cedar-store/ports/words`, which the dashboard shows too; this file only lays them out,
 * each row's label in a column and its further lines lined up under the first.
 */
import type { Run } from '@cedar-store/ports';
import { runHeadline, runSummaryRows, type SummaryOptions } from '@cedar-store/ports/words';

export { describeBlanking, describePlan, describeSelection, describeVerify } from '@cedar-store/ports/words';

const LABEL_WIDTH = 10;

export function formatRunSummary(run: Run, options: SummaryOptions): string {
  const lines = [runHeadline(run)];
  for (const { label, lines: texts } of runSummaryRows(run, options)) {
    texts.forEach((text, index) => lines.push(`  ${(index === 0 ? label : '').padEnd(LABEL_WIDTH)}  ${text}`));
  }
  return lines.join('\n');
}
