import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { failureLines, parsePrintSize, parseToc, parseWritingProgress, parseWrittenSectors } from './parse.js';

/** Outputs recorded from xorriso 1.5.4 (paths rewritten to /var/lib/cedar-store/). */
const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('parseToc', () => {
  it('reads a file holding no ISO image as a closed disc without a label (not the ISOIMAGE xorriso invents)', () => {
    expect(parseToc(fixture('status-not-iso.txt'))).toMatchObject({
      blank: false,
      appendable: false,
      sessions: 1,
      volumeId: null,
    });
  });

  it('reads a blank disc: no sessions and no label, although the PVD says ISOIMAGE', () => {
    expect(parseToc(fixture('status-blank.txt'))).toEqual({
      mediaCurrent: 'stdio file, overwriteable',
      blank: true,
      appendable: false,
      sessions: 0,
      sessionStarts: [],
      nextWritableAddress: null,
      volumeId: null,
    });
  });

  it('reads a disc of one session', () => {
    expect(parseToc(fixture('status-one-session.txt'))).toEqual({
      mediaCurrent: 'stdio file, overwriteable',
      blank: false,
      appendable: true,
      sessions: 1,
      sessionStarts: [32],
      nextWritableAddress: 64,
      volumeId: 'CEDAR BACKUP 23-NOV-2026',
    });
  });

  it('reads a disc of three sessions: their starts, the next writable address and the newest label', () => {
    expect(parseToc(fixture('status-three-sessions.txt'))).toEqual({
      mediaCurrent: 'stdio file, overwriteable',
      blank: false,
      appendable: true,
      sessions: 3,
      sessionStarts: [32, 224, 256],
      nextWritableAddress: 288,
      volumeId: 'X',
    });
  });

  it('falls back to the PVD volume id when there is no quoted one', () => {
    const withoutQuoted = fixture('status-one-session.txt').replace(/^Volume id {4}:.*\n/m, '');
    expect(parseToc(withoutQuoted).volumeId).toBe('CEDAR BACKUP 23-NOV-2026');
  });

  it('reports no media when the drive cannot be acquired', () => {
    expect(parseToc(fixture('status-no-drive.txt'))).toMatchObject({
      mediaCurrent: null,
      sessions: 0,
      volumeId: null,
    });
  });

  it('reports no media for an empty tray', () => {
    expect(parseToc("Drive current: -indev '/dev/sr0'\nMedia current: is not present\n").mediaCurrent).toBeNull();
  });
});

describe('parsePrintSize', () => {
  it('reads the image size of an appended session', () => {
    expect(parsePrintSize(fixture('print-size-append.txt'))).toBe(192);
  });

  it('reads the image size of a new disc', () => {
    expect(parsePrintSize(fixture('print-size-new-disc.txt'))).toBe(186);
  });

  it('finds nothing in output without a size', () => {
    expect(parsePrintSize(fixture('write-failure.txt'))).toBeNull();
  });
});

describe('parseWritingProgress', () => {
  it('reads sectors and percent from each Writing: line of a real write', () => {
    const progress = fixture('write-new-disc.txt')
      .split('\n')
      .map(parseWritingProgress)
      .filter((found) => found !== null);
    expect(progress).toEqual([
      { sectors: 8192, percent: 4.2 },
      { sectors: 78790, percent: 40.3 },
      { sectors: 182694, percent: 93.4 },
    ]);
  });

  it('ignores other lines', () => {
    expect(parseWritingProgress('xorriso : UPDATE :       1 files added in 1 seconds')).toBeNull();
    expect(parseWritingProgress('Written to medium : 195520 sectors at LBA 32')).toBeNull();
  });
});

describe('parseWrittenSectors', () => {
  it('reads the sectors written to the medium', () => {
    expect(parseWrittenSectors(fixture('write-new-disc.txt'))).toBe(195520);
  });

  it('finds nothing when nothing was written', () => {
    expect(parseWrittenSectors(fixture('write-failure.txt'))).toBeNull();
  });
});

describe('failureLines', () => {
  it('gives the reason of a failed write without the aborting banner', () => {
    expect(failureLines(fixture('write-failure.txt'))).toEqual([
      "Cannot determine attributes of source file '/var/lib/cedar-store/nonexistent' : No such file or directory",
    ]);
  });

  it('keeps the library’s SORRY that explains a drive that cannot be acquired', () => {
    const lines = failureLines(fixture('status-no-drive.txt'));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('Neither stdio-path nor its directory exist');
    expect(lines[1]).toBe("Cannot acquire drive 'stdio:/var/lib/cedar-store/nonexist/d.iso'");
  });

  it('finds no failure in a successful write, warnings included', () => {
    expect(failureLines(fixture('write-new-disc.txt'))).toEqual([]);
  });
});
