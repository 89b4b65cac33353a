import {
  MAX_RECORDED_AUDIT_PROBLEMS,
  type AuditCatalog,
  type DiscAuditRecord,
  type DiscAuditState,
  type DiscLastAudit,
} from '../audit-catalog.js';
import { carriesLabel, type MediaCatalog } from '../media-catalog.js';

/**
 * The audits in memory, for unit tests only. Discs are numbered as the SQLite catalog numbers
 * them: 1 for the first the media catalog started, and on.
 */
export class InMemoryAuditCatalog implements AuditCatalog {
  private readonly audits: DiscAuditRecord[] = [];

  constructor(private readonly media: MediaCatalog) {}

  async recordAudit(audit: DiscAuditRecord): Promise<void> {
    const kept = structuredClone({ ...audit, problems: audit.problems.slice(0, MAX_RECORDED_AUDIT_PROBLEMS) });
    const earlier = this.audits.findIndex((candidate) => candidate.runId === audit.runId);
    if (earlier >= 0) this.audits.splice(earlier, 1);
    this.audits.push(kept);
  }

  async discCarrying(label: string): Promise<{ discId: number; label: string; sessions: number } | null> {
    const discs = await this.media.list();
    const index = discs.findIndex((disc) => carriesLabel(disc, label));
    if (index < 0) return null;
    const disc = discs[index]!;
    return { discId: discs.length - index, label: disc.label, sessions: disc.sessions.length };
  }

  async lastAudit(discId: number): Promise<DiscAuditRecord | null> {
    const audit = this.newest(discId);
    return audit ? structuredClone(audit) : null;
  }

  async lastAudits(): Promise<DiscLastAudit[]> {
    return (await this.media.list()).reverse().map((disc, index) => {
      const audit = this.newest(index + 1);
      return {
        discId: index + 1,
        label: disc.label,
        startedAt: disc.startedAt,
        lastAudit: audit ? structuredClone(audit) : null,
      };
    });
  }

  async auditState(): Promise<{ discs: DiscAuditState[]; outcomes: { passed: number; failed: number } }> {
    const discs = (await this.media.list()).reverse();
    const passed = this.audits.filter((audit) => audit.ok).length;
    return {
      discs: discs.flatMap((disc, index) => {
        if (disc.supersededAt !== undefined) return [];
        const verified = disc.sessions
          .filter((session) => session.verified === true)
          .map((session) => session.writtenAt);
        return [
          {
            discId: index + 1,
            label: disc.label,
            startedAt: disc.startedAt,
            lastAuditAt: this.newest(index + 1)?.auditedAt ?? null,
            lastVerifiedAt: verified.sort().at(-1) ?? null,
          },
        ];
      }),
      outcomes: { passed, failed: this.audits.length - passed },
    };
  }

  private newest(discId: number): DiscAuditRecord | undefined {
    return this.audits
      .filter((audit) => audit.discId === discId)
      .reduce<DiscAuditRecord | undefined>(
        (newest, audit) => (newest && newest.auditedAt > audit.auditedAt ? newest : audit),
        undefined,
      );
  }
}
