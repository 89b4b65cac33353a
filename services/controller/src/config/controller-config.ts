/**
 * controller.yaml (docs/configuration.md#controlleryaml), validated so a mistake is reported with the field and the
 * rule it breaks before the controller opens its database or reaches any agent.
 * `CEDAR_STORE_TOKEN` overrides the API token.
 */
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  bearerTokenProblem,
  BearerTokenSchema,
  BlankBehaviorSchema,
  CapacityLimitSchema,
  DeviceRefSchema,
  describeZodError,
  IdSchema,
  WeekdaySchema,
  type DevicePolicy,
} from '@cedar-store/ports';
import { resolveToken, TokenFileError } from '@cedar-store/ports/auth';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { NamedError } from '@cedar-store/domain';
import { AbsolutePath } from './config-fields.js';
import { NotifySchema, resolveNotifyTargets, type NotifyTargetConfig } from './notify-config.js';

const TimeZoneSchema = z
  .string()
  .max(64)
  .refine(isTimeZone, { message: 'must be an IANA time zone such as Europe/Paris or UTC' });

const PolicySchema = z.strictObject({
  startingDay: WeekdaySchema.optional(),
  checkData: z.boolean().optional(),
  checkMedia: z.boolean().optional(),
  warnMidnite: z.boolean().optional(),
  blankBehavior: BlankBehaviorSchema.optional(),
  capacityLimit: CapacityLimitSchema.optional(),
});

const AgentUrl = z
  .string()
  .max(2048)
  .refine((value) => /^wss?:\/\/[^/]+\/\S*$/.test(value), {
    message: 'must be a ws:// or wss:// URL such as ws://127.0.0.1:7701/rpc',
  });

const AgentSchema = z.strictObject({
  id: IdSchema,
  url: AgentUrl,
  token: BearerTokenSchema.optional(),
  tokenFile: AbsolutePath.optional(),
  /** PEM file of the CA that signed the agent's certificate, for wss:// with a private CA. */
  caFile: AbsolutePath.optional(),
});

export const ControllerConfigSchema = z
  .strictObject({
    listen: z
      .strictObject({
        host: z.string().min(1).max(255).default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(7700),
      })
      .default({ host: '127.0.0.1', port: 7700 }),
    auth: z.strictObject({ token: BearerTokenSchema.optional(), tokenFile: AbsolutePath.optional() }).default({}),
    database: AbsolutePath,
    timeZone: TimeZoneSchema.optional(),
    agents: z.array(AgentSchema).min(1).max(64),
    policy: PolicySchema.default({}),
    devices: z.record(DeviceRefSchema, PolicySchema).default({}),
    notify: NotifySchema,
  })
  .superRefine((config, ctx) => {
    const ids = new Set<string>();
    config.agents.forEach((agent, index) => {
      if (ids.has(agent.id)) ctx.addIssue({ code: 'custom', path: ['agents', index, 'id'], message: 'must be unique' });
      ids.add(agent.id);
      if (!agent.token && !agent.tokenFile) {
        ctx.addIssue({ code: 'custom', path: ['agents', index], message: 'needs token or tokenFile' });
      }
    });
    for (const ref of Object.keys(config.devices)) {
      const agentId = ref.slice(0, ref.indexOf('/'));
      if (!ids.has(agentId)) {
        ctx.addIssue({
          code: 'custom',
          path: ['devices', ref],
          message: `names agent ${agentId}, which is not in agents`,
        });
      }
    }
  });

export type ControllerConfigFile = z.infer<typeof ControllerConfigSchema>;

export type AgentEndpointConfig = { id: string; url: string; token: string; ca?: string };

export type ControllerConfig = {
  listen: { host: string; port: number };
  token: string;
  database: string;
  timeZone?: string;
  agents: AgentEndpointConfig[];
  policy: Partial<DevicePolicy>;
  devices: Record<string, Partial<DevicePolicy>>;
  /** Where finished runs are reported (none when absent). */
  notify?: NotifyTargetConfig[];
};

export class ConfigError extends NamedError {}

/** Validates an already-parsed document and reads the tokens it points at. */
export async function resolveControllerConfig(
  document: unknown,
  source: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ControllerConfig> {
  const parsed = ControllerConfigSchema.safeParse(document);
  if (!parsed.success) throw new ConfigError(`${source} is not valid: ${describeZodError(parsed.error)}`);
  const config = parsed.data;
  const token = await tokenFrom({ env: env.CEDAR_STORE_TOKEN, inline: config.auth.token, file: config.auth.tokenFile });
  if (!token) {
    throw new ConfigError(
      `${source}: no API token: set auth.token or auth.tokenFile, or the CEDAR_STORE_TOKEN environment variable`,
    );
  }
  checkToken(token, `${source}: the API token`);
  const agents: AgentEndpointConfig[] = [];
  for (const agent of config.agents) {
    const agentToken = (await tokenFrom({ inline: agent.token, file: agent.tokenFile }))!;
    checkToken(agentToken, `${source}: the token of agent ${agent.id}`);
    const ca = agent.caFile ? await readCaFile(agent.caFile, agent.id) : undefined;
    agents.push({ id: agent.id, url: agent.url, token: agentToken, ...(ca ? { ca } : {}) });
  }
  const notify = await resolveNotifyTargets(config.notify, (message) => new ConfigError(`${source}: ${message}`));
  return {
    listen: config.listen,
    token,
    database: config.database,
    ...(config.timeZone ? { timeZone: config.timeZone } : {}),
    agents,
    policy: config.policy,
    devices: config.devices,
    ...(notify.length > 0 ? { notify } : {}),
  };
}

export async function loadControllerConfig(
  path: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ControllerConfig> {
  const text = await readText(path, 'the controller configuration');
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${path} is not valid YAML: ${(error as Error).message}`);
  }
  return resolveControllerConfig(document, path, env);
}

/** Tokens from files and the environment get the same rules as those written in the file. */
function checkToken(token: string, what: string): void {
  const problem = bearerTokenProblem(token);
  if (problem) throw new ConfigError(`${what} ${problem}`);
}

async function tokenFrom(sources: Parameters<typeof resolveToken>[0]): Promise<string | undefined> {
  return resolveToken(sources).catch((error: unknown) => {
    throw error instanceof TokenFileError ? new ConfigError(error.message) : error;
  });
}

async function readText(path: string, what: string): Promise<string> {
  return readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new ConfigError(`cannot read ${what} ${path}: ${error.code ?? error.message}`);
  });
}

/** Node ignores a CA that is not a certificate, and every connection would then fail as "not trusted". */
export async function readCaFile(path: string, agentId: string): Promise<string> {
  const text = await readText(path, `the CA file of agent ${agentId}`);
  try {
    new X509Certificate(text);
  } catch {
    throw new ConfigError(
      `the CA file of agent ${agentId} (${path}) holds no PEM certificate: give the certificate (-----BEGIN CERTIFICATE-----) of the CA that signed the agent's certificate`,
    );
  }
  return text;
}

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}
