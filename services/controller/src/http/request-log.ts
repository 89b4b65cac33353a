import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pino, type LevelWithSilent, type Logger } from 'pino';
import { pinoHttp, type HttpLogger } from 'pino-http';

/**
 * One JSON log line per request. Headers are left out of the log entirely: the
 * Authorization header carries the API token, and a log is read by more people than the
 * token should be. Health probes are not logged: they would drown everything else.
 */
export function requestLog(logger: Logger | undefined): HttpLogger {
  return pinoHttp<IncomingMessage, ServerResponse, never>({
    logger: logger ?? pino({ enabled: false }),
    genReqId: (_req, res) => {
      const id = randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    serializers: {
      req: (req: { id: unknown; method: string; url: string; remoteAddress?: string }) => ({
        id: req.id,
        method: req.method,
        url: req.url,
        remoteAddress: req.remoteAddress,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req, res, error): LevelWithSilent => {
      if (error !== undefined || res.statusCode >= 500) return 'error';
      return res.statusCode >= 400 ? 'warn' : 'info';
    },
    autoLogging: { ignore: (req: IncomingMessage) => req.url === '/healthz' },
  });
}
