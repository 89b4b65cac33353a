import { describe, expect, it } from 'vitest';
import { blankArgs, cdrecordDevice, msinfoArgs, prcapArgs, writeArgs } from './args.js';

describe('cdrecord arguments', () => {
  it('addresses the drive by its SCSI id when one is configured, else by its path', () => {
    expect(cdrecordDevice({ path: '/dev/sr0', scsiId: 'ATA:1,0,0' })).toBe('ATA:1,0,0');
    expect(cdrecordDevice({ path: '/dev/sr0' })).toBe('/dev/sr0');
  });

  it('reads capabilities and boundaries', () => {
    expect(prcapArgs('0,0,0')).toEqual(['-prcap', 'dev=0,0,0']);
    expect(msinfoArgs('/dev/sr0')).toEqual(['-msinfo', 'dev=/dev/sr0']);
  });

  it('blanks fast, with the speed when set', () => {
    expect(blankArgs({ device: '/dev/sr0' })).toEqual(['-v', 'blank=fast', 'dev=/dev/sr0']);
    expect(blankArgs({ device: 'ATA:1,0,0', driveSpeed: 4 })).toEqual(['-v', 'blank=fast', 'speed=4', 'dev=ATA:1,0,0']);
  });

  it('writes the image as data, leaving the disc open only for multisession drives', () => {
    expect(writeArgs({ device: '/dev/sr0', driveSpeed: 8, multisession: true, imagePath: '/w/image.iso' })).toEqual([
      '-v',
      'speed=8',
      'dev=/dev/sr0',
      '-multi',
      '-data',
      '/w/image.iso',
    ]);
    expect(writeArgs({ device: '/dev/sr0', multisession: false, imagePath: '/w/image.iso' })).toEqual([
      '-v',
      'dev=/dev/sr0',
      '-data',
      '/w/image.iso',
    ]);
  });

  it('refuses a drive speed that is not a whole number >= 1', () => {
    for (const driveSpeed of [0, -2, 1.5, Number.NaN]) {
      expect(() => blankArgs({ device: '/dev/sr0', driveSpeed })).toThrow(
        expect.objectContaining({ code: 'INVALID_REQUEST' }),
      );
    }
  });
});
