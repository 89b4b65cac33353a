import type { DayStamp } from '@cedar-store/domain';
import type { Md5Check } from './wire/methods.js';

/** A file's size and SHA-256 (hex), as the manifest recorded it or the audit read it. */
export type FileFingerprint = { size: number; sha256: string };

/** One thing an audit found wrong with a disc, named by the file's path on the disc (`YYYY/MM/DD/...`). */
export type AuditProblem =
  /** In the manifest, not on the disc. */
  | { kind: 'missing'; day: DayStamp; path: string; expected: FileFingerprint }
  /** On the disc, not in the manifest. */
  | { kind: 'extra'; day: DayStamp; path: string; actual: FileFingerprint }
  /** On both, with another size or hash. */
  | { kind: 'differing'; day: DayStamp; path: string; expected: FileFingerprint; actual: FileFingerprint }
  /** On the disc, but the drive could not read it (the agent's read error). */
  | { kind: 'unreadable'; path: string; error: string };

export type AuditProblemKind = AuditProblem['kind'];

/** Problems an audit record keeps by name; its counts cover them all. */
export const MAX_RECORDED_AUDIT_PROBLEMS = 100;

/** One audit of one disc, as the catalog keeps it (docs/auditing.md). */
export type DiscAuditRecord = {
  /** The catalog's number of the disc (as `manifest --disc` and `find` show it). */
  discId: number;
  runId: string;
  auditedAt: string;
  /** No problem of any kind and xorriso's MD5 check did not find a mismatch. */
  ok: boolean;
  /** Files the audit read and hashed. */
  files: number;
  counts: Record<AuditProblemKind, number>;
  md5: Md5Check['verdict'];
  /** The first problems (at most MAX_RECORDED_AUDIT_PROBLEMS), in the order found. */
  problems: AuditProblem[];
};

/** A disc the media still holds, and when it was last checked, for the audit metrics and alert. */
export type DiscAuditState = {
  discId: number;
  label: string;
  /** When the disc's first session was written. */
  startedAt: string;
  /** The newest audit's time, null when it was never audited. */
  lastAuditAt: string | null;
  /** The newest session of the disc that read back identical on the night it was written. */
  lastVerifiedAt: string | null;
};

/** A disc of the catalog, superseded or not, with its number and newest audit. */
export type DiscLastAudit = {
  discId: number;
  label: string;
  /** When the disc's first session was written. */
  startedAt: string;
  /** The newest audit, null when the disc was never audited. */
  lastAudit: DiscAuditRecord | null;
};

/** The audits of the catalog's discs. */
export interface AuditCatalog {
  /** Keeps an audit (its problems cut to MAX_RECORDED_AUDIT_PROBLEMS); a second record of the same run replaces the first. */
  recordAudit(audit: DiscAuditRecord): Promise<void>;
  /**
   * The disc the media in a drive is, by the label it carries (media.status, media.audit): the
   * newest disc whose own label or one of whose sessions' labels it is (carriesLabel), with the
   * number of sessions the catalog has of it; null when the catalog has none.
   */
  discCarrying(label: string): Promise<{ discId: number; label: string; sessions: number } | null>;
  /** The disc's newest audit, null when it was never audited. */
  lastAudit(discId: number): Promise<DiscAuditRecord | null>;
  /**
   * Every disc of the catalog, superseded ones too (an audit before the media was blanked is
   * still the disc's last word), oldest first, with its newest audit: GET /api/v1/media.
   */
  lastAudits(): Promise<DiscLastAudit[]>;
  /** Every disc not superseded, oldest first, with its last audit and verify; and how many audits passed and failed. */
  auditState(): Promise<{ discs: DiscAuditState[]; outcomes: { passed: number; failed: number } }>;
}
