import { pino, type Logger } from 'pino';

/**
 * pino JSON logs, one event per line. Anything that could carry a secret is redacted by
 * path, so a token never reaches a log even when a whole object is logged by mistake.
 */
export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env.CEDAR_LOG_LEVEL ?? 'info',
      base: { service: 'cedar-store-controller' },
      redact: {
        paths: [
          'token',
          '*.token',
          'authorization',
          '*.authorization',
          'headers.authorization',
          'req.headers.authorization',
        ],
        censor: '[redacted]',
      },
    },
    options.destination ?? process.stdout,
  );
}
