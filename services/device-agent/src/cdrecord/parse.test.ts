import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  parseBoundaries,
  parseTrackProgress,
  reportsNoDisc,
  sessionsFromBoundaries,
  supportsMultisession,
} from './parse.js';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('cdrecord -prcap', () => {
  it('finds multisession support in the recorded capabilities of a real drive', () => {
    expect(supportsMultisession(fixture('cdrecord-prcap.txt'))).toBe(true);
  });

  it('finds none when the drive does not read multisession discs', () => {
    const without = fixture('cdrecord-prcap.txt').replace('Does read multi-session', 'Does not read multi-session');
    expect(supportsMultisession(without)).toBe(false);
    expect(supportsMultisession('')).toBe(false);
  });
});

describe('cdrecord -msinfo', () => {
  it('reads the recorded boundaries', () => {
    expect(parseBoundaries(fixture('cdrecord-msinfo.txt'))).toEqual([268582, 302230]);
  });

  it('allows whitespace around the numbers and reads the first line only', () => {
    expect(parseBoundaries(`  268582 ,\t302230  \r\n1,2\n`)).toEqual([268582, 302230]);
  });

  it('treats no output at all as unknown', () => {
    expect(parseBoundaries('')).toBeNull();
  });

  // Cedar Backup cdwriter.py _parseBoundariesOutput: `raise IOError("Unable to parse output of boundaries command.")`
  // when output[0], the first line, is not `lower,upper`: an empty first line is not a blank disc.
  it('refuses an empty or unparseable first line, saying what was read', () => {
    for (const text of ['\n', '\n \n', '\n268582,302230\n', '  \r\n']) {
      expect(() => parseBoundaries(text), JSON.stringify(text)).toThrow(
        expect.objectContaining({ code: 'WRITE_FAILED', message: expect.stringContaining('an empty first line') }),
      );
    }
    expect(() => parseBoundaries('Cannot read TOC\n')).toThrow(
      expect.objectContaining({ code: 'WRITE_FAILED', message: expect.stringContaining('"Cannot read TOC"') }),
    );
  });

  it('refuses negative or non-numeric boundaries', () => {
    for (const text of ['-1,302230\n', '268582,-6\n', 'abc,302230\n', '268582\n', 'scsidev: 0,0,0\n268582,302230\n']) {
      expect(() => parseBoundaries(text), text).toThrow(expect.objectContaining({ code: 'WRITE_FAILED' }));
    }
  });

  it('counts sessions without ever over-counting', () => {
    expect(sessionsFromBoundaries(null)).toBe(0);
    expect(sessionsFromBoundaries([0, 0])).toBe(0);
    expect(sessionsFromBoundaries([0, 174432])).toBe(1);
    expect(sessionsFromBoundaries([268582, 302230])).toBe(2);
  });

  it('recognises an empty tray', () => {
    expect(reportsNoDisc('cdrecord: No disk / Wrong disk!\n')).toBe(true);
    expect(reportsNoDisc(fixture('cdrecord-prcap.txt'))).toBe(false);
  });
});

describe('cdrecord write progress', () => {
  it('reads megabytes written from a track line', () => {
    expect(parseTrackProgress('Track 01:   12 of  345 MB written (fifo 100%) [buf  99%]  16.0x.')).toEqual({
      megabytesDone: 12,
      megabytesTotal: 345,
    });
    expect(parseTrackProgress('Starting new track at sector: 0')).toBeNull();
  });
});
