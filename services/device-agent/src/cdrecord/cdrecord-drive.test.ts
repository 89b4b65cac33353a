import { readdir, stat } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { Progress } from '@cedar-store/ports';
import type { DeviceSettings } from '../media/device-settings.js';
import {
  createDriveFixture,
  deviceSettings,
  EJECTS,
  imageToolAnswers,
  recordedOutput,
  type DriveFixture,
} from '../testing/drive-fixture.js';
import type { FakeAnswer } from '../testing/fake-programs.js';
import { CdrecordDrive } from '../backends.js';

const fixture = (name: string): string => recordedOutput('cdrecord', name);

const PRCAP = fixture('cdrecord-prcap.txt');
/** cdrecord's banner, as recorded, printed on stderr around every answer. */
const CHATTER = PRCAP.split('\n').slice(0, 5).join('\n') + '\n';
const IMAGE_BYTES = 2 * 2 ** 20;
const LABEL = 'CEDAR BACKUP 23-NOV-2026';

function programs(options: { msinfo?: FakeAnswer; prcap?: string; write?: FakeAnswer; printSize?: string } = {}) {
  return {
    cdrecord: [
      { when: ['-msinfo'], stdout: fixture('cdrecord-msinfo.txt'), stderr: CHATTER, ...options.msinfo },
      { when: ['-prcap'], stdout: options.prcap ?? PRCAP },
      { when: ['blank=fast'], stderr: CHATTER },
      {
        when: ['-data'],
        stdout: 'Track 01:    1 of    2 MB written (fifo 100%) [buf  99%]   4.0x.\r',
        ...options.write,
      },
    ],
    ...imageToolAnswers({ printSize: options.printSize, imageBytes: IMAGE_BYTES }),
  };
}

let world: DriveFixture | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

async function setup(
  options: Parameters<typeof programs>[0] = {},
  settings: Partial<DeviceSettings> = {},
): Promise<{ drive: CdrecordDrive; world: DriveFixture }> {
  world = await createDriveFixture({ days: ['2026-11-22', '2026-11-23'], programs: programs(options) });
  const drive = new CdrecordDrive(
    deviceSettings({ backend: 'cdrecord', mediaType: 'cdrw-80', ...settings }),
    world.env,
  );
  return { drive, world };
}

/** The status read that makes sure a disc is in the drive before anything is changed. */
const STATUS = ['cdrecord -msinfo dev=/dev/sr0', 'cdrecord -prcap dev=/dev/sr0', 'isoinfo -d -i /dev/sr0 -T 268582'];

/** The image cdrecord wrote: it existed while cdrecord ran and is gone now. */
async function expectImageDeleted(fixtureWorld: DriveFixture): Promise<void> {
  const write = (await fixtureWorld.calls()).find((call) => call.args.includes('-data'));
  const imagePath = write?.args.at(-1) ?? '';
  expect(write?.existing).toContain(imagePath);
  await expect(stat(imagePath)).rejects.toThrow();
  expect(await readdir(fixtureWorld.workingDir)).toEqual([]);
}

describe('CdrecordDrive status', () => {
  it('reports an appendable disc from its boundaries and the label of its last session', async () => {
    const { drive, world } = await setup();
    expect(await drive.status()).toEqual({
      mediaPresent: true,
      mediaType: 'cdrw-80',
      rewritable: true,
      label: 'CEDAR BACKUP 22-NOV-2026',
      mounted: false,
      sessions: 2,
      boundaries: [268582, 302230],
      bytesUsed: 302230 * 2048,
      bytesAvailable: (358400 - 302230 - 6900) * 2048,
    });
    expect(await world.commands()).toEqual([
      'cdrecord -msinfo dev=/dev/sr0',
      'cdrecord -prcap dev=/dev/sr0',
      'isoinfo -d -i /dev/sr0 -T 268582',
    ]);
  });

  it('reports a blank disc when -msinfo prints nothing, and an empty tray', async () => {
    const blank = await setup({ msinfo: { stdout: '' } });
    expect(await blank.drive.status()).toMatchObject({
      mediaPresent: true,
      label: null,
      sessions: 0,
      boundaries: null,
    });
    expect((await blank.drive.status()).bytesAvailable).toBe((358400 - 11400) * 2048);
    expect(await blank.world.commands()).not.toContainEqual(expect.stringMatching(/^isoinfo/));

    await blank.world.cleanup();
    const empty = await setup({ msinfo: { stdout: '', stderr: 'cdrecord: No disk / Wrong disk!\n', exitCode: 255 } });
    expect(await empty.drive.status()).toMatchObject({ mediaPresent: false, sessions: 0 });
  });

  it('refuses malformed boundaries', async () => {
    const { drive } = await setup({ msinfo: { stdout: '-1,302230\n' } });
    await expect(drive.status()).rejects.toMatchObject({ code: 'WRITE_FAILED' });
  });
});

