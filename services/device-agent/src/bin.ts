#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=4
/**
 * `cedar-store-agent --config agent.yaml`: serves this host's staging area and drives to the
 * controller. SIGTERM or SIGINT refuse new operations and let a running write finish first.
 *
 * The first line's environment and node flags are how the agent is meant to run (the systemd
 * unit, the container and the bench start it with the same): a young generation of 4 MiB
 * semi-spaces instead of 16 keeps a verify of a large day 13–15 MiB lower at the same speed, and
 * two malloc arenas instead of one per thread keep the file-worker threads' freed memory from
 * piling up over a store and its verify (docs/performance.md, "Memory").
 */
import { parseArgs } from 'node:util';
import { errorMessage } from '@cedar-store/domain';
import { AGENT_VERSION, startAgent } from './agent.js';
import { ConfigError, loadAgentConfig } from './config/agent-config.js';
import { limitHeapGrowth } from './heap-growth.js';
import { createLogger } from './logger.js';

const HELP = `Usage: cedar-store-agent --config <agent.yaml> | --check-config <agent.yaml>

Serves this host's staging area and optical drives (or ISO files playing a disc) to the
cedar-store controller over an authenticated WebSocket (JSON-RPC 2.0 at /rpc).

Options:
  -c, --config <file>    agent configuration (YAML); see deploy/agent.example.yaml
  --check-config <file>  check agent.yaml and the files it names without starting: each
                         problem with its line, exit 0 (valid) or 2; run it as the agent's user
  -V, --version          print the version
  -h, --help             show this help

Environment:
  CEDAR_AGENT_TOKEN     the bearer token (overrides auth.token / auth.tokenFile)
  CEDAR_LOG_LEVEL       pino log level (default info)

Example:
  CEDAR_AGENT_TOKEN=$(cat /etc/cedar-store/agent.token) cedar-store-agent --config /etc/cedar-store/agent.yaml
`;

async function main(): Promise<number> {
  let values: { config?: string; 'check-config'?: string; help?: boolean; version?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        config: { type: 'string', short: 'c' },
        'check-config': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'V' },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`${AGENT_VERSION}\n`);
    return 0;
  }
  if (values['check-config'] !== undefined) {
    const file = values['check-config'];
    const { checkAgentConfig } = await import('./config/check-agent-config.js');
    const { formatReport } = await import('@cedar-store/ports/config-check');
    const { problems } = await checkAgentConfig(file);
    process.stdout.write(`${formatReport(file, problems)}\n`);
    return problems.length === 0 ? 0 : 2;
  }
  if (!values.config) {
    process.stderr.write(`--config is required\n\n${HELP}`);
    return 2;
  }
  let config;
  try {
    config = await loadAgentConfig(values.config);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`cedar-store-agent: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  // The token now lives in the configuration only: no child program can inherit it.
  delete process.env.CEDAR_AGENT_TOKEN;
  limitHeapGrowth();
  const logger = createLogger({ agentId: config.agentId });
  const { server } = await startAgent(config, logger);
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      logger.info({ signal }, 'shutting down: no new operations, waiting for running ones');
      server.close().then(resolve, resolve);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  logger.info('agent stopped');
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`cedar-store-agent: ${errorMessage(error)}\n`);
    process.exitCode = 1;
  },
);
