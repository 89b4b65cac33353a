import { describe, expect, it } from 'vitest';
import { noSpaceError, reportsNoSpace } from './no-space.js';

describe('reportsNoSpace', () => {
  it.each([
    ['libburn : SORRY : Cannot write desired amount of 32768 bytes. write(2) returned -1. : No space left on device'],
    ['xorriso : FAILURE : Image size 1184s exceeds free space on media 800s'],
    ['genisoimage: No space left on device. cannot fwrite 2048*1'],
  ])('hears a full file system in %s', (line) => {
    expect(reportsNoSpace(`some output\n${line}\nxorriso : aborting : -abort_on 'FAILURE'`)).toBe(true);
  });

  it('does not take other write errors for it', () => {
    expect(reportsNoSpace('libburn : FATAL : SCSI error on write(16,16): [3 0C 00] Write error')).toBe(false);
  });
});

describe('noSpaceError', () => {
  it('is WRITE_FAILED naming the directory, the reason and what to do', () => {
    const error = noSpaceError('/srv/nas/cedar', 'xorriso could not write the image', 'No space left on device');
    expect(error.code).toBe('WRITE_FAILED');
    expect(error.message).toMatch(/^no space left on \/srv\/nas\/cedar: xorriso could not write the image \(No space/);
    expect(error.message).toContain('Nothing was marked stored');
    expect(error.message).toContain('free space on /srv/nas/cedar');
    expect(error.details).toMatchObject({ directory: '/srv/nas/cedar' });
  });
});
