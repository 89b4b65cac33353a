/**
 * The agent's JSON-RPC methods (docs/design.md#methods): params and results, shared by the agent that
 * validates what it receives and the controller that validates what comes back.
 */
import { z } from 'zod';
import {
  BackendSchema,
  ByteCountSchema,
  CountSchema,
  DaysSchema,
  DayStampSchema,
  DiscLabelSchema,
  IdSchema,
  LIMITS,
  MediaLabelSchema,
  MediaTypeSchema,
  OperationIdSchema,
} from './primitives.js';

const Empty = z.strictObject({});
const DeviceParams = z.strictObject({ device: IdSchema });
/** Optional so an older controller keeps working; the agent journals the operation under a local id then. */
const OpId = { opId: OperationIdSchema.optional() };

export const StagingDayInfoSchema = z.strictObject({
  day: DayStampSchema,
  exists: z.boolean(),
  staged: z.boolean(),
  stored: z.boolean(),
  /** Bytes of backup data in the day (indicators excluded); 0 when the day is missing. */
  bytes: ByteCountSchema,
  /**
   * The day is a symlink to this directory outside the staging root, which the agent does not
   * follow (agent.yaml `followDaySymlinks` off): nothing in it was read, so `staged`, `stored`
   * and `bytes` say nothing of it. Absent for every other day.
   */
  escapesTo: z.string().min(1).max(4096).optional(),
  /**
   * The day's tree as the image bound reads it (the domain's imageSizeUpperBound): its entries,
   * the bytes of their names, its files' data in sectors. Absent when the day was not read.
   */
  shape: z
    .strictObject({
      files: CountSchema,
      directories: CountSchema,
      nameBytes: ByteCountSchema,
      dataSectors: CountSchema,
    })
    .optional(),
});

export const MediaStatusSchema = z.strictObject({
  mediaPresent: z.boolean(),
  /** The configured media type; the capacity rules follow it. */
  mediaType: MediaTypeSchema,
  rewritable: z.boolean(),
  /** null when the disc has no label (blank, or never labelled): never an empty string for that. */
  label: DiscLabelSchema.nullable(),
  mounted: z.boolean(),
  sessions: CountSchema,
  /** CD multisession boundaries `(lower, upper)`, null when blank or unknown. */
  boundaries: z.tuple([CountSchema, CountSchema]).nullable().optional(),
  sectorsUsed: CountSchema.optional(),
  bytesUsed: ByteCountSchema,
  bytesAvailable: ByteCountSchema,
  /** What the drive itself reports, when it reports anything (e.g. "DVD+RW"). */
  detectedMedia: z.string().max(200).optional(),
  /**
   * Why the disc is taken as empty whatever it holds (a CD drive that does not read
   * multisession discs): the whole capacity is available and a new session starts the disc.
   */
  treatedAsEmpty: z.string().max(1000).optional(),
});

export const MismatchSchema = z.strictObject({
  path: z.string().max(4096),
  kind: z.enum(['missing', 'extra', 'content']),
});

export const VerifyMethodSchema = z.enum(['mount', 'fuseiso', 'direct', 'memory']);

export const VerifyReportSchema = z.strictObject({
  ok: z.boolean(),
  method: VerifyMethodSchema,
  filesCompared: CountSchema,
  bytesCompared: ByteCountSchema,
  /** The first mismatches found, in tree order; `mismatchCount` counts all when there are more. */
  mismatches: z.array(MismatchSchema).max(LIMITS.maxMismatchesReported),
  /**
   * How many mismatches there were in all, sent when there were more than `mismatches` names
   * (absent: the list is all of them, and always from older agents). Sent only then, so that an
   * older controller, which refuses unknown fields, still reads every report that names them all.
   */
  mismatchCount: CountSchema.optional(),
});

/** xorriso's own check of the MD5s it recorded on the disc (`-check_md5_r`), in its words. */
export const Md5CheckSchema = z.strictObject({
  /** `absent`: the disc holds no MD5s (an image of the `virtual` backend, or written without them). */
  verdict: z.enum(['ok', 'mismatch', 'absent']),
  words: z.string().max(4000),
});

/**
 * What an audit read (docs/auditing.md): the disc's label and sessions, the files hashed (their
 * records, sorted by day then path as the catalog orders a manifest, are under `opId` for
 * manifest.read), the files that could not be read with the read error, and xorriso's MD5 check.
 */
export const AuditResultSchema = z.strictObject({
  label: DiscLabelSchema.nullable(),
  sessions: CountSchema,
  files: CountSchema,
  bytes: ByteCountSchema,
  /** The first of the files that could not be read, each with the error; `unreadableCount` counts all. */
  unreadable: z
    .array(z.strictObject({ path: z.string().max(4096), error: z.string().max(500) }))
    .max(LIMITS.maxMismatchesReported),
  unreadableCount: CountSchema,
  /** Files outside the days' tree (`YYYY/MM/DD/...`) and store indicators: never in a manifest, not hashed. */
  skipped: CountSchema,
  md5: Md5CheckSchema,
});

