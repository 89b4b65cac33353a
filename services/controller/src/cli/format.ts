/**
 * How the CLI writes sizes, rates, durations and times: the words live in
 * `@cedar-store/ports/words`, shared with the dashboard, so both write a size the same way.
 */
export {
  elapsedMs,
  formatBytes,
  formatDuration,
  formatLocalTime,
  formatPercent,
  formatRate,
} from '@cedar-store/ports/words';
