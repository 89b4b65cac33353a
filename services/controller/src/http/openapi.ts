/**
 * The OpenAPI document, generated from the same zod schemas the routes validate with, so
 * what it promises is what the API enforces.
 */
import { OpenAPIRegistry, OpenApiGeneratorV31, type ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import {
  CancelResponseSchema,
  DeviceParamsSchema,
  DevicesResponseSchema,
  ErrorBodySchema,
  HealthSchema,
  MediaCatalogResponseSchema,
  MediaStatusResponseSchema,
  ReadinessSchema,
  RunEventMessageSchema,
  RunListSchema,
  RunParamsSchema,
  RunResponseSchema,
  RunsQuerySchema,
  SubmitRunBodySchema,
} from './schemas.js';
import {
  DiscParamsSchema,
  FilesQuerySchema,
  FilesResponseSchema,
  ManifestQuerySchema,
  ManifestResponseSchema,
} from './manifest-schemas.js';

export type OpenApiDocument = ReturnType<OpenApiGeneratorV31['generateDocument']>;

const API_VERSION = '1.0.0';

const json = (schema: z.ZodType, description: string): ResponseConfig => ({
  description,
  content: { 'application/json': { schema } },
});

const ERROR_MEANINGS: Record<number, string> = {
  400: 'INVALID_REQUEST: the request is malformed; the message names the field',
  401: 'UNAUTHORIZED: missing or wrong bearer token',
  404: 'Not found: DEVICE_UNKNOWN, or INVALID_REQUEST for an unknown run or route',
  409: 'Conflict: DEVICE_BUSY, DEVICE_MOUNTED, MEDIA_*, WRONG_DISC, or INVALID_REQUEST for a run that already finished',
  413: 'INVALID_REQUEST: the body is over 1 MiB',
  415: 'INVALID_REQUEST: the body is not JSON',
  500: 'INTERNAL: the controller failed; its log has the details',
  503: 'AGENT_UNREACHABLE, AGENT_LOST or TOOL_MISSING: the agent cannot do it now',
};

function errors(...statuses: number[]): Record<string, ResponseConfig> {
  return Object.fromEntries(
    [401, ...statuses, 500].map((status) => [String(status), json(ErrorBodySchema, ERROR_MEANINGS[status] ?? '')]),
  );
}

export function buildOpenApiDocument(): OpenApiDocument {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'The API token: auth.token or auth.tokenFile in controller.yaml, or CEDAR_STORE_TOKEN',
  });

  registry.registerPath({
    method: 'get',
    path: '/healthz',
    operationId: 'getHealth',
    tags: ['service'],
    summary: 'Liveness: the controller process answers (no token needed)',
    security: [],
    responses: {
      200: json(HealthSchema, 'The controller is alive'),
      '4XX': json(ErrorBodySchema, 'The request itself was refused, e.g. 431 when its headers are too large'),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/readyz',
    operationId: 'getReadiness',
    tags: ['service'],
    summary: 'Readiness: the database is open and the configuration loaded',
    responses: {
      200: json(ReadinessSchema, 'Ready'),
      503: json(ReadinessSchema, 'Not ready; the failing checks say why'),
      ...errors(),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/metrics',
    operationId: 'getMetrics',
    tags: ['service'],
    summary: 'Prometheus metrics',
    responses: {
      200: { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: z.string() } } },
      ...errors(),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/devices',
    operationId: 'listDevices',
    tags: ['devices'],
    summary: 'Agents and their connection state; devices, busy or idle, and their queues',
    responses: { 200: json(DevicesResponseSchema, 'Every configured agent and device'), ...errors(503) },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/devices/{agent}/{device}/media',
    operationId: 'getDeviceMedia',
    tags: ['devices'],
    summary: "The media in a device now, as the device's agent reads it",
    request: { params: DeviceParamsSchema },
    responses: { 200: json(MediaStatusResponseSchema, 'Media status'), ...errors(400, 404, 409, 503) },
  });
  registry.registerPath({
    method: 'post',
    path: '/api/v1/runs',
    operationId: 'submitRun',
    tags: ['runs'],
    summary: 'Queue a store, rebuild, initialize, verify, restore or audit run',
    request: { body: { required: true, content: { 'application/json': { schema: SubmitRunBodySchema } } } },
    responses: {
      202: {
        ...json(RunResponseSchema, 'Queued; follow it at the Location header or its events'),
        headers: z.object({ Location: z.string().meta({ description: '/api/v1/runs/{id}' }) }),
      },
      ...errors(400, 404, 413, 415, 503),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/runs',
    operationId: 'listRuns',
    tags: ['runs'],
    summary: 'Runs, newest first',
    request: { query: RunsQuerySchema },
    responses: { 200: json(RunListSchema, 'Runs'), ...errors(400) },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/runs/{id}',
    operationId: 'getRun',
    tags: ['runs'],
    summary: 'One run, with every decision it took and why',
    request: { params: RunParamsSchema },
    responses: { 200: json(RunResponseSchema, 'The run'), ...errors(400, 404) },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/runs/{id}/events',
    operationId: 'streamRunEvents',
    tags: ['runs'],
    summary: "A run's events as Server-Sent Events: history, then live, ending after the finished event",
    description:
      'Each message has `id` (the sequence number), `event` (step, progress, warning or finished) and `data` ' +
      '(a RunEvent as JSON). Send `Last-Event-ID` to resume after an event. Comment lines keep a quiet stream open.',
    request: {
      params: RunParamsSchema,
      headers: z.object({ 'Last-Event-ID': z.string().regex(/^\d+$/).optional() }),
    },
    responses: {
      200: {
        description: "An event stream; each message's data is one RunEvent as JSON",
        content: { 'text/event-stream': { schema: RunEventMessageSchema } },
      },
      ...errors(400, 404),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/api/v1/runs/{id}/cancel',
    operationId: 'cancelRun',
    tags: ['runs'],
    summary: 'Cancel a queued run, or stop a running one at its next step boundary (never mid-write)',
    request: { params: RunParamsSchema },
    responses: { 200: json(CancelResponseSchema, 'Cancelled, or cancel requested'), ...errors(400, 404, 409) },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/media',
    operationId: 'listMedia',
    tags: ['media'],
    summary: 'The media catalog: disc label, sessions, staging days, run ids, bytes',
    responses: { 200: json(MediaCatalogResponseSchema, 'Every disc, newest first'), ...errors() },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/discs/{disc}/manifest',
    operationId: 'getDiscManifest',
    tags: ['media'],
    summary: "A disc's manifest: each file of each day written, with its size and SHA-256, a page at a time",
    description:
      'A disc written before manifests were recorded, or whose verify did not pass, answers with no days. ' +
      'Follow nextCursor for the next page.',
    request: { params: DiscParamsSchema, query: ManifestQuerySchema },
    responses: { 200: json(ManifestResponseSchema, 'A page of the manifest'), ...errors(400, 404) },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/files',
    operationId: 'findFiles',
    tags: ['media'],
    summary: 'Which disc holds a file: every manifest searched with a glob, newest day first, a page at a time',
    request: { query: FilesQuerySchema },
    responses: { 200: json(FilesResponseSchema, 'A page of the files found'), ...errors(400) },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/openapi.json',
    operationId: 'getOpenApiDocument',
    tags: ['service'],
    summary: 'This document',
    responses: {
      200: { description: 'OpenAPI 3.1 document', content: { 'application/json': { schema: z.object({}) } } },
      ...errors(),
    },
  });

  const generator = new OpenApiGeneratorV31(registry.definitions);
  return generator.generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'cedar-store controller',
      version: API_VERSION,
      description:
        'Writes staging days to optical media or ISO images and verifies them. Every error is ' +
        '`{ "error": { "code", "message" } }` with a stable code.',
      license: { name: 'GPL-2.0-or-later', identifier: 'GPL-2.0-or-later' },
    },
    // Relative: the controller that serves this document; the paths carry the /api/v1 prefix.
    servers: [{ url: '/', description: 'the controller serving this document' }],
    tags: [
      {
        name: 'runs',
        description: 'Queue store, rebuild, initialize, verify, restore and audit runs; follow and cancel them',
      },
      { name: 'devices', description: 'Agents, their devices and the media in them' },
      { name: 'media', description: 'The media catalog: which day is on which disc' },
      { name: 'service', description: 'Health, readiness, metrics and this document' },
    ],
    security: [{ [bearer.name]: [] }],
  });
}
