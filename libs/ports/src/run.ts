/**
 * A run: one store, rebuild, initialize or verify on one device, with every decision it
 * took and why (docs/design.md#run-model). Fields appear as their step runs.
 */
import { z } from 'zod';
import { RUN_ACTIONS, RUN_STATUSES } from './wire/constants.js';
import { restoreTargetProblem } from '@cedar-store/domain';
import { MAX_RECORDED_AUDIT_PROBLEMS } from './audit-catalog.js';
import {
  JournaledMethodSchema,
  Md5CheckSchema,
  OperationStateSchema,
  VerifyReportSchema,
  ProgressSchema,
} from './wire/methods.js';
import {
  ByteCountSchema,
  CountSchema,
  DaysSchema,
  DiscLabelSchema,
  LIMITS,
  DayStampSchema,
  DeviceRefSchema,
  OperationIdSchema,
} from './wire/primitives.js';

export { FINISHED_STATUSES, isFinished, RUN_ACTIONS, RUN_STATUSES } from './wire/constants.js';
export const STEP_NAMES = [
  'select',
  'checkMedia',
  'blankDecision',
  'estimate',
  'write',
  'verify',
  'storeIndicator',
  'capacity',
  'catalog',
  'initialize',
  'manifest',
  'restore',
  'audit',
] as const;

export const RunActionSchema = z.enum(RUN_ACTIONS);

/** A restore's target: one directory name under the agent's restoreRoot (docs/restoring.md#targets). */
export const RestoreTargetSchema = z
  .string()
  .max(200)
  .superRefine((name, ctx) => {
    const problem = restoreTargetProblem(name);
    if (problem) ctx.addIssue({ code: 'custom', message: `${problem}: give one plain directory name` });
  });

/** `--path` globs of a restore: the files within the day to restore (as `find` takes them). */
export const RestorePathsSchema = z.array(z.string().min(1).max(1024)).min(1).max(32);

/** A file of the manifest a restore did not reproduce: its bytes differ, or it was not restored at all. */
export const RestoreMismatchSchema = z.strictObject({
  path: z.string().max(4096),
  kind: z.enum(['content', 'missing']),
});

/** What a restore did and what it could check (docs/restoring.md#what-is-checked). */
export const RestoreSummarySchema = z.strictObject({
  day: DayStampSchema,
  /** The disc the catalog says holds the day, and the session that wrote it. */
  disc: z.strictObject({ id: CountSchema.optional(), label: DiscLabelSchema, session: CountSchema }),
  /** `<restoreRoot>/<target>` on the agent host. */
  target: z.string().max(4096),
  files: CountSchema,
  bytes: ByteCountSchema,
  symlinks: CountSchema,
  /** Paths on the disc the agent would not restore; the first few are named in a warning. */
  refused: CountSchema,
  /** Whether the catalog holds a manifest of the day; without one nothing could be checked. */
  manifest: z.boolean(),
  /** Files whose SHA-256 was compared with the manifest. */
  checked: CountSchema,
  /** The first mismatches, by path; `mismatchCount` counts all. */
  mismatches: z.array(RestoreMismatchSchema).max(LIMITS.maxMismatchesReported),
  mismatchCount: CountSchema,
  /** Files restored that the manifest does not list (named in a warning; they fail nothing). */
  unlisted: CountSchema,
});

/** A problem an audit found, named by the file's path on the disc (`YYYY/MM/DD/...`). */
export const AuditProblemSummarySchema = z.strictObject({
  kind: z.enum(['missing', 'extra', 'differing', 'unreadable']),
  path: z.string().max(4096),
});

/** What an audit read from a disc and how it compared with the catalog's manifest (docs/auditing.md). */
export const AuditSummarySchema = z.strictObject({
  /** The catalog's disc the label in the drive names. */
  disc: z.strictObject({ id: CountSchema, label: DiscLabelSchema }),
  files: CountSchema,
  bytes: ByteCountSchema,
  ok: z.boolean(),
  counts: z.strictObject({
    missing: CountSchema,
    extra: CountSchema,
    differing: CountSchema,
    unreadable: CountSchema,
  }),
  /** xorriso's MD5 check of the sessions: `absent` when the disc carries no MD5s (no failure). */
  md5: Md5CheckSchema.shape.verdict,
  /** The first problems, in the order found; `counts` counts all. */
  problems: z.array(AuditProblemSummarySchema).max(MAX_RECORDED_AUDIT_PROBLEMS),
});
export const RunStatusSchema = z.enum(RUN_STATUSES);
export const StepNameSchema = z.enum(STEP_NAMES);

const Timestamp = z.string().max(40);
const Notice = z.strictObject({ code: z.string().max(64), message: z.string().max(4000) });

