import type {
  AuditCatalog,
  CatalogDisc,
  DiscAuditRecord,
  ListedAudit,
  ListedDisc,
  MediaCatalog,
} from '@cedar-store/ports';
import { Router } from 'express';
import { NoQuerySchema } from './schemas.js';
import { parseRequest } from './validate.js';

/** The media catalog: which disc holds which staging days, so a restore starts at the right disc. */
export function mediaRoutes(catalog: MediaCatalog, audits?: AuditCatalog): Router {
  const router = Router();
  router.get('/api/v1/media', async (req, res) => {
    parseRequest(NoQuerySchema, req.query, 'query');
    const discs = await catalog.list();
    res.json({ discs: audits ? await withAudits(discs, audits) : discs });
  });
  return router;
}

/**
 * Each disc with its number and last audit (docs/auditing.md), matched by label and start. A
 * superseded disc keeps the audit it had before its media was blanked; one never audited has
 * none (nothing of it is left to audit).
 */
async function withAudits(discs: CatalogDisc[], audits: AuditCatalog): Promise<ListedDisc[]> {
  const known = new Map((await audits.lastAudits()).map((disc) => [`${disc.label}\n${disc.startedAt}`, disc]));
  return discs.map((disc) => {
    const found = known.get(`${disc.label}\n${disc.startedAt}`);
    if (!found) return disc;
    if (found.lastAudit === null && disc.supersededAt) return { ...disc, id: found.discId };
    return { ...disc, id: found.discId, lastAudit: found.lastAudit && listedAudit(found.lastAudit) };
  });
}

/** The audit as the listing shows it: its problems counted whole, not only the recorded first ones. */
function listedAudit(audit: DiscAuditRecord): ListedAudit {
  const { missing, extra, differing, unreadable } = audit.counts;
  return { at: audit.auditedAt, ok: audit.ok, problems: missing + extra + differing + unreadable, runId: audit.runId };
}
