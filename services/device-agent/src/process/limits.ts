/**
 * How long each kind of program call may take before its process group is stopped. Writes
 * and blanks have no limit: a full DVD burn at 1× takes about an hour and must never be cut.
 */
export const PROGRAM_TIMEOUTS_MS = {
  /** Reading a drive's state (toc, msinfo, dry run, label) takes seconds; a hung drive must not hold the device. */
  status: 120_000,
  /** Sizing an image walks every file of the days: a large day takes minutes. */
  estimate: 30 * 60_000,
  /** Moving the tray. */
  eject: 120_000,
  /** Mounting or unmounting for verify. */
  mount: 60_000,
} as const;
