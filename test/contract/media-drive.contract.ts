import { mediaDefinition, newDiscCapacity, type MediaType } from '@cedar-store/domain';
import type { RestoreRequest, RestoreResult } from '@cedar-store/ports';
import { describe, expect, it } from 'vitest';
import type { ContractSubject, SubjectFactory } from './subject.js';

const DAY1 = '2026-11-23';
const DAY2 = '2026-11-24';
const LABEL1 = 'CEDAR BACKUP 23-NOV-2026';
const LABEL2 = 'CEDAR BACKUP 24-NOV-2026';

/**
 * Data files only, sorted: real media also list the directories on the way (`2026/`,
 * `2026/11/`…) and the stage indicators that were part of each staging day.
 */
const filesOnly = (paths: string[]): string[] =>
  paths.filter((path) => !path.endsWith('/') && !/(^|\/)cback\.[^/]*$/.test(path)).sort();

/** `bytes` as sparse files of at most 2 GiB each. */
function chunks(bytes: number): Record<string, { size: number }> {
  const files: Record<string, { size: number }> = {};
  for (let index = 0; index * 2 ** 31 < bytes; index++) {
    files[`huge-${index}`] = { size: Math.min(2 ** 31, bytes - index * 2 ** 31) };
  }
  return files;
}

/**
 * The port's restore request as the agent's drives take it, completed the way the agent's
 * media.restore handler completes it: the agent's restore root, and `force` false when left out.
 * The port's request has neither (the agent decides where targets live); the agent's drive also
 * takes `recording` (where each restored file's hash goes) in place of the port's `operation`.
 */
export function agentRestore(
  request: RestoreRequest,
  restoreRoot: string,
): RestoreRequest & { restoreRoot: string; force: boolean } {
  return { ...request, restoreRoot, force: request.force ?? false };
}

/** A restore through the subject's hook, or the drive's own restore with the port's request. */
function restore(s: ContractSubject, request: RestoreRequest): Promise<RestoreResult> {
  return s.restore ? s.restore(request) : s.drive.restore(request);
}

/** The restored data files only, as `filesOnly` keeps them from the media. */
async function restoredData(s: ContractSubject, target: string): Promise<Record<string, string>> {
  const files = await s.restoredFiles(target);
  return Object.fromEntries(filesOnly(Object.keys(files)).map((path) => [path, files[path]!]));
}

async function withSubject(factory: SubjectFactory, mediaType: MediaType, test: (s: ContractSubject) => Promise<void>) {
  const subject = await factory(mediaType);
  try {
    await test(subject);
  } finally {
    await subject.cleanup();
  }
}

export type MediaDriveContractOptions = {
  /**
   * False where the restore cannot read a day of an earlier session once another was appended:
   * the fake burners' disc files, which have no table of contents, so xorriso reads the later
   * session's descriptors copied to sector 16 and refuses them (as the verify's `direct` mount
   * method does on them).
   */
  restoresAppendedSessions?: boolean;
};

