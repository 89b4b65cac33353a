import type { RunAction } from '@cedar-store/ports';
import type { RunContext } from './run-context.js';

/** One action a run performs; it records its decisions on the context and throws on failure. */
export interface UseCase {
  execute(ctx: RunContext): Promise<void>;
}

/** The use case of each action, as the composition root gives them to the executor. */
export type UseCases = Record<RunAction, UseCase>;

/** The container's token for UseCases. */
export const USE_CASES = Symbol.for('cedar-store.UseCases');
