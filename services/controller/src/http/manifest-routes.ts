/**
 * The manifest of a disc and the search of every manifest for a file (docs/manifest-and-find.md):
 * both paginated, so neither ever answers with a whole day of a million files.
 */
import { parseGlob } from '@cedar-store/domain';
import type { ManifestCatalog } from '@cedar-store/ports';
import { Router } from 'express';
import { RequestRefusedError } from './errors.js';
import { DiscParamsSchema, FilesQuerySchema, ManifestQuerySchema } from './manifest-schemas.js';
import { parseRequest } from './validate.js';

export function manifestRoutes(manifests: ManifestCatalog): Router {
  const router = Router();
  router.get('/api/v1/discs/:disc/manifest', async (req, res) => {
    const { disc: ref } = parseRequest(DiscParamsSchema, req.params, 'path');
    const query = parseRequest(ManifestQuerySchema, req.query, 'query');
    const disc = await manifests.disc(ref);
    if (!disc) {
      throw new RequestRefusedError(404, `no disc "${ref}" in the media catalog: cedar-store media lists the discs`);
    }
    const days = await manifests.manifestDays(disc.id, query.day);
    const page = await manifests.manifestFiles(disc.id, {
      ...(query.day ? { day: query.day } : {}),
      limit: query.limit,
      ...(query.cursor ? { cursor: query.cursor } : {}),
    });
    res.json({ disc, days, files: page.items, nextCursor: page.nextCursor });
  });
  router.get('/api/v1/files', async (req, res) => {
    const query = parseRequest(FilesQuerySchema, req.query, 'query');
    const glob = parseGlob(query.glob);
    const page = await manifests.find({
      glob,
      ...(query.day ? { day: query.day } : {}),
      ...(query.since ? { since: query.since } : {}),
      limit: query.limit,
      ...(query.cursor ? { cursor: query.cursor } : {}),
    });
    res.json({ files: page.items, nextCursor: page.nextCursor });
  });
  return router;
}
