/**
 * An audit's outcome from what the agent read (media.audit's result and its records, paged with
 * manifest.read) and the catalog's manifest of the disc: the record the catalog keeps
 * (AuditCatalog.recordAudit) and the whole comparison, for the run to report.
 */
import type { AuditResult, DiscAuditRecord, ManifestCatalog, ManifestPage } from '@cedar-store/ports';
import { compareManifests, pagedRecords, type ManifestComparison } from './compare-manifests.js';
import { discManifest } from './disc-manifest.js';

export type AuditVerdictInput = {
  manifests: Pick<ManifestCatalog, 'manifestDays' | 'manifestFiles'>;
  discId: number;
  /** What media.audit answered. */
  read: AuditResult;
  /** A page of the agent's records from a byte cursor (manifest.read under the audit's opId). */
  readPage: (cursor: number) => Promise<ManifestPage>;
  runId: string;
  auditedAt: string;
};

export type AuditVerdict = { record: DiscAuditRecord; comparison: ManifestComparison };

/**
 * Passes when no file is missing, extra, differing or unreadable and xorriso's MD5 check found no
 * mismatch (`absent` is no failure: the `virtual` backend writes no MD5s).
 */
export async function auditVerdict(input: AuditVerdictInput): Promise<AuditVerdict> {
  const disc = pagedRecords<number>(async (cursor) => {
    const page = await input.readPage(cursor ?? 0);
    return { records: page.records, next: page.nextCursor };
  });
  const comparison = await compareManifests(discManifest(input.manifests, input.discId), disc, {
    unreadable: input.read.unreadable,
    unreadableCount: input.read.unreadableCount,
  });
  return {
    comparison,
    record: {
      discId: input.discId,
      runId: input.runId,
      auditedAt: input.auditedAt,
      ok: comparison.ok && input.read.md5.verdict !== 'mismatch',
      files: input.read.files,
      counts: comparison.counts,
      md5: input.read.md5.verdict,
      problems: comparison.problems,
    },
  };
}
