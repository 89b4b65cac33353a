export { createApp, DEFAULT_API_LIMITS, type ApiDeps, type ApiLimits } from './app.js';
export { ControllerMetrics, type ControllerMetricsOptions } from './metrics.js';
export { buildOpenApiDocument, type OpenApiDocument } from './openapi.js';
export { describeFailure, statusForCode, type ErrorBody } from './errors.js';
export type { EventStreamLimits } from './run-events-stream.js';
export * from './schemas.js';
