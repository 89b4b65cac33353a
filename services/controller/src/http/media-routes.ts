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
 * Each disc the media still holds with its number and last audit (docs/auditing.md), matched by
 * label and start; a superseded disc is left as it is (nothing of it is left to audit).
 */
async function withAudits(discs: CatalogDisc[], audits: AuditCatalog): Promise<ListedDisc[]> {
  const { discs: states } = await audits.auditState();
  const byKey = new Map(states.map((state) => [`${state.label}\n${state.startedAt}`, state]));
  const answer: ListedDisc[] = [];
  for (const disc of discs) {
    const state = disc.supersededAt ? undefined : byKey.get(`${disc.label}\n${disc.startedAt}`);
    if (!state) {
      answer.push(disc);
      continue;
    }
    const last = state.lastAuditAt === null ? null : await audits.lastAudit(state.discId);
    answer.push({ ...disc, id: state.discId, lastAudit: last && listedAudit(last) });
  }
  return answer;
}

/** The audit as the listing shows it: its problems counted whole, not only the recorded first ones. */
function listedAudit(audit: DiscAuditRecord): ListedAudit {
  const { missing, extra, differing, unreadable } = audit.counts;
  return { at: audit.auditedAt, ok: audit.ok, problems: missing + extra + differing + unreadable, runId: audit.runId };
}
