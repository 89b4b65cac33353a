/**
 * How long each kind of program call may take before its whole process group is stopped.
 * These are the defaults of agent.yaml's `timeouts` (config/agent-config.ts). Writes and
 * blanks get hours: a full BD or dual-layer DVD at 1× takes about two, and a burn cut short
 * ruins the disc, so only a program that truly hung may ever reach these limits. Each stays
 * below the controller's wait for the whole call (agents/agent-client-options.ts: write 12 h,
 * blank and initialize 3 h), so the user gets this precise error rather than a lost call.
 */
export const PROGRAM_TIMEOUTS_MS = {
  /** Reading a drive's state (toc, msinfo, dry run, label) takes seconds; a hung drive must not hold the device. */
  status: 120_000,
  /** Sizing an image walks every file of the days: a large day takes minutes. */
  estimate: 30 * 60_000,
  /** Writing a session or an exported ISO file: 10 h, five times the slowest real burn. */
  write: 10 * 3_600_000,
  /** A full blank or format of rewritable media, and initialize (which blanks first): 2.5 h, over twice the slowest. */
  blank: 2.5 * 3_600_000,
  /** Mounting or unmounting for verify. */
  mount: 60_000,
  /** Moving the tray. */
  eject: 120_000,
} as const;

export type TimeoutKind = keyof typeof PROGRAM_TIMEOUTS_MS;
export type ProgramTimeouts = Record<TimeoutKind, number>;

export const TIMEOUT_KINDS = Object.keys(PROGRAM_TIMEOUTS_MS) as TimeoutKind[];

/** A duration as a user reads it in an error: `300 ms`, `45 s`, `30 min`, `12 h`. */
export function describeDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 120 || seconds % 60 !== 0) return `${seconds} s`;
  const minutes = seconds / 60;
  if (minutes < 120 || minutes % 60 !== 0) return `${minutes} min`;
  return `${minutes / 60} h`;
}
