/**
 * What the CLI gets from the process that runs it. Passing it in (rather than reading
 * `process`) lets tests run the whole CLI in memory, and lets the bin decide how the two
 * server commands are started.
 */
import type { Command } from 'commander';
import type { ApiClient } from './api-client.js';
import { UsageError } from './exit-codes.js';
import type { OutputStream } from './reporters.js';
import { DEFAULT_SETTINGS } from './settings.js';
import type { ClientSettings } from './settings.js';

export type { OutputStream } from './reporters.js';

export type ServerCommands = {
  /** `cedar-store controller --config controller.yaml`: runs the controller until it is stopped. */
  controller(options: { config: string }): Promise<number>;
  /** `cedar-store local`: agent + controller + a virtual dvd+rw on loopback, state under `dir`. */
  local(options: { dir: string; port?: number }): Promise<number>;
};

export type CliEnvironment = {
  stdout: OutputStream;
  stderr: OutputStream;
  env: NodeJS.ProcessEnv;
  serverCommands: ServerCommands;
  /** The absolute command that runs this CLI, for lines to paste into a crontab; `cedar-store` when unknown. */
  invocation?: string;
  /** Waits and limits of the client; tests shorten them. */
  settings?: Partial<ClientSettings>;
};

export const DEFAULT_URL = 'http://127.0.0.1:7700';

export function clientSettings(env: CliEnvironment): ClientSettings {
  return { ...DEFAULT_SETTINGS, ...env.settings };
}

/**
 * The controller's address and token: a flag wins over the environment, the environment
 * over the default. A missing token is a configuration error found before any request.
 */
export async function connect(command: Command, env: CliEnvironment): Promise<ApiClient> {
  const globals = command.optsWithGlobals<{ url?: string; token?: string; tokenFile?: string }>();
  const fromEnv = globals.url === undefined ? nonEmpty(env.env.CEDAR_STORE_URL) : undefined;
  const url = globals.url ?? fromEnv ?? DEFAULT_URL;
  const source = fromEnv === undefined ? '--url' : 'CEDAR_STORE_URL';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`"${url}" is not a URL: pass --url or set CEDAR_STORE_URL, e.g. ${DEFAULT_URL}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`"${url}" is not an http:// or https:// URL: pass --url or set CEDAR_STORE_URL`);
  }
  if (parsed.username || parsed.password || parsed.search || parsed.hash) {
    throw new UsageError(`"${url}" must be the controller's address only (no credentials, query or fragment)`);
  }
  // The client adds /api/v1/… itself: a path here would be sent twice (/api/v1/api/v1/runs).
  if (parsed.pathname !== '/') {
    throw new UsageError(
      `${source} "${url}" has a path (${parsed.pathname}): give the controller's base URL without a path, ` +
        `e.g. ${parsed.origin}`,
    );
  }
  const token = await clientToken(globals, env.env);
  if (/[\s]/.test(token)) throw new UsageError('the token must not contain spaces or newlines');
  // The client's modules load here, not with the program: --help, --version and a usage error never need them.
  const { ApiClient } = await import('./api-client.js');
  return new ApiClient(parsed.href, token, clientSettings(env));
}

/**
 * The API token from the first source that gives one: the command line before the
 * environment (what a user types now beats what a shell or unit set earlier), and within
 * each a token before a token file: --token, --token-file, CEDAR_STORE_TOKEN,
 * CEDAR_STORE_TOKEN_FILE. A token file gets the services' rules: refused when others can
 * read it or when it is empty.
 */
async function clientToken(
  flags: { token?: string; tokenFile?: string },
  variables: NodeJS.ProcessEnv,
): Promise<string> {
  if (flags.token !== undefined && flags.tokenFile !== undefined) {
    throw new UsageError('give the token once: --token or --token-file, not both');
  }
  if (flags.token !== undefined) {
    if (flags.token.trim() === '') throw new UsageError('--token is empty: give the token, or use --token-file');
    return flags.token;
  }
  if (flags.tokenFile !== undefined) return tokenFromFile(flags.tokenFile, '--token-file');
  const fromEnv = nonEmpty(variables.CEDAR_STORE_TOKEN);
  if (fromEnv) return fromEnv;
  const file = nonEmpty(variables.CEDAR_STORE_TOKEN_FILE);
  if (file) return tokenFromFile(file, 'CEDAR_STORE_TOKEN_FILE');
  throw new UsageError(
    'no token: pass --token-file or --token, or set CEDAR_STORE_TOKEN_FILE or CEDAR_STORE_TOKEN ' +
      '(cedar-store local prints the token and keeps it in DIR/api.token)',
  );
}

async function tokenFromFile(path: string, source: string): Promise<string> {
  // Loaded only for a token file: a token from the environment or --token never needs it (nor node:crypto).
  const { readTokenFile, TokenFileError } = await import('@cedar-store/ports/auth');
  try {
    return await readTokenFile(path);
  } catch (error) {
    if (error instanceof TokenFileError) throw new UsageError(`${source}: ${error.message}`);
    throw error;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
