import { randomUUID } from 'node:crypto';
import type { Run, RunAction } from '@cedar-store/ports';

export type RunRequest = {
  action: RunAction;
  device: string;
  options?: Run['options'];
};

/** A run as it is first recorded: queued, with what was asked and nothing decided yet. */
export function newRun(request: RunRequest, requestedAt: Date, id: string = randomUUID()): Run {
  return {
    id,
    action: request.action,
    device: request.device,
    status: 'queued',
    requestedAt: requestedAt.toISOString(),
    options: { ...request.options },
    warnings: [],
  };
}