export const RunSchema = z.strictObject({
  id: z.string().min(1).max(100),
  action: RunActionSchema,
  device: DeviceRefSchema,
  status: RunStatusSchema,
  requestedAt: Timestamp,
  startedAt: Timestamp.optional(),
  finishedAt: Timestamp.optional(),
  options: z.strictObject({
    full: z.boolean().optional(),
    today: DayStampSchema.optional(),
    days: DaysSchema.optional(),
    /**
     * A plan only (store and rebuild): the run stops after the fit check, having blanked,
     * written and marked nothing (docs/how-store-decides.md#dry-runs).
     */
    dryRun: z.boolean().optional(),
    /** restore: the day to restore, the globs of the files within it, the target name, and --force. */
    day: DayStampSchema.optional(),
    paths: RestorePathsSchema.optional(),
    target: RestoreTargetSchema.optional(),
    force: z.boolean().optional(),
  }),
  selection: z
    .strictObject({
      /** The day the run called today (the clock's, or the one requested). */
      today: DayStampSchema.optional(),
      days: z.array(DayStampSchema),
      rule: z.enum(['today', 'yesterday', 'tomorrow', 'full', 'rebuild', 'requested']),
      crossedMidnight: z.boolean(),
    })
    .optional(),
  blanking: z
    .strictObject({
      newDisc: z.boolean(),
      rule: z.enum(['rebuild', 'startOfWeek', 'factor', 'append']),
      todayIsStart: z.boolean().optional(),
      /** The media held no session: an append writes its first one, so a new disc starts all the same. */
      mediaBlank: z.boolean().optional(),
      ratio: z.number().optional(),
      factor: z.number().optional(),
      mode: z.enum(['daily', 'weekly']).optional(),
      availableBytes: ByteCountSchema.optional(),
      requiredBytes: ByteCountSchema.optional(),
    })
    .optional(),
  image: z
    .strictObject({
      label: z.string().max(32),
      estimatedBytes: ByteCountSchema.optional(),
      availableBytes: ByteCountSchema.optional(),
      /**
       * `bound`: `estimatedBytes` is the upper bound that proved the image fits with room to
       * spare (the domain's boundProvesFit), and xorriso did not measure it; absent: measured.
       */
      estimate: z.enum(['bound']).optional(),
    })
    .optional(),
  write: z.strictObject({ bytesWritten: ByteCountSchema, sessions: CountSchema, durationMs: CountSchema }).optional(),
  verify: VerifyReportSchema.optional(),
  /**
   * The manifest recorded in the catalog for the days written (docs/manifest-and-find.md):
   * hashed from the bytes the verify compared, or (checkData off) from staging in one read.
   */
  manifest: z.strictObject({ days: CountSchema, files: CountSchema, source: z.enum(['verify', 'staging']) }).optional(),
  restore: RestoreSummarySchema.optional(),
  audit: AuditSummarySchema.optional(),
  /**
   * The latest agent operation of the run (write, blank, initialize, verify) under the id the
   * agent journals it by. `running` on a finished run means the controller lost track of it
   * (a restart, a dropped connection) and asks the agent for its outcome when it can.
   */
  operation: z
    .strictObject({
      opId: OperationIdSchema,
      method: JournaledMethodSchema,
      state: OperationStateSchema,
      /** When the outcome was learned from the agent's journal rather than from its answer. */
      learnedAt: Timestamp.optional(),
    })
    .optional(),
  warnings: z.array(Notice),
  error: Notice.optional(),
});

export type RunAction = z.infer<typeof RunActionSchema>;
export type RunStatus = z.infer<typeof RunStatusSchema>;
export type StepName = z.infer<typeof StepNameSchema>;
export type Run = z.infer<typeof RunSchema>;
export type RestoreSummary = z.infer<typeof RestoreSummarySchema>;
export type RestoreMismatch = z.infer<typeof RestoreMismatchSchema>;
export type AuditSummary = z.infer<typeof AuditSummarySchema>;

/** What a subscriber to a run sees, in order: steps, progress, warnings, and the end. */
export const RunEventSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('step'),
    step: StepNameSchema,
    state: z.enum(['started', 'finished', 'failed', 'skipped']),
    durationMs: CountSchema.optional(),
    detail: z.string().max(4000).optional(),
  }),
  ProgressSchema.extend({ type: z.literal('progress') }),
  Notice.extend({ type: z.literal('warning') }),
  z.strictObject({ type: z.literal('finished'), status: RunStatusSchema, error: Notice.optional() }),
]);

export type RunEventBody = z.infer<typeof RunEventSchema>;
export type RunEvent = RunEventBody & { runId: string; seq: number; at: string };