describe('CdrecordDrive write', () => {
  it('blanks a used rewritable CD, writes a new disc from a temporary image, deletes it and refreshes the media', async () => {
    const { drive, world } = await setup();
    const progress: Progress[] = [];
    const result = await drive.write({ days: ['2026-11-23', '2026-11-22'], label: LABEL, newDisc: true }, (p) =>
      progress.push(p),
    );
    const grafts = '2026/11/22/=<root>/2026/11/22 2026/11/23/=<root>/2026/11/23';
    expect(await world.commands()).toEqual([
      ...STATUS,
      `mkisofs -print-size -graft-points -r ${grafts}`,
      'cdrecord -prcap dev=/dev/sr0',
      `mkisofs -o <scratch>/image.iso -graft-points -r -V ${LABEL} ${grafts}`,
      'cdrecord -v blank=fast dev=/dev/sr0',
      'cdrecord -v dev=/dev/sr0 -multi -data <scratch>/image.iso',
      ...EJECTS,
      ...STATUS,
    ]);
    expect(result).toEqual({ bytesWritten: IMAGE_BYTES, sessions: 2 });
    expect(progress).toContainEqual({ phase: 'blank', bytesDone: 1, bytesTotal: 1 });
    expect(progress).toContainEqual({ phase: 'write', bytesDone: 2 ** 20, bytesTotal: IMAGE_BYTES });
    await expectImageDeleted(world);
  });

  it('appends a session with -C/-M from the boundaries, without blanking', async () => {
    const { drive, world } = await setup();
    await drive.write({ days: ['2026-11-23'], label: LABEL, newDisc: false });
    const commands = await world.commands();
    expect(commands).toContain(
      'mkisofs -print-size -graft-points -r -C 268582,302230 -M /dev/sr0 2026/11/23/=<root>/2026/11/23',
    );
    expect(commands).toContain(
      `mkisofs -o <scratch>/image.iso -graft-points -r -V ${LABEL} -C 268582,302230 -M /dev/sr0 2026/11/23/=<root>/2026/11/23`,
    );
    expect(commands.filter((line) => line.includes('blank='))).toEqual([]);
    await expectImageDeleted(world);
  });

  describe('on a drive that does not read multisession discs', () => {
    const prcap = PRCAP.replace('Does read multi-session', 'Does not read multi-session');
    // Cedar Backup cdwriter.py _getBoundaries: `if not self._deviceSupportsMulti:` → `return None`, so
    // _calculateCapacity counts the whole disc less the initial lead-in, and _writeImage passes
    // `writeMulti and self._deviceSupportsMulti` (false) to cdrecord: no -multi.
    const used = { msinfo: { stdout: '169247,233767\n' }, printSize: '279659\n' };

    it('takes the disc as empty whatever -msinfo says, and says why', async () => {
      const { drive } = await setup({ ...used, prcap }, { mediaType: 'cdr-80' });
      expect(await drive.status()).toMatchObject({
        sessions: 0,
        boundaries: null,
        bytesUsed: 0,
        bytesAvailable: 710_656_000,
        treatedAsEmpty: expect.stringContaining('does not read multisession discs'),
      });
    });

    it('writes a 279 659-sector image that a multisession drive finds too big: fresh image, no -multi, no blank', async () => {
      const { drive, world } = await setup({ ...used, prcap }, { mediaType: 'cdr-80' });
      await drive.write({ days: ['2026-11-23'], label: LABEL, newDisc: false });
      const commands = await world.commands();
      expect(commands).toContain('mkisofs -print-size -graft-points -r 2026/11/23/=<root>/2026/11/23');
      expect(commands).toContain(
        `mkisofs -o <scratch>/image.iso -graft-points -r -V ${LABEL} 2026/11/23/=<root>/2026/11/23`,
      );
      expect(commands).toContain('cdrecord -v dev=/dev/sr0 -data <scratch>/image.iso');
      expect(commands.filter((line) => line.includes('-C ') || line.includes('blank='))).toEqual([]);
    });

    it('ignores -msinfo output it could not parse', async () => {
      const { drive } = await setup({ msinfo: { stdout: '\n' }, prcap }, { mediaType: 'cdr-80' });
      expect(await drive.status()).toMatchObject({ sessions: 0, bytesAvailable: 710_656_000 });
    });

    it('while a multisession drive reads the same disc as nearly full', async () => {
      const { drive, world } = await setup(used, { mediaType: 'cdr-80' });
      expect(await drive.status()).toMatchObject({ bytesAvailable: (358400 - 233767 - 6900) * 2048 });
      expect((await drive.status()).treatedAsEmpty).toBeUndefined();
      await expect(drive.write({ days: ['2026-11-23'], label: LABEL, newDisc: false })).rejects.toMatchObject({
        code: 'MEDIA_FULL',
      });
      expect((await world.commands()).filter((line) => line.startsWith('cdrecord -v'))).toEqual([]);
    });
  });

  it('deletes the temporary image when cdrecord fails, and does not refresh the media', async () => {
    const { drive, world } = await setup({
      write: { stderr: 'cdrecord: Input/output error. write_g1: scsi sendcmd: no error\n', exitCode: 254 },
    });
    await expect(drive.write({ days: ['2026-11-23'], label: LABEL, newDisc: false })).rejects.toMatchObject({
      code: 'WRITE_FAILED',
      message: expect.stringContaining('Input/output error'),
    });
    await expectImageDeleted(world);
    expect((await world.commands()).filter((line) => line.startsWith('eject'))).toEqual([]);
  });

  it('addresses cdrecord by the SCSI id and passes the speed, mkisofs and isoinfo by the device path', async () => {
    const { drive, world } = await setup({}, { scsiId: 'ATA:1,0,0', driveSpeed: 4 });
    await drive.write({ days: ['2026-11-23'], label: LABEL, newDisc: true });
    const commands = await world.commands();
    expect(commands.filter((line) => line.startsWith('cdrecord'))).toEqual([
      'cdrecord -msinfo dev=ATA:1,0,0',
      'cdrecord -prcap dev=ATA:1,0,0',
      'cdrecord -prcap dev=ATA:1,0,0',
      'cdrecord -v blank=fast speed=4 dev=ATA:1,0,0',
      'cdrecord -v speed=4 dev=ATA:1,0,0 -multi -data <scratch>/image.iso',
      'cdrecord -msinfo dev=ATA:1,0,0',
      'cdrecord -prcap dev=ATA:1,0,0',
    ]);
    expect(commands).toContain('isoinfo -d -i /dev/sr0 -T 268582');
    expect(commands.filter((line) => line.startsWith('eject'))).toEqual(EJECTS);
  });

  it('writes and blanks nothing when the estimate does not fit', async () => {
    const { drive, world } = await setup({ printSize: '400000\n' });
    await expect(drive.write({ days: ['2026-11-23'], label: LABEL, newDisc: true })).rejects.toMatchObject({
      code: 'MEDIA_FULL',
      message: expect.stringContaining('media does not have enough capacity to store the image'),
    });
    expect(await world.commands()).toEqual([
      ...STATUS,
      'mkisofs -print-size -graft-points -r 2026/11/23/=<root>/2026/11/23',
    ]);
  });

  it('blanks nothing when the estimate the controller sends does not fit, and measures nothing again', async () => {
    const { drive, world } = await setup({ printSize: '400000\n' });
    const estimate = await drive.estimate({ days: ['2026-11-23'], newDisc: true });
    const measured = await world.commands();
    await expect(drive.write({ days: ['2026-11-23'], label: LABEL, newDisc: true, estimate })).rejects.toMatchObject({
      code: 'MEDIA_FULL',
    });
    // The write only read the media: no second -print-size, no blank=fast, no -data.
    expect((await world.commands()).slice(measured.length)).toEqual(STATUS);
  });

  it('leaves the tray alone with noEject', async () => {
    const { drive, world } = await setup({}, { noEject: true });
    await drive.write({ days: ['2026-11-23'], label: LABEL, newDisc: false });
    expect((await world.commands()).filter((line) => line.startsWith('eject'))).toEqual([]);
  });
});

