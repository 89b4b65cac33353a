import type { Logger } from 'pino';
import { createServiceLogger } from '@cedar-store/ports/logging';

/** The agent's log: pino JSON on stdout, secrets redacted (libs/ports/src/logging). */
export function createLogger(options: { level?: string; agentId?: string } = {}): Logger {
  return createServiceLogger({
    service: 'cedar-store-agent',
    level: options.level,
    fields: options.agentId ? { agentId: options.agentId } : {},
  });
}
