// The contract suite against the three backends that drive a burner: xorriso with real xorriso
// on an image file (its `stdio:` pseudo-drive), and cdrecord and growisofs with fake burners that
// write a disc file the way the recorded programs write a disc (test/support/fake-burners.ts),
// real mkisofs and isoinfo beside them. The `virtual` backend runs it in virtual.contract.test.ts.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MediaType } from '@cedar-store/domain';
import {
  CdrecordDrive,
  FsStagingArea,
  GrowisofsDrive,
  MountTable,
  ProgramRunner,
  XorrisoDrive,
  type DeviceSettings,
  type DriveEnvironment,
} from '@cedar-store/device-agent';
import { vi } from 'vitest';
import { installFakeBurners, lastSessionStart } from '../support/fake-burners.js';
import { textTree } from '../support/file-tree.js';
import { flipByteOf, isoPaths } from '../support/iso-inspector.js';
import { stageDayOnDisk } from '../support/staging-dir.js';
import { agentRestore, mediaDriveContract } from './media-drive.contract.js';
import type { ContractSubject, SubjectFactory } from './subject.js';

vi.setConfig({ testTimeout: 60_000 });

type Backend = 'xorriso' | 'cdrecord' | 'growisofs';

function subjectFor(backend: Backend): SubjectFactory {
  return async (mediaType: MediaType): Promise<ContractSubject> => {
    const base = await mkdtemp(join(tmpdir(), `cedar-contract-${backend}-`));
    const stagingRoot = join(base, 'stage');
    const workingDir = join(base, 'work');
    const disc = join(base, 'disc.img');
    const restoreRoot = join(base, 'restore');
    await mkdir(workingDir, { recursive: true });
    await mkdir(restoreRoot);
    await stageDayOnDisk(stagingRoot, '1970-01-01', {});
    const staging = new FsStagingArea(stagingRoot);
    const burners = backend === 'xorriso' ? null : await installFakeBurners(join(base, 'bin'), disc);
    const settings: DeviceSettings = {
      id: `${backend}0`,
      backend,
      // xorriso addresses a regular file given for a drive as a `stdio:` pseudo-drive; the fakes write it themselves.
      path: disc,
      mediaType,
      noEject: true,
      ejectDelay: 0,
      refreshMediaDelay: 0,
      // The direct method has xorriso read the tree, which on a file (no table of contents) starts at
      // sector 0 and refuses a later genisoimage session there; fuseiso reads the copied descriptors.
      mountMethod: backend === 'xorriso' ? 'direct' : 'fuseiso',
    };
    const env: DriveEnvironment = {
      staging,
      workingDir,
      runner: new ProgramRunner(burners ? { searchPath: burners.searchPath } : {}),
      mountTable: new MountTable(),
      unmountRetryMs: 100,
    };
    const drive =
      backend === 'xorriso'
        ? new XorrisoDrive(settings, env)
        : backend === 'cdrecord'
          ? new CdrecordDrive(settings, env)
          : new GrowisofsDrive(settings, env);
    return {
      mediaType,
      staging,
      drive,
      stageDay: async (day, files, indicators) => {
        await stageDayOnDisk(stagingRoot, day, files, indicators);
      },
      linkDayOutside: () => Promise.reject(new Error('not used by the media drive contract')),
      mediaPaths: async () => isoPaths(disc, await lastSession(disc, burners)),
      corruptOnMedia: async (path) => flipByteOf(disc, path, await lastSession(disc, burners)),
      restore: (request, onProgress) => drive.restore(agentRestore(request, restoreRoot), onProgress),
      restoredFiles: (target) => textTree(join(restoreRoot, target)),
      ...(backend === 'growisofs' ? { countsSessions: false } : {}),
      cleanup: () => rm(base, { recursive: true, force: true }),
    };
  };
}

/** The fakes' disc files are read at their last session, as a drive's table of contents says. */
async function lastSession(disc: string, burners: unknown): Promise<{ sessionStart?: number }> {
  if (burners === null) return {};
  const start = await lastSessionStart(disc);
  return start === null ? {} : { sessionStart: start };
}

mediaDriveContract('xorriso (stdio: image)', subjectFor('xorriso'), ['dvd+rw', 'dvd+r']);
// The fakes' disc files have no table of contents: see MediaDriveContractOptions.
const fakeDisc = { restoresAppendedSessions: false };
mediaDriveContract('cdrecord (fake burner, real mkisofs)', subjectFor('cdrecord'), ['cdrw-80', 'cdr-80'], fakeDisc);
mediaDriveContract('growisofs (fake burner, real mkisofs)', subjectFor('growisofs'), ['dvd+rw', 'dvd+r'], fakeDisc);