/**
 * A measured image size. `stamp` names what the measurement depended on that the agent can read
 * back without walking the days (docs/decisions/0009-the-estimate-travels-with-the-write.md):
 * a write carrying the estimate reuses it while the stamp still holds.
 */
export const ImageEstimateSchema = z.strictObject({
  bytes: ByteCountSchema,
  stamp: z.string().min(1).max(128).optional(),
});

export const WriteResultSchema = z.strictObject({ bytesWritten: ByteCountSchema, sessions: CountSchema });

export const ProgressPhaseSchema = z.enum(['blank', 'write', 'verify', 'export', 'restore', 'audit']);

export const ProgressSchema = z.strictObject({
  phase: ProgressPhaseSchema,
  bytesDone: ByteCountSchema,
  bytesTotal: ByteCountSchema,
});

/** `{ method: "progress", params }`, sent by the agent while an operation runs. */
export const ProgressNotificationSchema = ProgressSchema.extend({ opId: z.string().min(1).max(100) });

/** The methods the agent journals: the ones that change or read the media for minutes or hours. */
export const JOURNALED_METHODS = [
  'media.write',
  'media.blank',
  'media.initialize',
  'media.verify',
  'media.audit',
] as const;
export const JournaledMethodSchema = z.enum(JOURNALED_METHODS);

/**
 * What the agent's journal knows of one operation. `unknown`: the agent restarted while it ran,
 * so nobody saw how its program ended.
 */
export const OperationStateSchema = z.enum(['running', 'succeeded', 'failed', 'unknown']);

export const OperationRecordSchema = z.strictObject({
  opId: OperationIdSchema,
  method: JournaledMethodSchema,
  device: IdSchema,
  state: OperationStateSchema,
  startedAt: z.string().max(40),
  finishedAt: z.string().max(40).optional(),
  /** The method's own result, when it succeeded. */
  result: z.union([WriteResultSchema, VerifyReportSchema, AuditResultSchema, Empty]).optional(),
  error: z.strictObject({ code: z.string().max(64), message: z.string().max(4000) }).optional(),
});

/** A file of a day on the disc: its path on the disc (`YYYY/MM/DD/...`), size and SHA-256 (hex). */
export const ManifestRecordSchema = z.strictObject({
  day: DayStampSchema,
  path: z.string().min(12).max(4096),
  size: ByteCountSchema,
  sha256: z.string().regex(/^[0-9a-f]{64}$/, { message: 'must be 64 lowercase hex digits' }),
});

/** One page of an operation's manifest; `nextCursor` (a byte offset) is null after the last. */
export const ManifestPageSchema = z.strictObject({
  records: z.array(ManifestRecordSchema).max(LIMITS.maxManifestRecordsPerPage),
  nextCursor: z.number().int().min(0).nullable(),
});

/** What a restore wrote: where, how much, and the disc's paths it would not restore, each with why. */
export const RestoreResultSchema = z.strictObject({
  /** `<restoreRoot>/<target>` on the agent host. */
  target: z.string().min(1).max(4096),
  files: CountSchema,
  bytes: ByteCountSchema,
  directories: CountSchema,
  symlinks: CountSchema,
  /** The first of the paths refused (absolute, `.` or `..` components, in the way); `refusedCount` counts all. */
  refused: z
    .array(z.strictObject({ path: z.string().max(4096), reason: z.string().max(200) }))
    .max(LIMITS.maxMismatchesReported),
  refusedCount: CountSchema,
});

export const DeviceDescriptionSchema = z.strictObject({
  id: IdSchema,
  backend: BackendSchema,
  mediaType: MediaTypeSchema,
});

