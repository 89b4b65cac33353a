import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CedarStoreError } from '@cedar-store/domain';
import { describe, expect, it, vi } from 'vitest';
import type * as JournalFiles from './journal-files.js';

// The journal's file writes fail as on a full disk; everything else is the real journal.
vi.mock('./journal-files.js', async (importOriginal) => {
  const original = await importOriginal<typeof JournalFiles>();
  return {
    ...original,
    writeEntryFile: () => {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    },
  };
});

const { OperationJournal } = await import('./operation-journal.js');

describe('an operation journal on a full disk', () => {
  it('refuses the operation as WRITE_FAILED naming the full directory, so the user frees space', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'cedar-journal-full-')), 'journal');
    const journal = OperationJournal.open(dir, { watchIntervalMs: 50 });
    try {
      let refused: unknown;
      try {
        journal.begin({ opId: 'run-1:write', method: 'media.write', device: 'dvd0' });
      } catch (error) {
        refused = error;
      }
      expect(refused).toBeInstanceOf(CedarStoreError);
      expect((refused as CedarStoreError).code).toBe('WRITE_FAILED');
      expect((refused as Error).message).toContain(`no space left on ${dir}`);
      expect((refused as Error).message).toMatch(/nothing was done/);
      expect(journal.get(['run-1:write'])).toEqual([]);
    } finally {
      journal.close();
    }
  });
});
