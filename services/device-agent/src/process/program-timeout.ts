/**
 * A program that ran past its time limit: it hung (a drive that stopped answering, a dead
 * FUSE mount) and its process group was stopped. The error names the program, the limit and
 * the agent.yaml field that sets it, and says what to do for that kind of call.
 */
import { CedarStoreError, type ErrorCode } from '@cedar-store/domain';
import { describeDuration, type TimeoutKind } from './limits.js';

/** A write or blank that hung failed the write; a mount that hung failed the verify. */
const CODE_BY_KIND: Record<TimeoutKind, ErrorCode> = {
  status: 'WRITE_FAILED',
  estimate: 'WRITE_FAILED',
  write: 'WRITE_FAILED',
  blank: 'WRITE_FAILED',
  mount: 'VERIFY_FAILED',
  eject: 'WRITE_FAILED',
};

const ADVICE: Record<TimeoutKind, string> = {
  status: 'The drive stopped answering: check it and the disc (power-cycle a drive that stays stuck), then run again.',
  estimate:
    'Sizing the image took too long: check that the staging days are readable (a hung network share?), then run again.',
  write:
    'Nothing was marked stored, so these days still wait in staging. The disc may hold a partial session: ' +
    'check the drive and the disc (start a new one with `cedar-store rebuild` if it no longer reads), then run again.',
  blank: 'The disc may be partly blanked: check the drive and the disc, then run again (or use another disc).',
  mount:
    'Mounting or unmounting the media for verify hung: check mountMethod and /dev/fuse on this host, unmount any ' +
    'leftover mount point under the working directory, then run again.',
  eject: 'The tray did not move: check the drive, or set noEject: true for this device in agent.yaml.',
};

export class ProgramTimeoutError extends CedarStoreError {
  constructor(tool: string, limitMs: number, kind?: TimeoutKind) {
    const limit = describeDuration(limitMs);
    super(
      kind === undefined ? 'INTERNAL' : CODE_BY_KIND[kind],
      kind === undefined
        ? `${tool} hung: it ran longer than ${limit} and was stopped with every process it started`
        : `${tool} hung: it ran longer than ${limit}, the ${kind} time limit (timeouts.${kind} in agent.yaml), ` +
            `and was stopped with every process it started. ${ADVICE[kind]} ` +
            `Raise timeouts.${kind} only if this can truly take longer.`,
      { tool, limitMs, ...(kind === undefined ? {} : { timeout: kind }) },
    );
  }
}