export const rpcMethods = {
  'agent.describe': {
    params: Empty,
    result: z.strictObject({
      agentId: IdSchema,
      version: z.string().max(64),
      devices: z.array(DeviceDescriptionSchema).max(64),
    }),
  },
  'staging.inspect': {
    params: z.strictObject({ days: DaysSchema }),
    result: z.strictObject({ days: z.array(StagingDayInfoSchema).max(LIMITS.maxDaysPerRequest) }),
  },
  'staging.markStored': {
    params: z.strictObject({ days: DaysSchema }),
    result: z.strictObject({ days: z.array(DayStampSchema).max(LIMITS.maxDaysPerRequest) }),
  },
  'media.status': { params: DeviceParams, result: MediaStatusSchema },
  'media.estimate': {
    params: z.strictObject({
      device: IdSchema,
      days: DaysSchema,
      newDisc: z.boolean(),
      /** The caller sends the estimate back with its write: answer with the stamp. Without it, `{ bytes }` alone. */
      stamped: z.boolean().optional(),
      /**
       * An upper bound of the image that already proved it fits (the domain's boundProvesFit):
       * answer with it and the stamp, without measuring the image.
       */
      upperBound: ByteCountSchema.optional(),
    }),
    result: ImageEstimateSchema,
  },
  'media.write': {
    params: z.strictObject({
      device: IdSchema,
      days: DaysSchema,
      label: MediaLabelSchema,
      newDisc: z.boolean(),
      /** The estimate the controller's fit check used; without one the agent measures the image itself. */
      estimate: ImageEstimateSchema.optional(),
      ...OpId,
    }),
    result: WriteResultSchema,
  },
  'media.blank': { params: z.strictObject({ device: IdSchema, ...OpId }), result: Empty },
  'media.initialize': {
    params: z.strictObject({ device: IdSchema, label: MediaLabelSchema, ...OpId }),
    result: Empty,
  },
  'media.verify': {
    params: z.strictObject({
      device: IdSchema,
      days: DaysSchema,
      /** Record the manifest of a passed verify under the operation id (for manifest.read). */
      manifest: z.boolean().optional(),
      ...OpId,
    }),
    result: VerifyReportSchema,
  },
  /**
   * Restores a day from the disc in the drive into `<restoreRoot>/<target>` (docs/restoring.md),
   * first checking that the disc is the one named (WRONG_DISC otherwise, nothing written). Each
   * restored file's SHA-256 is recorded under `opId` for manifest.read.
   */
  'media.restore': {
    params: z.strictObject({
      device: IdSchema,
      day: DayStampSchema,
      /** The disc the catalog says holds the day, and the session it was written in (1 = the first). */
      disc: z.strictObject({
        label: DiscLabelSchema,
        session: z.number().int().min(1).max(10_000),
        id: CountSchema.optional(),
      }),
      /** One directory name under restoreRoot: letters, digits, `.`, `_`, `-`, never `..`. */
      target: z.string().min(1).max(100),
      /** Restore into a non-empty target, replacing files and symlinks of the same name. */
      force: z.boolean().optional(),
      /** Globs (as find takes them) of the paths within the day to restore; the whole day without. */
      paths: z.array(z.string().min(1).max(1024)).min(1).max(32).optional(),
      opId: OperationIdSchema,
    }),
    result: RestoreResultSchema,
  },
  /**
   * Reads and hashes every file of the disc in the drive (every day, as its last session shows
   * them) and records their SHA-256 under `opId` for manifest.read, sorted by day then path.
   */
  'media.audit': {
    params: z.strictObject({ device: IdSchema, opId: OperationIdSchema }),
    result: AuditResultSchema,
  },
  'media.export': {
    params: z.strictObject({ days: DaysSchema, label: MediaLabelSchema }),
    result: z.strictObject({ path: z.string().min(1).max(4096), bytes: ByteCountSchema }),
  },
  /**
   * A page of the manifest a passed verify (or manifest.hash) recorded under `opId`, from byte
   * `cursor` (0 first, then each page's nextCursor).
   */
  'manifest.read': {
    params: z.strictObject({
      opId: OperationIdSchema,
      cursor: z.number().int().min(0),
      maxRecords: z.number().int().min(1).max(LIMITS.maxManifestRecordsPerPage),
    }),
    result: ManifestPageSchema,
  },
  /** Hashes the staging days in one read and records their manifest under `opId` (a store without read-back). */
  'manifest.hash': {
    params: z.strictObject({ days: DaysSchema, opId: OperationIdSchema }),
    result: z.strictObject({ files: CountSchema, bytes: ByteCountSchema }),
  },
  /** What the agent's journal knows of these operations; ids it has no record of are left out. */
  'operations.get': {
    params: z.strictObject({
      opIds: z
        .array(OperationIdSchema)
        .min(1)
        .max(LIMITS.maxOperationsPerRequest)
        .refine((ids) => new Set(ids).size === ids.length, { message: 'must not name an operation twice' }),
    }),
    result: z.strictObject({ operations: z.array(OperationRecordSchema).max(LIMITS.maxOperationsPerRequest) }),
  },
} as const;

export type RpcMethod = keyof typeof rpcMethods;
export type RpcParams<M extends RpcMethod> = z.infer<(typeof rpcMethods)[M]['params']>;
export type RpcResult<M extends RpcMethod> = z.infer<(typeof rpcMethods)[M]['result']>;

export function isRpcMethod(name: unknown): name is RpcMethod {
  return typeof name === 'string' && Object.hasOwn(rpcMethods, name);
}

export type StagingDayInfo = z.infer<typeof StagingDayInfoSchema>;
export type MediaStatus = z.infer<typeof MediaStatusSchema>;
export type Mismatch = z.infer<typeof MismatchSchema>;
export type VerifyReport = z.infer<typeof VerifyReportSchema>;
export type WriteResult = z.infer<typeof WriteResultSchema>;
export type ImageEstimate = z.infer<typeof ImageEstimateSchema>;
export type Progress = z.infer<typeof ProgressSchema>;
export type DeviceDescription = z.infer<typeof DeviceDescriptionSchema>;
export type ManifestRecord = z.infer<typeof ManifestRecordSchema>;
export type ManifestPage = z.infer<typeof ManifestPageSchema>;
export type RestoreResult = z.infer<typeof RestoreResultSchema>;
export type AuditResult = z.infer<typeof AuditResultSchema>;
export type Md5Check = z.infer<typeof Md5CheckSchema>;
export type JournaledMethod = z.infer<typeof JournaledMethodSchema>;
export type OperationRecord = z.infer<typeof OperationRecordSchema>;
