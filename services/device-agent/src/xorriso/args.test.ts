import { describe, expect, it } from 'vitest';
import {
  blankArgs,
  estimateArgs,
  exportArgs,
  initializeArgs,
  mapArgs,
  speedArgs,
  statusArgs,
  writeArgs,
  xorrisoDevice,
} from './args.js';

const ABORT = ['-abort_on', 'FAILURE'];
/** xorriso's progress loop wakes every tenth of a second, so a write returns as soon as it ends. */
const COMMIT = ['-pacifier', 'interval=0.1', '-commit'];
const LABEL = 'CEDAR BACKUP 23-NOV-2026';

/** Given out of order on purpose: the disc must list days in date order. */
const days = [
  { day: '2026-11-24', path: '/opt/backup/stage/2026/11/24' },
  { day: '2026-11-23', path: '/opt/backup/stage/2026/11/23' },
  { day: '2025-12-31', path: '/opt/backup/stage/2025/12/31' },
];

const MAPS = [
  ...['-not_paths', '/opt/backup/stage/2025/12/31/cback.store', '--'],
  '-map',
  '/opt/backup/stage/2025/12/31',
  '/2025/12/31',
  ...['-not_paths', '/opt/backup/stage/2026/11/23/cback.store', '--'],
  '-map',
  '/opt/backup/stage/2026/11/23',
  '/2026/11/23',
  ...['-not_paths', '/opt/backup/stage/2026/11/24/cback.store', '--'],
  '-map',
  '/opt/backup/stage/2026/11/24',
  '/2026/11/24',
];

describe('xorriso devices', () => {
  it('prefixes image files with stdio: and leaves drives alone', () => {
    expect(xorrisoDevice('/srv/iso/disc.iso', true)).toBe('stdio:/srv/iso/disc.iso');
    expect(xorrisoDevice('/dev/sr0', false)).toBe('/dev/sr0');
  });
});

describe('mapArgs', () => {
  it('maps each staging day but its store indicator to its graft point /YYYY/MM/DD, sorted by day', () => {
    expect(mapArgs(days)).toEqual(MAPS);
  });

  it('does not reorder the caller’s list', () => {
    const given = [...days];
    mapArgs(given);
    expect(given).toEqual(days);
  });

  it('refuses a day that is not a real date', () => {
    expect(() => mapArgs([{ day: '2026-02-30', path: '/x' }])).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST' }),
    );
  });
});

describe('speedArgs', () => {
  it('writes the speed in the unit of the media family', () => {
    expect(speedArgs(4, 'dvd')).toEqual(['-speed', '4d']);
    expect(speedArgs(8, 'cd')).toEqual(['-speed', '8c']);
    expect(speedArgs(2, 'bd')).toEqual(['-speed', '2b']);
  });

  it('leaves the speed to the drive when none is configured', () => {
    expect(speedArgs(undefined, 'dvd')).toEqual([]);
  });
});

describe('statusArgs', () => {
  it('reads the table of contents and the volume descriptor', () => {
    expect(statusArgs('/dev/sr0')).toEqual([...ABORT, '-indev', '/dev/sr0', '-toc', '-pvd_info']);
  });
});

describe('estimateArgs', () => {
  it('measures a new disc against a null device, never touching the disc', () => {
    expect(estimateArgs({ device: '/dev/sr0', days, label: LABEL, newDisc: true })).toEqual([
      ...ABORT,
      '-md5',
      'on',
      '-outdev',
      'stdio:/dev/null',
      '-volid',
      LABEL,
      ...MAPS,
      '-print_size',
      '-rollback_end',
    ]);
  });

  it('measures an appended session against the disc’s tree with -dev', () => {
    expect(estimateArgs({ device: '/dev/sr0', days: days.slice(0, 1), label: LABEL, newDisc: false })).toEqual([
      ...ABORT,
      '-md5',
      'on',
      '-dev',
      '/dev/sr0',
      '-volid',
      LABEL,
      ...['-not_paths', '/opt/backup/stage/2026/11/24/cback.store', '--'],
      '-map',
      '/opt/backup/stage/2026/11/24',
      '/2026/11/24',
      '-print_size',
      '-rollback_end',
    ]);
  });

  it('never commits: -rollback_end is last', () => {
    for (const newDisc of [true, false]) {
      const args = estimateArgs({ device: '/dev/sr0', days, label: LABEL, newDisc });
      expect(args.slice(-2)).toEqual(['-print_size', '-rollback_end']);
      expect(args).not.toContain('-commit');
    }
  });
});

describe('MD5 checksums', () => {
  it('are written and measured on real drives unless turned off', () => {
    const write = { device: '/dev/sr0', days, label: LABEL, newDisc: true, blankFirst: false, speed: [] };
    expect(writeArgs(write).slice(2, 4)).toEqual(['-md5', 'on']);
    expect(estimateArgs({ device: '/dev/sr0', days, label: LABEL, newDisc: true }).slice(2, 4)).toEqual(['-md5', 'on']);
    expect(writeArgs({ ...write, md5: false }).slice(2, 4)).toEqual(['-md5', 'off']);
  });

  it('are measured as they are written: an estimate without them sizes an image without them', () => {
    const estimate = estimateArgs({ device: 'stdio:/srv/disc.iso', days, label: LABEL, newDisc: false, md5: false });
    expect(estimate.slice(2, 4)).toEqual(['-md5', 'off']);
    expect(estimate).not.toContain('on');
  });
});

