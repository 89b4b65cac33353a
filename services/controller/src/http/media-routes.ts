import type { MediaCatalog } from '@cedar-store/ports';
import { Router } from 'express';
import { NoQuerySchema } from './schemas.js';
import { parseRequest } from './validate.js';

/** The media catalog: which disc holds which staging days, so a restore starts at the right disc. */
export function mediaRoutes(catalog: MediaCatalog): Router {
  const router = Router();
  router.get('/api/v1/media', async (req, res) => {
    parseRequest(NoQuerySchema, req.query, 'query');
    res.json({ discs: await catalog.list() });
  });
  return router;
}
