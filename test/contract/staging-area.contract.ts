import { describe, expect, it } from 'vitest';
import type { SubjectFactory } from './subject.js';

/** A day's shape for the image bound: files (indicators included), directories, name bytes, data sectors. */
const shape = (files: number, directories: number, nameBytes: number, dataSectors: number) => ({
  files,
  directories,
  nameBytes,
  dataSectors,
});

/** What every StagingArea adapter must do. */
export function stagingAreaContract(name: string, factory: SubjectFactory): void {
  describe(`StagingArea contract: ${name}`, () => {
    it('reports each day asked for, in order, missing ones included', async () => {
      const s = await factory('dvd+rw');
      try {
        await s.stageDay('2026-11-26', { a: 'abc', 'dir/b': 'de' });
        await s.stageDay('2026-11-25', { c: 'x' }, { staged: false });
        const facts = await s.staging.inspect(['2026-11-27', '2026-11-26', '2026-11-25']);
        expect(facts).toEqual([
          { day: '2026-11-27', exists: false, staged: false, stored: false, bytes: 0 },
          // The shape (the image bound's input) counts what the disc holds: cback.stage, a, dir, dir/b.
          { day: '2026-11-26', exists: true, staged: true, stored: false, bytes: 5, shape: shape(3, 1, 16, 2) },
          { day: '2026-11-25', exists: true, staged: false, stored: false, bytes: 1, shape: shape(1, 0, 1, 1) },
        ]);
      } finally {
        await s.cleanup();
      }
    });

    it('marks days stored, and only those', async () => {
      const s = await factory('dvd+rw');
      try {
        await s.stageDay('2026-11-26', { a: 'abc' });
        await s.stageDay('2026-11-25', { a: 'abc' });
        expect(await s.staging.markStored(['2026-11-26'])).toEqual(['2026-11-26']);
        const facts = await s.staging.inspect(['2026-11-25', '2026-11-26']);
        expect(facts.map((f) => f.stored)).toEqual([false, true]);
        expect(facts[1]?.bytes).toBe(3);
      } finally {
        await s.cleanup();
      }
    });

    // Cedar Backup would read such a day through its link (store.py: `os.path.isdir(todayPath)`); the
    // agent reports it unread instead, and every adapter refuses to mark or write it.
    it('reports a day symlinked out of the staging root, unread, beside the others, and refuses to use it', async () => {
      const s = await factory('dvd+rw');
      try {
        await s.stageDay('2026-11-26', { a: 'abc' });
        const target = await s.linkDayOutside('2026-11-27');
        expect(await s.staging.inspect(['2026-11-26', '2026-11-27'])).toEqual([
          { day: '2026-11-26', exists: true, staged: true, stored: false, bytes: 3, shape: shape(2, 0, 12, 1) },
          { day: '2026-11-27', exists: true, staged: false, stored: false, bytes: 0, escapesTo: target },
        ]);
        const refusal = {
          code: 'NO_STAGING_DIRECTORY',
          message: expect.stringContaining(`2026-11-27 is a symlink to ${target}`),
        };
        await expect(s.staging.markStored(['2026-11-27'])).rejects.toMatchObject(refusal);
        await expect(
          s.drive.write({ days: ['2026-11-27'], label: 'CEDAR BACKUP 27-NOV-2026', newDisc: true }),
        ).rejects.toMatchObject({
          code: 'NO_STAGING_DIRECTORY',
        });
        expect(await s.mediaPaths()).toEqual([]);
      } finally {
        await s.cleanup();
      }
    });

    it('refuses an impossible date with INVALID_REQUEST', async () => {
      const s = await factory('dvd+rw');
      try {
        await expect(s.staging.inspect(['2026-02-30'])).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
      } finally {
        await s.cleanup();
      }
    });
  });
}
