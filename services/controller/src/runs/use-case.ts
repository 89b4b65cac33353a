import type { RunContext } from './run-context.js';

/** One action a run performs; it records its decisions on the context and throws on failure. */
export interface UseCase {
  execute(ctx: RunContext): Promise<void>;
}
