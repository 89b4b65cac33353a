#!/usr/bin/env node
/**
 * `cedar-store`: the controller service (`controller`, `local`) and the client commands a
 * user or cron runs against it (`store`, `rebuild`, `verify`, …). See `cedar-store --help`.
 */
import { accessSync, constants } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { runCli } from './cli/run-cli.js';

// The service's modules (express, SQLite, the agent clients) load only for `controller` and
// `local`: a client command started by cron pays for the client alone.
const loadServer = () => import('./server/controller-service.js');

/** Resolves with the signal's name on the first SIGINT or SIGTERM. */
function stopSignal(): Promise<string> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

async function controller(options: { config: string }): Promise<number> {
  const { ConfigError, loadControllerConfig } = await import('./config/controller-config.js');
  const { createLogger } = await import('./logger.js');
  const { startController, StartupError } = await loadServer();
  let config;
  try {
    config = await loadControllerConfig(options.config);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`cedar-store controller: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  // The token now lives in the configuration only: no child program can inherit it.
  delete process.env.CEDAR_STORE_TOKEN;
  const logger = createLogger();
  const signalled = stopSignal();
  let running;
  try {
    running = await startController(config, logger);
  } catch (error) {
    if (error instanceof StartupError) {
      process.stderr.write(`cedar-store controller: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const signal = await signalled;
  logger.info({ signal }, 'shutting down: queued runs cancelled, waiting for running ones');
  await running.close();
  logger.info('controller stopped');
  return 0;
}

async function local(options: { dir: string; port?: number }): Promise<number> {
  const { startLocalStack } = await import('./local/local-stack.js');
  const { StartupError } = await loadServer();
  // Listening before anything starts: a Ctrl-C during start-up still stops the agent cleanly.
  const signalled = stopSignal();
  let stack;
  try {
    stack = await startLocalStack({
      dir: options.dir,
      ...(options.port !== undefined ? { port: options.port } : {}),
      out: process.stderr,
    });
  } catch (error) {
    process.stderr.write(`cedar-store local: ${error instanceof Error ? error.message : String(error)}\n`);
    return error instanceof StartupError ? 2 : 1;
  }
  const outcome = await Promise.race([signalled, stack.agentExited.then((how) => `agent:${how}`)]);
  if (outcome.startsWith('agent:')) {
    process.stderr.write(
      `cedar-store local: the agent stopped unexpectedly (${outcome.slice(6)}); see ${stack.layout.logs}/agent.log\n`,
    );
    await stack.stop();
    return 1;
  }
  process.stderr.write('cedar-store local: stopping (a running write is finished first)…\n');
  await stack.stop();
  process.stderr.write('cedar-store local: stopped\n');
  return 0;
}

/**
 * This CLI as a crontab must name it: by absolute path, and through node's absolute path
 * when node is not in cron's short PATH (/usr/bin:/bin) for the bin's `#!/usr/bin/env node`,
 * or when the script is not executable (a build that npm has not linked as a bin yet).
 */
function invocation(): string {
  const script = resolve(process.argv[1] ?? 'cedar-store');
  const nodeOnCronPath = ['/usr/bin', '/bin'].includes(dirname(process.execPath));
  const direct = nodeOnCronPath && isExecutable(script);
  return (direct ? [script] : [process.execPath, script]).map(shellWord).join(' ');
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function shellWord(word: string): string {
  return /^[\w@+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  invocation: invocation(),
  serverCommands: { controller, local },
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`cedar-store: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
