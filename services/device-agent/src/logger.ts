import { pino, type Logger } from 'pino';

/**
 * pino JSON logs, one event per line. Anything that could carry a secret is redacted by
 * path, so a token never reaches a log even when a whole object is logged by mistake.
 */
export function createLogger(options: { level?: string; agentId?: string } = {}): Logger {
  return pino({
    level: options.level ?? process.env.CEDAR_LOG_LEVEL ?? 'info',
    base: { service: 'cedar-store-agent', ...(options.agentId ? { agentId: options.agentId } : {}) },
    redact: {
      paths: ['token', '*.token', 'authorization', '*.authorization', 'headers.authorization'],
      censor: '[redacted]',
    },
  });
}
