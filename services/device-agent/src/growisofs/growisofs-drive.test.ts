import { readdir } from 'node:fs/promises';
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
import { GrowisofsDrive } from '../backends.js';

const fixture = (name: string): string => recordedOutput('growisofs', name);

const LABEL = 'CEDAR BACKUP 23-NOV-2026';
const DRY_RUN = 'growisofs -use-the-force-luke=tty -dry-run -M /dev/sr0 -r -graft-points <scratch>';
const USED_SECTORS = 87566 * 16;
const PROGRESS =
  '    524288/2097152 (25.0%) @4.0x, remaining 0:03\r   1048576/2097152 (50.0%) @4.0x, remaining 0:02\r' +
  '   2097152/2097152 (100.0%) @4.0x, remaining 0:00\n';

function programs(options: { dryRun?: FakeAnswer; write?: FakeAnswer; printSize?: string } = {}) {
  return {
    growisofs: [
      { when: ['-dry-run'], stdout: fixture('growisofs-dry-run.txt'), ...options.dryRun },
      { when: ['/dev/sr0=/dev/zero'], stdout: PROGRESS },
      { stdout: PROGRESS, ...options.write },
    ],
    ...imageToolAnswers({ printSize: options.printSize, imageBytes: 4096 }),
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
): Promise<{ drive: GrowisofsDrive; world: DriveFixture }> {
  world = await createDriveFixture({ days: ['2026-11-22', '2026-11-23'], programs: programs(options) });
  const drive = new GrowisofsDrive(
    deviceSettings({ backend: 'growisofs', mediaType: 'dvd+rw', ...settings }),
    world.env,
  );
  return { drive, world };
}

const writes = (commands: string[]): string[] =>
  commands.filter((line) => line.startsWith('growisofs') && !line.includes('-dry-run'));

describe('GrowisofsDrive status', () => {
  it('reports the used sectors from a dry run, and the label', async () => {
    const { drive, world } = await setup();
    expect(await drive.status()).toEqual({
      mediaPresent: true,
      mediaType: 'dvd+rw',
      rewritable: true,
      label: 'CEDAR BACKUP 22-NOV-2026',
      mounted: false,
      sessions: 1,
      sectorsUsed: USED_SECTORS,
      bytesUsed: USED_SECTORS * 2048,
      bytesAvailable: Math.floor(((4.4 * 2 ** 30) / 2048 - USED_SECTORS) * 2048),
    });
    expect(await world.commands()).toEqual([DRY_RUN, 'isoinfo -d -i /dev/sr0']);
    expect(await readdir(world.workingDir)).toEqual([]);
  });

  it('reports nothing used when the dry run fails on a blank disc, and an empty tray', async () => {
    const blank = await setup({ dryRun: { stdout: '', stderr: ':-( /dev/sr0: no appendable session\n', exitCode: 1 } });
    expect(await blank.drive.status()).toMatchObject({ mediaPresent: true, sessions: 0, sectorsUsed: 0, label: null });
    await blank.world.cleanup();
    const stderr = ':-( unable to open64("/dev/sr0",O_RDONLY): No medium found\n';
    const empty = await setup({ dryRun: { stdout: '', stderr, exitCode: 1 } });
    expect(await empty.drive.status()).toMatchObject({ mediaPresent: false, sessions: 0 });
  });
});

describe('GrowisofsDrive write', () => {
  it('writes a new disc with -Z, days sorted, progress reported, then refreshes the media', async () => {
    const { drive, world } = await setup();
    const progress: Progress[] = [];
    const result = await drive.write({ days: ['2026-11-23', '2026-11-22'], label: LABEL, newDisc: true }, (p) =>
      progress.push(p),
    );
    const grafts = '2026/11/22/=<root>/2026/11/22 2026/11/23/=<root>/2026/11/23';
    expect(await world.commands()).toEqual([
      DRY_RUN,
      'isoinfo -d -i /dev/sr0',
      `mkisofs -print-size -graft-points -r ${grafts}`,
      `growisofs -use-the-force-luke=tty -Z /dev/sr0 -V ${LABEL} -r -graft-points ${grafts}`,
      ...EJECTS,
      DRY_RUN,
      'isoinfo -d -i /dev/sr0',
    ]);
    expect(result).toEqual({ bytesWritten: 2097152, sessions: 1 });
    expect(progress[0]).toEqual({ phase: 'write', bytesDone: 0, bytesTotal: (2621 + 2500) * 2048 });
    expect(progress).toContainEqual({ phase: 'write', bytesDone: 1048576, bytesTotal: 2097152 });
    expect(progress.at(-1)).toEqual({ phase: 'write', bytesDone: 2097152, bytesTotal: 2097152 });
  });

  it('appends with -M and the speed when set', async () => {
    const { drive, world } = await setup({}, { driveSpeed: 4 });
    await drive.write({ days: ['2026-11-23'], label: LABEL, newDisc: false });
    const commands = await world.commands();
    expect(writes(commands)).toEqual([
      `growisofs -use-the-force-luke=tty -speed=4 -M /dev/sr0 -V ${LABEL} -r -graft-points 2026/11/23/=<root>/2026/11/23`,
    ]);
    expect(commands[0]).toBe(
      'growisofs -use-the-force-luke=tty -dry-run -speed=4 -M /dev/sr0 -r -graft-points <scratch>',
    );
  });

  it('reports an overburn as MEDIA_FULL with both figures', async () => {
    const { drive } = await setup({ write: { stdout: '', stderr: fixture('growisofs-overburn.txt'), exitCode: 1 } });
    const failure = drive.write({ days: ['2026-11-23'], label: LABEL, newDisc: false });
    await expect(failure).rejects.toMatchObject({
      code: 'MEDIA_FULL',
      message: expect.stringMatching(/^media does not have enough capacity to store the image: .*2033746.*894048/),
      details: expect.objectContaining({ blocksFree: 894048, blocksToWrite: 2033746 }),
    });
  });

  it('reports any other failure as WRITE_FAILED with its last lines, and does not refresh the media', async () => {
    const stderr = ':-[ WRITE@LBA=1a0h failed with SK=3h/ASC=0Ch/ACQ=00h]: Write error\n';
    const { drive, world } = await setup({ write: { stdout: '', stderr, exitCode: 5 } });
    await expect(drive.write({ days: ['2026-11-23'], label: LABEL, newDisc: true })).rejects.toMatchObject({
      code: 'WRITE_FAILED',
      message: expect.stringContaining('Write error'),
    });
    expect((await world.commands()).filter((line) => line.startsWith('eject'))).toEqual([]);
  });

  it('runs no write at all when the estimate does not fit', async () => {
    const { drive, world } = await setup({ printSize: '2305000\n' });
    await expect(drive.write({ days: ['2026-11-23'], label: LABEL, newDisc: true })).rejects.toMatchObject({
      code: 'MEDIA_FULL',
    });
    expect(writes(await world.commands())).toEqual([]);
    expect((await world.commands()).filter((line) => line.startsWith('eject'))).toEqual([]);
  });

  it('leaves the tray alone with noEject', async () => {
    const { drive, world } = await setup({}, { noEject: true });
    await drive.write({ days: ['2026-11-23'], label: LABEL, newDisc: false });
    expect((await world.commands()).filter((line) => line.startsWith('eject'))).toEqual([]);
  });
});

describe('GrowisofsDrive blank, initialize and export', () => {
  /** The status read that makes sure a disc is in the drive before anything is changed. */
  const STATUS = [DRY_RUN, 'isoinfo -d -i /dev/sr0'];

  it('blanks by overwriting with zeros, then refreshes the media', async () => {
    const { drive, world } = await setup();
    await drive.blank();
    expect(await world.commands()).toEqual([
      ...STATUS,
      'growisofs -use-the-force-luke=tty -Z /dev/sr0=/dev/zero',
      ...EJECTS,
    ]);
  });

  it('initializes a new disc holding only the empty CedarBackup directory', async () => {
    const { drive, world } = await setup();
    await drive.initialize(LABEL);
    expect(await world.commands()).toEqual([
      ...STATUS,
      `growisofs -use-the-force-luke=tty -Z /dev/sr0 -V ${LABEL} -r -graft-points CedarBackup/=<scratch>/CedarBackup`,
      ...EJECTS,
    ]);
    expect(await readdir(world.workingDir)).toEqual([]);
  });

  it('exports a standalone ISO file with mkisofs', async () => {
    const { drive, world } = await setup();
    const exported = await drive.exportImage({ days: ['2026-11-22'], label: LABEL });
    expect(exported).toEqual({ path: `${world.workingDir}/exports/cedar-2026-11-22.iso`, bytes: 4096 });
    expect(writes(await world.commands())).toEqual([]);
  });
});
