import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { emptyDirectoryGraft, graftArgs, imageArgs, printSizeArgs, volumeInfoArgs } from './args.js';
import { parsePrintSize, parseVolumeId } from './parse.js';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

const days = [
  { day: '2026-11-24' as const, path: '/stage/2026/11/24' },
  { day: '2026-11-23' as const, path: '/stage/2026/11/23' },
];

describe('mkisofs arguments', () => {
  it('grafts each day at YYYY/MM/DD, sorted', () => {
    expect(graftArgs(days)).toEqual(['2026/11/23/=/stage/2026/11/23', '2026/11/24/=/stage/2026/11/24']);
  });

  it('escapes = and \\ in staging paths so mkisofs does not split them', () => {
    expect(graftArgs([{ day: '2026-11-23', path: '/st=age\\x/2026/11/23' }])).toEqual([
      '2026/11/23/=/st\\=age\\\\x/2026/11/23',
    ]);
    expect(emptyDirectoryGraft('/work/scratch-1/CedarBackup')).toEqual(['CedarBackup/=/work/scratch-1/CedarBackup']);
  });

  it('estimates a new disc without -C/-M and an appended session with them', () => {
    const grafts = graftArgs(days);
    expect(printSizeArgs({ grafts })).toEqual(['-print-size', '-graft-points', '-r', ...grafts]);
    expect(
      printSizeArgs({ grafts, label: 'CEDAR BACKUP 23-NOV-2026', boundaries: [0, 302230], device: '/dev/sr0' }),
    ).toEqual([
      '-print-size',
      '-graft-points',
      '-r',
      '-V',
      'CEDAR BACKUP 23-NOV-2026',
      '-C',
      '0,302230',
      '-M',
      '/dev/sr0',
      ...grafts,
    ]);
  });

  it('builds the image into the given file', () => {
    const grafts = graftArgs(days);
    expect(imageArgs({ imagePath: '/w/image.iso', grafts, label: 'CEDAR BACKUP 23-NOV-2026' })).toEqual([
      '-o',
      '/w/image.iso',
      '-graft-points',
      '-r',
      '-V',
      'CEDAR BACKUP 23-NOV-2026',
      ...grafts,
    ]);
  });

  it('reads the label of the last session', () => {
    expect(volumeInfoArgs('/dev/sr0')).toEqual(['-d', '-i', '/dev/sr0']);
    expect(volumeInfoArgs('/dev/sr0', 0)).toEqual(['-d', '-i', '/dev/sr0']);
    expect(volumeInfoArgs('/dev/sr0', 268582)).toEqual(['-d', '-i', '/dev/sr0', '-T', '268582']);
  });
});

describe('mkisofs output', () => {
  it('reads the size in sectors from the recorded stdout, ignoring the chatter on stderr', () => {
    expect(parsePrintSize(fixture('genisoimage-print-size.stdout'))).toBe(2621);
    expect(parsePrintSize(fixture('genisoimage-print-size.stderr'))).toBeNull();
  });

  it('refuses output that is not one number', () => {
    expect(parsePrintSize('')).toBeNull();
    expect(parsePrintSize('2621\n2622\n')).toBeNull();
    expect(parsePrintSize('-5\n')).toBeNull();
    expect(parsePrintSize('lots\n')).toBeNull();
  });

  it('reads the volume id from isoinfo -d, an empty one being no label', () => {
    const text =
      'CD-ROM is in ISO 9660 format\nSystem id: LINUX\nVolume id: CEDAR BACKUP 26-NOV-2026\nVolume set id: \n';
    expect(parseVolumeId(text)).toBe('CEDAR BACKUP 26-NOV-2026');
    expect(parseVolumeId('Volume id: \nVolume set id: \n')).toBeNull();
    expect(parseVolumeId('')).toBeNull();
  });
});
