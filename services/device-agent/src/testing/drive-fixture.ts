/**
 * A temporary world for a backend's adapter tests: a staging root with real day directories,
 * a working directory, an empty mount table and fake programs first (and alone) on the path.
 */
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DayStamp } from '@cedar-store/domain';
import type { DeviceSettings } from '../media/device-settings.js';
import type { DriveEnvironment } from '../media/drive-environment.js';
import { MountTable } from '../media/mount-table.js';
import { ProgramRunner } from '../process/program-runner.js';
import { FsStagingArea } from '../staging/fs-staging-area.js';
import { installFakePrograms, type FakeAnswer, type FakeCall } from './fake-programs.js';

export type DriveFixture = {
  root: string;
  workingDir: string;
  env: DriveEnvironment;
  /** Every program run so far, in order. */
  calls(): Promise<FakeCall[]>;
  /** The same as `program arg…` lines, with `<root>` and `<scratch>` for the temporary paths. */
  commands(): Promise<string[]>;
  cleanup(): Promise<void>;
};

/** Each day gets a data file and its stage indicator, as staging leaves it. */
export async function createDriveFixture(options: {
  days: readonly DayStamp[];
  programs: Record<string, readonly FakeAnswer[]>;
}): Promise<DriveFixture> {
  const base = await realpath(await mkdtemp(join(tmpdir(), 'cedar-drive-')));
  const root = join(base, 'stage');
  const workingDir = join(base, 'work');
  for (const day of options.days) {
    const dir = join(root, ...day.split('-'));
    await mkdir(join(dir, 'host1'), { recursive: true });
    await writeFile(join(dir, 'host1', 'etc.tar.gz'), `backup of ${day}\n`);
    await writeFile(join(dir, 'cback.stage'), '');
  }
  const mounts = join(base, 'mounts');
  await writeFile(mounts, 'proc /proc proc rw 0 0\n/dev/sda1 / ext4 rw 0 0\n');
  const fakes = await installFakePrograms(options.programs);
  const env: DriveEnvironment = {
    staging: new FsStagingArea(root),
    workingDir,
    runner: new ProgramRunner({ searchPath: fakes.searchPath }),
    mountTable: new MountTable(mounts),
    wait: async () => undefined,
  };
  return {
    root,
    workingDir,
    env,
    calls: () => fakes.calls(),
    commands: async () =>
      (await fakes.calls()).map((call) =>
        [call.program, ...call.args]
          .join(' ')
          .replaceAll(root, '<root>')
          .replace(new RegExp(`${escapeRegExp(workingDir)}/scratch-[^/ ]+`, 'g'), '<scratch>'),
      ),
    cleanup: async () => {
      await fakes.cleanup();
      await rm(base, { recursive: true, force: true });
    },
  };
}

export function deviceSettings(
  overrides: Partial<DeviceSettings> & Pick<DeviceSettings, 'backend' | 'mediaType'>,
): DeviceSettings {
  return {
    id: 'drive0',
    path: '/dev/sr0',
    noEject: false,
    ejectDelay: 0,
    refreshMediaDelay: 0,
    mountMethod: 'auto',
    ...overrides,
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A program output recorded from the real tools, kept in `<backend>/fixtures/` (see its README). */
export const recordedOutput = (backend: 'cdrecord' | 'growisofs' | 'mkisofs', name: string): string =>
  readFileSync(new URL(`../${backend}/fixtures/${name}`, import.meta.url), 'utf8');

/** The refresh after every write and blank, as `commands()` lists it. */
export const EJECTS = ['eject /dev/sr0', 'eject -t /dev/sr0', 'eject -i off /dev/sr0'];

/** Answers of the programs both reference paths share: mkisofs (estimate, image), isoinfo, eject. */
export function imageToolAnswers(options: { printSize?: string; imageBytes: number }): Record<string, FakeAnswer[]> {
  return {
    mkisofs: [
      {
        when: ['-print-size'],
        stdout: options.printSize ?? recordedOutput('mkisofs', 'genisoimage-print-size.stdout'),
        stderr: recordedOutput('mkisofs', 'genisoimage-print-size.stderr'),
      },
      { when: ['-o'], createFileAfter: { flag: '-o', bytes: options.imageBytes } },
    ],
    isoinfo: [{ stdout: 'CD-ROM is in ISO 9660 format\nSystem id: LINUX\nVolume id: CEDAR BACKUP 22-NOV-2026\n' }],
    eject: [{}],
  };
}
