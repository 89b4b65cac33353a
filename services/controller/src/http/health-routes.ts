/**
 * Probes and scrapes. `/healthz` answers without a token so that a process supervisor can
 * ask whether the controller lives without holding the API token; everything that tells more
 * (readiness checks, metrics) needs the token like the rest of the API.
 */
import { Router, type RequestHandler } from 'express';
import type { ControllerMetrics } from './metrics.js';
import type { Readiness } from './schemas.js';

export const healthz: RequestHandler = (_req, res) => {
  res.json({ status: 'ok' });
};

export type OperationsRoutesDeps = { ready: () => Readiness; metrics: ControllerMetrics };

export function operationsRoutes({ ready, metrics }: OperationsRoutesDeps): Router {
  const router = Router();
  router.get('/readyz', (_req, res) => {
    const readiness = ready();
    res.status(readiness.ready ? 200 : 503).json({ ready: readiness.ready, checks: readiness.checks });
  });
  router.get('/metrics', async (_req, res) => {
    const text = await metrics.render();
    res.type(metrics.contentType).send(text);
  });
  return router;
}