describe('CdrecordDrive blank, initialize and export', () => {
  it('blanks fast and refreshes the media', async () => {
    const { drive, world } = await setup();
    await drive.blank();
    expect(await world.commands()).toEqual([...STATUS, 'cdrecord -v blank=fast dev=/dev/sr0', ...EJECTS]);
  });

  it('initializes a new disc holding only the empty CedarBackup directory', async () => {
    const { drive, world } = await setup();
    await drive.initialize(LABEL);
    expect(await world.commands()).toEqual([
      ...STATUS,
      'cdrecord -prcap dev=/dev/sr0',
      `mkisofs -o <scratch>/image.iso -graft-points -r -V ${LABEL} CedarBackup/=<scratch>/CedarBackup`,
      'cdrecord -v blank=fast dev=/dev/sr0',
      'cdrecord -v dev=/dev/sr0 -multi -data <scratch>/image.iso',
      ...EJECTS,
    ]);
    expect(await readdir(world.workingDir)).toEqual([]);
  });

  it('refuses to blank write-once media before running anything', async () => {
    const { drive, world } = await setup({}, { mediaType: 'cdr-80' });
    await expect(drive.blank()).rejects.toMatchObject({ code: 'MEDIA_NOT_REWRITABLE' });
    expect(await world.commands()).toEqual([]);
  });

  it('exports a standalone ISO file without touching the drive', async () => {
    const { drive, world } = await setup();
    const exported = await drive.exportImage({ days: ['2026-11-23'], label: LABEL });
    expect(exported).toEqual({ path: `${world.workingDir}/exports/cedar-2026-11-23.iso`, bytes: IMAGE_BYTES });
    expect(await world.commands()).toEqual([
      `mkisofs -o ${world.workingDir}/exports/cedar-2026-11-23.iso -graft-points -r -V ${LABEL} 2026/11/23/=<root>/2026/11/23`,
    ]);
  });
});