/** What every MediaDrive adapter must do, on a rewritable type and (where given) a write-once one. */
export function mediaDriveContract(
  name: string,
  factory: SubjectFactory,
  mediaTypes: MediaType[],
  options: MediaDriveContractOptions = {},
): void {
  for (const mediaType of mediaTypes) {
    const rewritable = mediaDefinition(mediaType).rewritable;

    describe(`MediaDrive contract: ${name} (${mediaType})`, () => {
      it('reports blank media with the whole capacity available', () =>
        withSubject(factory, mediaType, async (s) => {
          const status = await s.drive.status();
          expect(status).toMatchObject({ mediaPresent: true, mediaType, rewritable, label: null, sessions: 0 });
          expect(status.bytesUsed).toBe(0);
          expect(status.bytesAvailable).toBe(newDiscCapacity(mediaDefinition(mediaType)).bytesAvailable);
        }));

      it('estimates at least the data and writes a new disc that verifies', () =>
        withSubject(factory, mediaType, async (s) => {
          await s.stageDay(DAY1, { 'etc/hosts': '127.0.0.1 localhost\n', big: { size: 300_000 } });
          const estimate = await s.drive.estimate({ days: [DAY1], newDisc: true });
          expect(estimate.bytes).toBeGreaterThanOrEqual(300_020);

          const progress: number[] = [];
          const written = await s.drive.write({ days: [DAY1], label: LABEL1, newDisc: true }, (p) =>
            progress.push(p.bytesDone),
          );
          expect(written.sessions).toBe(1);
          expect(written.bytesWritten).toBeGreaterThan(0);
          expect(progress.length).toBeGreaterThan(0);

          const status = await s.drive.status();
          expect(status).toMatchObject({ label: LABEL1, sessions: 1 });
          expect(status.bytesUsed).toBeGreaterThanOrEqual(300_000);

          const report = await s.drive.verify({ days: [DAY1] });
          expect(report).toMatchObject({ ok: true, mismatches: [] });
          // The two files, plus the stage indicator where the adapter stages real files.
          expect(report.filesCompared).toBeGreaterThanOrEqual(2);
          expect(report.bytesCompared).toBe(300_020);
        }));

      it('appends a second session that continues the file tree', () =>
        withSubject(factory, mediaType, async (s) => {
          await s.stageDay(DAY1, { a: 'first' });
          await s.stageDay(DAY2, { b: 'second' });
          await s.drive.write({ days: [DAY1], label: LABEL1, newDisc: true });
          const before = await s.drive.status();
          const written = await s.drive.write({ days: [DAY2], label: LABEL2, newDisc: false });
          const sessions = s.countsSessions === false ? 1 : 2;

          expect(written.sessions).toBe(sessions);
          expect(filesOnly(await s.mediaPaths())).toEqual(['2026/11/23/a', '2026/11/24/b']);
          const after = await s.drive.status();
          expect(after).toMatchObject({ sessions, label: LABEL2 });
          expect(after.bytesAvailable).toBeLessThan(before.bytesAvailable);
          expect((await s.drive.verify({ days: [DAY1, DAY2] })).ok).toBe(true);
        }));

      it('refuses an image that does not fit with MEDIA_FULL and leaves the media as it was', () =>
        withSubject(factory, mediaType, async (s) => {
          await s.stageDay(DAY1, { a: 'first' });
          await s.drive.write({ days: [DAY1], label: LABEL1, newDisc: true });
          const before = await s.drive.status();
          const tooBig = newDiscCapacity(mediaDefinition(mediaType)).bytesAvailable + 2 ** 20;
          // In files under 4 GiB, the most an ISO 9660 file holds without extensions mkisofs refuses by default.
          await s.stageDay(DAY2, chunks(tooBig));

          await expect(s.drive.write({ days: [DAY2], label: LABEL2, newDisc: false })).rejects.toMatchObject({
            code: 'MEDIA_FULL',
          });
          expect(await s.drive.status()).toEqual(before);
          expect((await s.drive.verify({ days: [DAY1] })).ok).toBe(true);
        }));

      it('names a damaged file and a file missing from the media', () =>
        withSubject(factory, mediaType, async (s) => {
          await s.stageDay(DAY1, { 'docs/report.txt': 'quarterly numbers', 'docs/ok.txt': 'fine' });
          await s.drive.write({ days: [DAY1], label: LABEL1, newDisc: true });
          await s.corruptOnMedia('2026/11/23/docs/report.txt');
          await s.stageDay(DAY1, { 'docs/report.txt': 'quarterly numbers', 'docs/ok.txt': 'fine', late: 'added' });

          const report = await s.drive.verify({ days: [DAY1] });
          expect(report.ok).toBe(false);
          expect(report.mismatches).toEqual([
            { path: '2026/11/23/docs/report.txt', kind: 'content' },
            { path: '2026/11/23/late', kind: 'missing' },
          ]);
        }));

      it('restores a day from the disc the catalog names into a target, and refuses another disc', () =>
        withSubject(factory, mediaType, async (s) => {
          await s.stageDay(DAY1, { 'docs/report.txt': 'quarterly numbers', 'etc/hosts': '127.0.0.1 localhost\n' });
          await s.drive.write({ days: [DAY1], label: LABEL1, newDisc: true });

          const result = await restore(s, { day: DAY1, disc: { label: LABEL1, session: 1 }, target: 'nov23' });
          // Every file restored is counted, the stage indicator too where the adapter stages real files.
          expect(result).toMatchObject({ bytes: 17 + 20, refused: [], refusedCount: 0 });
          expect(result.files).toBe(Object.keys(await s.restoredFiles('nov23')).length);
          expect(result.target).toMatch(/\/nov23$/);
          expect(await restoredData(s, 'nov23')).toEqual({
            '2026/11/23/docs/report.txt': 'quarterly numbers',
            '2026/11/23/etc/hosts': '127.0.0.1 localhost\n',
          });

          // Another label, or a disc of the same label with fewer sessions than the catalog's.
          for (const disc of [
            { label: LABEL2, session: 1, id: 7 },
            { label: LABEL1, session: 2 },
          ]) {
            await expect(restore(s, { day: DAY1, disc, target: 'other' })).rejects.toMatchObject({
              code: 'WRONG_DISC',
              message: expect.stringContaining('Nothing was written'),
            });
          }
          expect(await s.restoredFiles('other')).toEqual({});
        }));

      it.skipIf(options.restoresAppendedSessions === false)(
        "restores a day from an earlier session, naming the disc by its last session's label",
        () =>
          withSubject(factory, mediaType, async (s) => {
            await s.stageDay(DAY1, { 'docs/report.txt': 'quarterly numbers' });
            await s.stageDay(DAY2, { b: 'second' });
            await s.drive.write({ days: [DAY1], label: LABEL1, newDisc: true });
            await s.drive.write({ days: [DAY2], label: LABEL2, newDisc: false });

            await restore(s, { day: DAY1, disc: { label: LABEL2, session: 1 }, target: 'nov23' });
            expect(await restoredData(s, 'nov23')).toEqual({ '2026/11/23/docs/report.txt': 'quarterly numbers' });
            await expect(
              restore(s, { day: DAY1, disc: { label: LABEL1, session: 1 }, target: 'other' }),
            ).rejects.toMatchObject({ code: 'WRONG_DISC' });
          }),
      );

      it('restores only the files asked for, and into a target that is not empty only when forced', () =>
        withSubject(factory, mediaType, async (s) => {
          await s.stageDay(DAY1, { 'docs/report.txt': 'quarterly numbers', 'etc/hosts': '127.0.0.1 localhost\n' });
          await s.drive.write({ days: [DAY1], label: LABEL1, newDisc: true });
          const disc = { label: LABEL1, session: 1 };

          const docs = await restore(s, { day: DAY1, disc, target: 'docs', paths: ['docs/**'] });
          expect(docs).toMatchObject({ files: 1, bytes: 17 });
          expect(await restoredData(s, 'docs')).toEqual({ '2026/11/23/docs/report.txt': 'quarterly numbers' });

          await expect(restore(s, { day: DAY1, disc, target: 'docs' })).rejects.toMatchObject({
            code: 'INVALID_REQUEST',
            message: expect.stringContaining('not empty'),
          });
          expect(Object.keys(await restoredData(s, 'docs'))).toEqual(['2026/11/23/docs/report.txt']);

          const forced = await restore(s, { day: DAY1, disc, target: 'docs', force: true });
          expect(forced.files).toBe(Object.keys(await s.restoredFiles('docs')).length);
          expect(Object.keys(await restoredData(s, 'docs'))).toEqual([
            '2026/11/23/docs/report.txt',
            '2026/11/23/etc/hosts',
          ]);
        }));

      if (rewritable) {
        it('blanks and initializes rewritable media', () =>
          withSubject(factory, mediaType, async (s) => {
            await s.stageDay(DAY1, { a: 'first' });
            await s.drive.write({ days: [DAY1], label: LABEL1, newDisc: true });
            await s.drive.blank();
            expect(await s.drive.status()).toMatchObject({ sessions: 0, label: null, bytesUsed: 0 });

            await s.drive.initialize(LABEL2);
            expect(await s.drive.status()).toMatchObject({ sessions: 1, label: LABEL2 });
            expect(await s.mediaPaths()).toEqual(['CedarBackup/']);
          }));

        it('starts a new disc over old sessions', () =>
          withSubject(factory, mediaType, async (s) => {
            await s.stageDay(DAY1, { a: 'first' });
            await s.stageDay(DAY2, { b: 'second' });
            await s.drive.write({ days: [DAY1], label: LABEL1, newDisc: true });
            await s.drive.write({ days: [DAY2], label: LABEL2, newDisc: true });

            expect(await s.drive.status()).toMatchObject({ sessions: 1, label: LABEL2 });
            const report = await s.drive.verify({ days: [DAY1] });
            expect(filesOnly(report.mismatches.map((m) => m.path))).toEqual(['2026/11/23/a']);
            expect(report.mismatches.every((m) => m.kind === 'missing')).toBe(true);
          }));
      } else {
        it('refuses to blank or initialize write-once media', () =>
          withSubject(factory, mediaType, async (s) => {
            await expect(s.drive.blank()).rejects.toMatchObject({ code: 'MEDIA_NOT_REWRITABLE' });
            await expect(s.drive.initialize(LABEL1)).rejects.toMatchObject({ code: 'MEDIA_NOT_REWRITABLE' });
          }));
      }
    });
  }
}
