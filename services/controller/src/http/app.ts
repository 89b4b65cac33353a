/**
 * The controller's HTTP API (docs/http-api.md). Order matters: the liveness probe answers
 * before the token check, the token check runs before any body is read, and every failure,
 * an unknown route included, leaves through one error handler in one shape.
 */
import type { AuditCatalog, DeviceDirectory, ManifestCatalog, MediaCatalog } from '@cedar-store/ports';
import express from 'express';
import type { Logger } from 'pino';
import type { RunCoordinator } from '../runs/run-coordinator.js';
import type { ObservableRunRepository } from '../runs/run-events.js';
import { requireBearerToken } from './auth.js';
import { builtDashboardRoot, dashboardRoutes } from './dashboard-routes.js';
import { devicesRoutes } from './devices-routes.js';
import { errorHandler, unknownRoute } from './errors.js';
import { healthz, operationsRoutes } from './health-routes.js';
import { manifestRoutes } from './manifest-routes.js';
import { mediaRoutes } from './media-routes.js';
import type { ControllerMetrics } from './metrics.js';
import { buildOpenApiDocument } from './openapi.js';
import { requestLog } from './request-log.js';
import { DEFAULT_EVENT_STREAM_LIMITS, type EventStreamLimits } from './run-events-stream.js';
import { runsRoutes } from './runs-routes.js';
import type { Readiness } from './schemas.js';

export type ApiLimits = EventStreamLimits & {
  /** The largest JSON body accepted; a run request is a few hundred bytes. */
  maxBodyBytes: number;
};

export const DEFAULT_API_LIMITS: ApiLimits = { ...DEFAULT_EVENT_STREAM_LIMITS, maxBodyBytes: 1024 * 1024 };

export type ApiDeps = {
  coordinator: RunCoordinator;
  runs: ObservableRunRepository;
  catalog: MediaCatalog;
  /** The discs' audits: GET /api/v1/media shows each disc's number and last audit. */
  audits?: AuditCatalog;
  /** The manifests of written days: GET /api/v1/discs/{disc}/manifest and /api/v1/files. */
  manifests: ManifestCatalog;
  devices: DeviceDirectory;
  /** The controller's time zone, named in GET /api/v1/devices; the host's when unset. */
  timeZone?: string | undefined;
  /** The bearer token every route but /healthz requires. */
  token: string;
  metrics: ControllerMetrics;
  /** Readiness checks (database open, configuration loaded), asked at each /readyz. */
  ready: () => Readiness;
  logger?: Logger;
  limits?: Partial<ApiLimits>;
  /** The built dashboard's folder, served at / without a token; the installed build when left out. */
  dashboardRoot?: string;
};

export function createApp(deps: ApiDeps): express.Express {
  const limits: ApiLimits = { ...DEFAULT_API_LIMITS, ...deps.limits };
  const openApiDocument = buildOpenApiDocument();
  const app = express();
  app.disable('x-powered-by');
  // Run state changes by the second: a cached or revalidated answer would be a stale one.
  app.disable('etag');

  app.use(requestLog(deps.logger));
  app.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  app.get('/healthz', healthz);
  app.use(dashboardRoutes(deps.dashboardRoot ?? builtDashboardRoot()));
  app.use(requireBearerToken(deps.token));
  app.use(express.json({ limit: limits.maxBodyBytes, strict: true }));

  app.use(operationsRoutes({ ready: deps.ready, metrics: deps.metrics }));
  app.use(devicesRoutes({ devices: deps.devices, coordinator: deps.coordinator, timeZone: deps.timeZone }));
  app.use(runsRoutes({ coordinator: deps.coordinator, runs: deps.runs, eventStream: limits }));
  app.use(mediaRoutes(deps.catalog, deps.audits));
  app.use(manifestRoutes(deps.manifests));
  app.get('/api/v1/openapi.json', (_req, res) => {
    res.json(openApiDocument);
  });

  app.use(unknownRoute);
  app.use(errorHandler);
  return app;
}
