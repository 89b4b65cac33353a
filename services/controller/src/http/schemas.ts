/**
 * The API's shapes, written once: routes validate requests with them and the OpenAPI
 * document is generated from them, so the two cannot drift apart. Request schemas are
 * strict: an unknown field or query parameter is refused rather than silently ignored,
 * because a misspelt option (`ful: true`) must not run a different store than the one asked for.
 */
import {
  BackendSchema,
  ByteCountSchema,
  CountSchema,
  DaysSchema,
  DayStampSchema,
  DeviceRefSchema,
  IdSchema,
  MediaStatusSchema,
  MediaTypeSchema,
  RestorePathsSchema,
  RestoreTargetSchema,
  RunActionSchema,
  RunEventSchema,
  RunSchema,
  RunStatusSchema,
} from '@cedar-store/ports';
import { z } from 'zod';

export const API_LIMITS = {
  /** Runs one list request returns when it does not say. */
  defaultRunListLimit: 50,
  maxRunListLimit: 1000,
  /** Run ids are UUIDs; the bound keeps hostile ids out of lookups and logs. */
  maxRunIdLength: 100,
} as const;

export const RunIdSchema = z
  .string()
  .min(1)
  .max(API_LIMITS.maxRunIdLength)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, { message: 'must be a run id (letters, digits, "-" and "_")' })
  .meta({ description: 'A run id, as POST /api/v1/runs returned it', example: '0b6f1c2e-5d8a-4f0e-9a51-3c2d7e8f9a10' });

export const RunParamsSchema = z.strictObject({ id: RunIdSchema });

export const DeviceParamsSchema = z.strictObject({
  agent: IdSchema.meta({ description: 'The agent id, as in controller.yaml', example: 'burner-1' }),
  device: IdSchema.meta({ description: 'The device id on that agent', example: 'dvd0' }),
});

/** Routes that take no query parameters refuse any, like unknown body fields. */
export const NoQuerySchema = z.strictObject({});

export const SubmitRunBodySchema = z
  .strictObject({
    action: RunActionSchema,
    device: DeviceRefSchema.optional().meta({
      description: '"agent/device"; may be left out when exactly one device is configured',
      example: 'burner-1/dvd0',
    }),
    full: z
      .boolean()
      .optional()
      .meta({ description: 'store only: write today on a new disc, even when it is already stored' }),
    today: DayStampSchema.optional().meta({
      description: "store and rebuild: the day to call today instead of the controller's date (catch-up runs)",
      example: '2026-11-26',
    }),
    days: DaysSchema.optional().meta({ description: 'verify only: the staging days to compare with the disc' }),
    dryRun: z
      .boolean()
      .optional()
      .meta({
        description:
          'store and rebuild: plan only. The run takes every step up to and including the fit check, then stops: ' +
          'nothing is blanked, written or marked, and the run is kept with options.dryRun true',
      }),
    day: DayStampSchema.optional().meta({
      description: 'restore only (required): the day to restore; the catalog names the disc that holds it',
      example: '2026-11-26',
    }),
    paths: RestorePathsSchema.optional().meta({
      description: 'restore only: globs (as GET /api/v1/files takes them) of the files within the day to restore',
      example: ['docs/**', '*.conf'],
    }),
    target: RestoreTargetSchema.optional().meta({
      description:
        "restore only (required): one directory name under the agent's restoreRoot (letters, digits, '.', '_', '-')",
      example: 'nov26',
    }),
    force: z
      .boolean()
      .optional()
      .meta({ description: 'restore only: restore into a target that is not empty, replacing files of the same name' }),
  })
  .meta({ id: 'SubmitRun' });

export const RunsQuerySchema = z.strictObject({
  status: RunStatusSchema.optional(),
  device: DeviceRefSchema.optional(),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(API_LIMITS.maxRunListLimit)
    .default(API_LIMITS.defaultRunListLimit)
    .meta({ description: `How many runs, newest first (1–${API_LIMITS.maxRunListLimit})` }),
});

export const ErrorBodySchema = z
  .strictObject({
    error: z.strictObject({
      code: z.string().meta({ description: 'A stable code scripts can match on', example: 'DEVICE_UNKNOWN' }),
      message: z.string().meta({ description: 'What happened and what to do next' }),
    }),
  })
  .meta({ id: 'Error' });

