/**
 * agent.yaml (docs/configuration.md#agentyaml) as a schema: the agent validates its file with
 * it, and the controller's `import-config` writes documents of its types, so the two cannot
 * drift apart. Defaults are filled in on parsing; `AgentConfigDocument` is a file as written.
 */
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { BackendSchema, BearerTokenSchema, IdSchema, MediaTypeSchema } from '../wire/primitives.js';

/**
 * How long each kind of program call may take before its whole process group is stopped.
 * These are the defaults of agent.yaml's `timeouts`. Writes and
 * blanks get hours: a full BD or dual-layer DVD at 1× takes about two, and a burn cut short
 * ruins the disc, so only a program that truly hung may ever reach these limits. Each stays
 * below the controller's wait for the whole call (the controller's agent client: write 12 h,
 * blank and initialize 3 h), so the user gets this precise error rather than a lost call.
 */
export const PROGRAM_TIMEOUTS_MS = {
  /** Reading a drive's state (toc, msinfo, dry run, label) takes seconds; a hung drive must not hold the device. */
  status: 120_000,
  /** Sizing an image walks every file of the days: a large day takes minutes. */
  estimate: 30 * 60_000,
  /** Writing a session or an exported ISO file: 10 h, five times the slowest real burn. */
  write: 10 * 3_600_000,
  /** A full blank or format of rewritable media, and initialize (which blanks first): 2.5 h, over twice the slowest. */
  blank: 2.5 * 3_600_000,
  /** Mounting or unmounting for verify. */
  mount: 60_000,
  /** Moving the tray. */
  eject: 120_000,
} as const;

export type TimeoutKind = keyof typeof PROGRAM_TIMEOUTS_MS;
export type ProgramTimeouts = Record<TimeoutKind, number>;

export const TIMEOUT_KINDS = Object.keys(PROGRAM_TIMEOUTS_MS) as TimeoutKind[];

const AbsolutePath = z.string().min(1).max(4096).refine(isAbsolute, { message: 'must be an absolute path' });
const WholeSeconds = z
  .number()
  .int({ message: 'must be a whole number of seconds' })
  .min(0, { message: 'must be >= 0' });

/** `[method:]bus,target,lun`, e.g. `ATA:1,0,0` or `0,0,0`. */
export const ScsiIdSchema = z
  .string()
  .max(64)
  .regex(/^([A-Za-z][A-Za-z0-9]*:)?\d+,\d+,\d+$/, { message: 'must be [method:]bus,target,lun, e.g. ATA:1,0,0' });

export const DeviceConfigSchema = z.strictObject({
  id: IdSchema,
  backend: BackendSchema.default('xorriso'),
  path: AbsolutePath,
  mediaType: MediaTypeSchema,
  driveSpeed: z.number().int({ message: 'must be a whole number' }).min(1, { message: 'must be >= 1' }).optional(),
  scsiId: ScsiIdSchema.optional(),
  noEject: z.boolean().default(false),
  ejectDelay: WholeSeconds.default(0),
  refreshMediaDelay: WholeSeconds.default(0),
  mountMethod: z.enum(['auto', 'mount', 'fuseiso', 'direct']).default('auto'),
});

/** Limits of the WebSocket server; every one has a safe default. */
export const LimitsSchema = z.strictObject({
  /** Largest frame accepted; requests are small, so anything bigger is hostile or broken. */
  maxFrameBytes: z
    .number()
    .int()
    .min(1024)
    .max(16 * 2 ** 20)
    .default(256 * 1024),
  /** Requests one connection may have in flight at once. */
  maxInFlightPerConnection: z.number().int().min(1).max(1000).default(32),
  /** Seconds between pings; a peer that misses one is dropped. */
  heartbeatSeconds: z.number().int().min(1).max(3600).default(30),
  maxConnections: z.number().int().min(1).max(1000).default(16),
  /** Seconds a client has to send its whole upgrade request; a slower one is cut off. */
  handshakeTimeoutSeconds: z.number().int().min(1).max(600).default(10),
});

/** A week: longer is no limit at all, and a typo of a few zeros should be caught. */
const MAX_TIMEOUT_SECONDS = 7 * 24 * 3600;

const timeoutSeconds = (kind: TimeoutKind) =>
  z
    .number()
    .int({ message: 'must be a whole number of seconds' })
    .min(1, { message: 'must be >= 1 second' })
    .max(MAX_TIMEOUT_SECONDS, { message: `must be <= ${MAX_TIMEOUT_SECONDS} seconds (a week)` })
    .default(PROGRAM_TIMEOUTS_MS[kind] / 1000);

/**
 * Seconds each kind of program call may run before the agent stops it and its process group
 * (a hung drive or FUSE mount must not hold a device for ever). The defaults are far above
 * any real burn; lower them only knowing the slowest drive and media.
 */
export const TimeoutsSchema = z.strictObject({
  status: timeoutSeconds('status'),
  estimate: timeoutSeconds('estimate'),
  write: timeoutSeconds('write'),
  blank: timeoutSeconds('blank'),
  mount: timeoutSeconds('mount'),
  eject: timeoutSeconds('eject'),
});

export const AgentConfigSchema = z
  .strictObject({
    agentId: IdSchema,
    listen: z
      .strictObject({
        host: z.string().min(1).max(255).default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(7701),
      })
      .default({ host: '127.0.0.1', port: 7701 }),
    auth: z.strictObject({ token: BearerTokenSchema.optional(), tokenFile: AbsolutePath.optional() }).default({}),
    tls: z.strictObject({ certFile: AbsolutePath, keyFile: AbsolutePath }).optional(),
    stagingRoot: AbsolutePath,
    /** Read and mark a day symlinked out of the staging root where it points, as the reference does. */
    followDaySymlinks: z.boolean().default(false),
    workingDir: AbsolutePath,
    /**
     * The only place a restore of a disc writes: each into `<restoreRoot>/<target>/YYYY/MM/DD/...`.
     * Defaults to `<workingDir>/restore`.
     */
    restoreRoot: AbsolutePath.optional(),
    backupUser: z.string().min(1).max(64).optional(),
    backupGroup: z.string().min(1).max(64).optional(),
    limits: LimitsSchema.default(LimitsSchema.parse({})),
    timeouts: TimeoutsSchema.default(TimeoutsSchema.parse({})),
    devices: z.array(DeviceConfigSchema).min(1).max(64),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.devices.forEach((device, index) => {
      if (seen.has(device.id))
        ctx.addIssue({ code: 'custom', path: ['devices', index, 'id'], message: 'must be unique' });
      seen.add(device.id);
    });
  })
  .transform((config) => ({ ...config, restoreRoot: config.restoreRoot ?? join(config.workingDir, 'restore') }));

export type AgentConfigFile = z.infer<typeof AgentConfigSchema>;
export type DeviceConfig = z.infer<typeof DeviceConfigSchema>;
/** agent.yaml as a user writes it: what may be left out is optional. */
export type AgentConfigDocument = z.input<typeof AgentConfigSchema>;
