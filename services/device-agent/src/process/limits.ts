export { PROGRAM_TIMEOUTS_MS, TIMEOUT_KINDS, type ProgramTimeouts, type TimeoutKind } from '@cedar-store/ports';

/** A duration as a user reads it in an error: `300 ms`, `45 s`, `30 min`, `12 h`. */
export function describeDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 120 || seconds % 60 !== 0) return `${seconds} s`;
  const minutes = seconds / 60;
  if (minutes < 120 || minutes % 60 !== 0) return `${minutes} min`;
  return `${minutes / 60} h`;
}
