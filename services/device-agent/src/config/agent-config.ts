/**
 * agent.yaml (docs/configuration.md#agentyaml), validated so a mistake is reported with the field and the rule
 * it breaks before the agent touches any drive. `CEDAR_AGENT_TOKEN` overrides the token.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  AgentConfigSchema,
  bearerTokenProblem,
  describeZodError,
  TIMEOUT_KINDS,
  type AgentConfigFile,
  type ProgramTimeouts,
} from '@cedar-store/ports';
import { resolveToken, TokenFileError } from '@cedar-store/ports/auth';
import { parse as parseYaml } from 'yaml';
import { NamedError } from '@cedar-store/domain';

// The schema is shared with the controller's import-config (libs/ports/src/config/agent-yaml.ts).
export {
  AgentConfigSchema,
  DeviceConfigSchema,
  LimitsSchema,
  ScsiIdSchema,
  TimeoutsSchema,
  type AgentConfigFile,
  type DeviceConfig,
} from '@cedar-store/ports';

/** agent.yaml `timeouts` (seconds) as the program runner takes them (milliseconds). */
export function programTimeoutsMs(timeouts: AgentConfigFile['timeouts']): ProgramTimeouts {
  return Object.fromEntries(TIMEOUT_KINDS.map((kind) => [kind, timeouts[kind] * 1000])) as ProgramTimeouts;
}

export type AgentConfig = Omit<AgentConfigFile, 'auth'> & { token: string };

export class ConfigError extends NamedError {}

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
export async function checkTlsFiles(tls: { certFile: string; keyFile: string }, source: string): Promise<void> {
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
