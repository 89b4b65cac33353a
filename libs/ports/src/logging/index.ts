/**
 * The services' logs: pino JSON, one event per line, with one list of what is redacted by
 * path, so a token never reaches either service's log even when a whole object is logged by
 * mistake. A subpath of its own (`@cedar-store/ports/logging`): only the services load pino.
 */
import { pino, type Logger } from 'pino';

/** Where a secret can sit in a logged object; both services redact the same paths. */
export const REDACTED_PATHS = [
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
];

export function createServiceLogger(options: {
  service: 'cedar-store-controller' | 'cedar-store-agent';
  /** Fields every line carries besides `service` (the agent's id, say). */
  fields?: Record<string, unknown>;
  level?: string;
  destination?: NodeJS.WritableStream;
}): Logger {
  return pino(
    {
      level: options.level ?? process.env.CEDAR_LOG_LEVEL ?? 'info',
      base: { service: options.service, ...options.fields },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    options.destination ?? process.stdout,
  );
}
