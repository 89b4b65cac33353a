import { calculateCapacity, type Capacity, type MediaDefinition } from '@cedar-store/domain';

/**
 * Cedar Backup's capacity rules (docs/how-store-decides.md#4-estimate-and-fit-check) from what a drive reports: CDs by their multisession
 * boundaries (start of the last session, next writable address), other media by sectors used.
 */
export function usageFromSessions(
  definition: MediaDefinition,
  facts: { sessions: number; lastSessionStart: number | null; nextWritableAddress: number | null },
): Capacity & { boundaries?: [number, number] | null; sectorsUsed?: number } {
  if (definition.family === 'cd') {
    const boundaries: [number, number] | null =
      facts.sessions > 0 && facts.nextWritableAddress !== null
        ? [facts.lastSessionStart ?? 0, facts.nextWritableAddress]
        : null;
    return { ...calculateCapacity(definition, { boundaries }), boundaries };
  }
  const sectorsUsed = facts.sessions > 0 ? (facts.nextWritableAddress ?? 0) : 0;
  return { ...calculateCapacity(definition, { sectorsUsed }), sectorsUsed };
}
