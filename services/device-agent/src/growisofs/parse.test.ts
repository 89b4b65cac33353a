import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseOverburn, parseProgress, parseSectorsUsed, reportsNoMedium } from './parse.js';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('growisofs dry run', () => {
  it('reads the used sectors from the recorded seek= (87566 blocks of 16 sectors)', () => {
    expect(parseSectorsUsed(fixture('growisofs-dry-run.txt'))).toBe(1401056);
  });

  it('uses the first line holding seek=', () => {
    expect(parseSectorsUsed(`noise\n${fixture('growisofs-dry-run.txt')}... seek=5\n`)).toBe(1401056);
  });

  it('counts nothing used when no line holds seek=', () => {
    expect(parseSectorsUsed('')).toBe(0);
    expect(parseSectorsUsed(':-( /dev/sr0: media is blank\n')).toBe(0);
  });

  it('refuses a seek= without a number', () => {
    expect(() => parseSectorsUsed("builtin_dd of=/dev/sr0 obs=32k seek=x'\n")).toThrow(
      expect.objectContaining({ code: 'WRITE_FAILED' }),
    );
  });

  it('recognises an empty tray', () => {
    expect(reportsNoMedium(':-( unable to open64("/dev/sr0",O_RDONLY): No medium found\n')).toBe(true);
    expect(reportsNoMedium(fixture('growisofs-dry-run.txt'))).toBe(false);
  });
});

describe('growisofs overburn', () => {
  it('reads both figures from the recorded line', () => {
    expect(parseOverburn(fixture('growisofs-overburn.txt'))).toEqual({
      device: '/dev/cdrom',
      blocksFree: 894048,
      blocksToWrite: 2033746,
    });
  });

  it('finds the line among other output, and nothing in a normal failure', () => {
    expect(parseOverburn(`Executing 'x'\n${fixture('growisofs-overburn.txt')}`)?.blocksFree).toBe(894048);
    expect(parseOverburn(':-[ WRITE@LBA=0h failed with SK=3h/ASC=0Ch\n')).toBeNull();
  });
});

describe('growisofs progress', () => {
  it('reads bytes done and in total', () => {
    expect(parseProgress(' 1234567/4567890 (27.0%) @3.9x, remaining 5:12')).toEqual({
      bytesDone: 1234567,
      bytesTotal: 4567890,
      percent: 27,
    });
    expect(parseProgress('  98304/4567890 ( 2.2%) @0.0x, remaining ??:?? RBU 100.0% UBU   2.9%')?.bytesDone).toBe(
      98304,
    );
  });

  it('ignores other lines', () => {
    expect(parseProgress(fixture('growisofs-dry-run.txt'))).toBeNull();
    expect(parseProgress('/dev/sr0: "Current Write Speed" is 4.1x1352KBps.')).toBeNull();
  });
});