describe('writeArgs', () => {
  it('flushes an image file once at the end of the session, and asks nothing of the kind for a drive', () => {
    const image = writeArgs({
      device: 'stdio:/srv/disc.iso',
      days,
      label: LABEL,
      newDisc: false,
      blankFirst: false,
      speed: [],
    });
    expect(image.slice(image.indexOf('-stdio_sync'), image.indexOf('-stdio_sync') + 2)).toEqual(['-stdio_sync', 'end']);
    expect(image.indexOf('-stdio_sync')).toBeLessThan(image.indexOf('-dev'));
    const drive = writeArgs({ device: '/dev/sr0', days, label: LABEL, newDisc: true, blankFirst: false, speed: [] });
    expect(drive).not.toContain('-stdio_sync');
  });

  it('writes a new disc with -outdev, blanking used media first', () => {
    expect(
      writeArgs({ device: '/dev/sr0', days, label: LABEL, newDisc: true, blankFirst: true, speed: ['-speed', '4d'] }),
    ).toEqual([
      ...ABORT,
      '-md5',
      'on',
      '-outdev',
      '/dev/sr0',
      '-blank',
      'as_needed',
      '-speed',
      '4d',
      '-volid',
      LABEL,
      ...MAPS,
      ...COMMIT,
    ]);
  });

  it('writes a new disc without blanking when the media needs none', () => {
    expect(writeArgs({ device: '/dev/sr0', days, label: LABEL, newDisc: true, blankFirst: false, speed: [] })).toEqual([
      ...ABORT,
      '-md5',
      'on',
      '-outdev',
      '/dev/sr0',
      '-volid',
      LABEL,
      ...MAPS,
      ...COMMIT,
    ]);
  });

  it('appends a session with -dev and never blanks', () => {
    expect(
      writeArgs({
        device: 'stdio:/srv/iso/disc.iso',
        days,
        label: LABEL,
        newDisc: false,
        blankFirst: true,
        speed: ['-speed', '8c'],
      }),
    ).toEqual([
      ...ABORT,
      '-md5',
      'on',
      '-stdio_sync',
      'end',
      '-dev',
      'stdio:/srv/iso/disc.iso',
      '-speed',
      '8c',
      '-volid',
      LABEL,
      ...MAPS,
      ...COMMIT,
    ]);
  });

  it('aborts on the first failure and commits only at the very end', () => {
    const args = writeArgs({ device: '/dev/sr0', days, label: LABEL, newDisc: true, blankFirst: true, speed: [] });
    expect(args.slice(0, 2)).toEqual(ABORT);
    expect(args.at(-1)).toBe('-commit');
    expect(args.filter((arg) => arg === '-commit')).toHaveLength(1);
  });
});

describe('blankArgs', () => {
  it('blanks as needed, at the configured speed', () => {
    expect(blankArgs('/dev/sr0')).toEqual([...ABORT, '-outdev', '/dev/sr0', '-blank', 'as_needed']);
    expect(blankArgs('/dev/sr0', ['-speed', '2b'])).toEqual([
      ...ABORT,
      '-outdev',
      '/dev/sr0',
      '-speed',
      '2b',
      '-blank',
      'as_needed',
    ]);
  });
});

describe('initializeArgs', () => {
  // Without `--` real xorriso 1.5.4 takes -commit as a second directory to make.
  it('writes a labelled first session holding /CedarBackup, ending the -mkdir list before -commit', () => {
    expect(initializeArgs({ device: '/dev/sr0', label: LABEL, blankFirst: true, speed: ['-speed', '4d'] })).toEqual([
      ...ABORT,
      '-md5',
      'on',
      '-outdev',
      '/dev/sr0',
      '-blank',
      'as_needed',
      '-speed',
      '4d',
      '-volid',
      LABEL,
      '-mkdir',
      '/CedarBackup',
      '--',
      ...COMMIT,
    ]);
    expect(initializeArgs({ device: '/dev/sr0', label: LABEL, blankFirst: false, speed: [] })).toEqual([
      ...ABORT,
      '-md5',
      'on',
      '-outdev',
      '/dev/sr0',
      '-volid',
      LABEL,
      '-mkdir',
      '/CedarBackup',
      '--',
      ...COMMIT,
    ]);
  });
});

describe('exportArgs', () => {
  it('builds a standalone image file of the days', () => {
    expect(exportArgs({ imagePath: '/srv/iso/cedar-2026-11-23.iso', days, label: LABEL })).toEqual([
      ...ABORT,
      '-md5',
      'on',
      '-outdev',
      'stdio:/srv/iso/cedar-2026-11-23.iso',
      '-volid',
      LABEL,
      ...MAPS,
      ...COMMIT,
    ]);
  });
});
