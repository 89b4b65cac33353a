/**
 * Which journaled operation the code running now belongs to. The program runner is shared by
 * every device and knows nothing of operations; it reports each program it starts, and this
 * context says which operation's journal entry that program belongs to.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const current = new AsyncLocalStorage<string>();

export function withOperation<T>(opId: string, work: () => Promise<T>): Promise<T> {
  return current.run(opId, work);
}

export function currentOperation(): string | undefined {
  return current.getStore();
}
