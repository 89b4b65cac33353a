import { describe, expect, it } from 'vitest';
import { blankArgs, sectorsUsedArgs, writeArgs } from './args.js';

const grafts = ['2026/11/23/=/stage/2026/11/23'];

describe('growisofs arguments', () => {
  it('starts a new disc with -Z', () => {
    expect(writeArgs({ device: '/dev/sr0', newDisc: true, label: 'CEDAR BACKUP 23-NOV-2026', grafts })).toEqual([
      '-use-the-force-luke=tty',
      '-Z',
      '/dev/sr0',
      '-V',
      'CEDAR BACKUP 23-NOV-2026',
      '-r',
      '-graft-points',
      ...grafts,
    ]);
  });

  it('appends with -M, after the dry-run and speed flags', () => {
    expect(writeArgs({ device: '/dev/sr0', newDisc: false, grafts, driveSpeed: 4, dryRun: true })).toEqual([
      '-use-the-force-luke=tty',
      '-dry-run',
      '-speed=4',
      '-M',
      '/dev/sr0',
      '-r',
      '-graft-points',
      ...grafts,
    ]);
  });

  it('measures the used sectors by a dry append of an empty directory', () => {
    expect(sectorsUsedArgs({ device: '/dev/sr0', emptyDir: '/work/scratch=1' })).toEqual([
      '-use-the-force-luke=tty',
      '-dry-run',
      '-M',
      '/dev/sr0',
      '-r',
      '-graft-points',
      '/work/scratch\\=1',
    ]);
  });

  it('blanks by overwriting the disc with zeros', () => {
    expect(blankArgs({ device: '/dev/sr0', driveSpeed: 2 })).toEqual([
      '-use-the-force-luke=tty',
      '-speed=2',
      '-Z',
      '/dev/sr0=/dev/zero',
    ]);
  });

  it('refuses a drive speed that is not a whole number >= 1', () => {
    expect(() => writeArgs({ device: '/dev/sr0', newDisc: true, grafts, driveSpeed: 2.5 })).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST' }),
    );
  });
});
