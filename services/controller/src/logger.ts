import type { Logger } from 'pino';
import { createServiceLogger } from '@cedar-store/ports/logging';

/** The controller's log: pino JSON on stdout, secrets redacted (libs/ports/src/logging). */
export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  return createServiceLogger({ service: 'cedar-store-controller', ...options });
}
