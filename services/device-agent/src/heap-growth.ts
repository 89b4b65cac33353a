/**
 * How far V8 lets the agent's heap grow past what the last collection kept. By default it grows
 * by up to four times when collections are quick, so a verify of a large day, whose live data
 * stays near 25 MiB while it streams through batches, held 50–90 MiB of garbage before the next
 * collection. A factor of 1.5 keeps the peak under the agent's 150 MiB budget at the cost of more
 * frequent, smaller collections (docs/performance.md, "Memory"). V8 reads the flag at each
 * collection, and worker threads share it.
 */
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 50;

export function limitHeapGrowth(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
