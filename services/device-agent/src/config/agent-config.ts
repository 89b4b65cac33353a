/**
 * agent.yaml (docs/configuration.md#agentyaml), validated so a mistake is reported with the field and the rule
 * it breaks before the agent touches any drive. `CEDAR_AGENT_TOKEN` overrides the token.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import {
  BackendSchema,
  bearerTokenProblem,
  BearerTokenSchema,
  describeZodError,
  IdSchema,
  MediaTypeSchema,
} from '@cedar-store/ports';
import { resolveToken, TokenFileError } from '@cedar-store/ports/auth';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { PROGRAM_TIMEOUTS_MS, TIMEOUT_KINDS, type ProgramTimeouts } from '../process/limits.js';

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

const timeoutSeconds = (kind: keyof ProgramTimeouts) =>
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

/** agent.yaml `timeouts` (seconds) as the program runner takes them (milliseconds). */
export function programTimeoutsMs(timeouts: z.infer<typeof TimeoutsSchema>): ProgramTimeouts {
  return Object.fromEntries(TIMEOUT_KINDS.map((kind) => [kind, timeouts[kind] * 1000])) as ProgramTimeouts;
}

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
  });

export type AgentConfigFile = z.infer<typeof AgentConfigSchema>;
export type DeviceConfig = z.infer<typeof DeviceConfigSchema>;
export type AgentConfig = Omit<AgentConfigFile, 'auth'> & { token: string };

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Validates an already-parsed document; the token comes from the environment, the file or the config. */
export async function resolveAgentConfig(
  document: unknown,
  source: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<AgentConfig> {
  const parsed = AgentConfigSchema.safeParse(document);
  if (!parsed.success) throw new ConfigError(`${source} is not valid: ${describeZodError(parsed.error)}`);
  const { auth, ...rest } = parsed.data;
  const token = await resolveToken({ env: env.CEDAR_AGENT_TOKEN, inline: auth.token, file: auth.tokenFile }).catch(
    (error: unknown) => {
      throw error instanceof TokenFileError ? new ConfigError(error.message) : error;
    },
  );
  if (!token) {
    throw new ConfigError(
      `${source}: no token: set auth.token or auth.tokenFile, or the CEDAR_AGENT_TOKEN environment variable`,
    );
  }
  const problem = bearerTokenProblem(token);
  if (problem) throw new ConfigError(`${source}: the token ${problem}`);
  if (rest.tls) await checkTlsFiles(rest.tls, source);
  return { ...rest, token };
}

/**
 * The certificate and key are read again when the server starts; checking them here makes a
 * wrong path or a swapped file a configuration error (exit 2 naming the setting) rather than
 * a crash with Node's bare "ENOENT" or "no start line".
 */
async function checkTlsFiles(tls: { certFile: string; keyFile: string }, source: string): Promise<void> {
  const read = (path: string, field: string): Promise<string> =>
    readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new ConfigError(`${source}: tls.${field} ${path} cannot be read (${error.code ?? error.message})`);
    });
  const cert = await read(tls.certFile, 'certFile');
  try {
    new X509Certificate(cert);
  } catch {
    throw new ConfigError(
      `${source}: tls.certFile ${tls.certFile} holds no PEM certificate (-----BEGIN CERTIFICATE-----): give the agent's certificate`,
    );
  }
  const key = await read(tls.keyFile, 'keyFile');
  try {
    createPrivateKey(key);
  } catch {
    throw new ConfigError(
      `${source}: tls.keyFile ${tls.keyFile} holds no PEM private key (-----BEGIN PRIVATE KEY-----): give the key of the agent's certificate`,
    );
  }
}

export async function loadAgentConfig(path: string, env: NodeJS.ProcessEnv = process.env): Promise<AgentConfig> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new ConfigError(`cannot read the agent configuration ${path}: ${error.code ?? error.message}`);
  });
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${path} is not valid YAML: ${(error as Error).message}`);
  }
  return resolveAgentConfig(document, path, env);
}
