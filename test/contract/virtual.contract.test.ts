// The contract suite against the agent's real `virtual` backend: real xorriso writing an ISO
// file, real fuseiso (or mount) reading it back, real files in a real staging root. The
// media side is read by xorriso directly, not through the adapter under test.
import { mkdir, mkdtemp, realpath, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsStagingArea, MountTable, ProgramRunner, VirtualDrive } from '@cedar-store/device-agent';
import { textTree } from '../support/file-tree.js';
import { flipByteOf, isoPaths } from '../support/iso-inspector.js';
import { stageDayOnDisk } from '../support/staging-dir.js';
import { agentRestore, mediaDriveContract } from './media-drive.contract.js';
import { stagingAreaContract } from './staging-area.contract.js';
import type { SubjectFactory } from './subject.js';
import { vi } from 'vitest';

// Real programs on real files: far quicker than a drive, slower than memory.
vi.setConfig({ testTimeout: 60_000 });

const virtualMedia: SubjectFactory = async (mediaType) => {
  const base = await mkdtemp(join(tmpdir(), 'cedar-contract-'));
  const stagingRoot = join(base, 'stage');
  const workingDir = join(base, 'work');
  const image = join(base, 'disc.iso');
  const restoreRoot = join(base, 'restore');
  await stageDayOnDisk(stagingRoot, '1970-01-01', {});
  const staging = new FsStagingArea(stagingRoot);
  const drive = new VirtualDrive(
    {
      id: 'virtual0',
      backend: 'virtual',
      path: image,
      mediaType,
      noEject: false,
      ejectDelay: 0,
      refreshMediaDelay: 0,
      mountMethod: 'auto',
    },
    { staging, workingDir, runner: new ProgramRunner(), mountTable: new MountTable(), unmountRetryMs: 100 },
  );
  await mkdir(workingDir, { recursive: true });
  await mkdir(restoreRoot);
  return {
    mediaType,
    staging,
    drive,
    stageDay: async (day, files, indicators) => {
      await stageDayOnDisk(stagingRoot, day, files, indicators);
    },
    linkDayOutside: async (day) => {
      const outside = join(base, 'outside');
      await stageDayOnDisk(outside, day, { 'data.txt': 'not under the staging root' });
      const [year, month, date] = day.split('-') as [string, string, string];
      await mkdir(join(stagingRoot, year, month), { recursive: true });
      await symlink(join(outside, year, month, date), join(stagingRoot, year, month, date));
      return realpath(join(outside, year, month, date));
    },
    mediaPaths: () => isoPaths(image),
    corruptOnMedia: (path) => flipByteOf(image, path),
    // The request as the agent's media.restore handler completes it (agentRestore).
    restore: (request, onProgress) => drive.restore(agentRestore(request, restoreRoot), onProgress),
    restoredFiles: (target) => textTree(join(restoreRoot, target)),
    cleanup: () => rm(base, { recursive: true, force: true }),
  };
};

stagingAreaContract('virtual (file system)', virtualMedia);
mediaDriveContract('virtual', virtualMedia, ['dvd+rw', 'cdrw-80', 'dvd+r']);