export const RunResponseSchema = RunSchema.meta({ id: 'Run' });
export const RunListSchema = z.strictObject({ runs: z.array(RunResponseSchema) }).meta({ id: 'RunList' });

/** One message of a run's event stream: the event as recorded, with its run, sequence number and time. */
export const RunEventMessageSchema = z
  .union(
    RunEventSchema.options.map((option) =>
      option.extend({ runId: RunIdSchema, seq: z.number().int().min(1), at: z.string() }),
    ),
  )
  .meta({ id: 'RunEvent' });

export const CancelResponseSchema = z
  .strictObject({
    outcome: z.enum(['cancelled', 'requested']).meta({
      description:
        'cancelled: the run was queued and will never start; requested: it stops at its next step boundary, or finishes if its write has begun',
    }),
    run: RunResponseSchema,
  })
  .meta({ id: 'CancelOutcome' });

export const AgentViewSchema = z
  .strictObject({
    id: IdSchema,
    url: z.string().optional(),
    state: z.enum(['connecting', 'connected', 'disconnected']),
    version: z.string().optional(),
    lastError: z.string().optional(),
    since: z.string().optional(),
  })
  .meta({ id: 'Agent' });

export const DeviceViewSchema = z
  .strictObject({
    ref: DeviceRefSchema,
    agent: IdSchema,
    device: IdSchema,
    backend: BackendSchema,
    mediaType: MediaTypeSchema,
    connected: z.boolean(),
    activity: z.enum(['busy', 'idle']),
    activeRun: RunIdSchema.optional(),
    queued: CountSchema.meta({ description: 'Runs waiting for this device' }),
  })
  .meta({ id: 'Device' });

export const DevicesResponseSchema = z
  .strictObject({
    timeZone: z
      .string()
      .optional()
      .meta({ description: "The controller's time zone (IANA name): the zone its days and times are in" }),
    agents: z.array(AgentViewSchema),
    devices: z.array(DeviceViewSchema),
  })
  .meta({ id: 'Devices' });

export const MediaStatusResponseSchema = MediaStatusSchema.meta({ id: 'MediaStatus' });

export const CatalogSessionSchema = z
  .strictObject({
    device: DeviceRefSchema,
    discLabel: z.string(),
    sessionLabel: z.string(),
    newDisc: z.boolean(),
    days: z.array(DayStampSchema),
    bytes: ByteCountSchema,
    runId: RunIdSchema,
    writtenAt: z.string(),
    verified: z
      .boolean()
      .optional()
      .describe('true: read back identical; false: verify found differences; absent: not read back'),
  })
  .meta({ id: 'CatalogSession' });

export const CatalogDiscSchema = z
  .strictObject({
    label: z.string(),
    device: DeviceRefSchema,
    startedAt: z.string(),
    sessions: z.array(CatalogSessionSchema),
    supersededAt: z
      .string()
      .optional()
      .describe('when the rewritable media holding this disc was blanked for a newer disc: its sessions are gone'),
    id: z.number().int().optional().describe("the catalog's number of the disc (as manifest --disc and find show it)"),
    lastAudit: z
      .strictObject({
        at: z.string(),
        ok: z.boolean(),
        problems: z.number().int().describe('missing, extra, differing and unreadable files found, together'),
        runId: RunIdSchema.describe('the audit run: its summary names the first problems'),
      })
      .nullable()
      .optional()
      .describe(
        "the disc's newest audit (docs/auditing.md); null: never audited; absent: a superseded disc never audited",
      ),
  })
  .meta({ id: 'CatalogDisc' });

export const MediaCatalogResponseSchema = z
  .strictObject({ discs: z.array(CatalogDiscSchema).meta({ description: 'Newest disc first' }) })
  .meta({ id: 'MediaCatalog' });

export const HealthSchema = z.strictObject({ status: z.literal('ok') });

export const ReadinessSchema = z
  .strictObject({
    ready: z.boolean(),
    checks: z.record(z.string(), z.union([z.boolean(), z.string()])).meta({
      description: 'Each check: true when it passes, false or a reason when it does not',
    }),
  })
  .meta({ id: 'Readiness' });

export type SubmitRunBody = z.infer<typeof SubmitRunBodySchema>;
export type RunsQuery = z.infer<typeof RunsQuerySchema>;
export type AgentView = z.infer<typeof AgentViewSchema>;
export type DeviceView = z.infer<typeof DeviceViewSchema>;
export type Readiness = z.infer<typeof ReadinessSchema>;
