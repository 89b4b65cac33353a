// The contract suite against the in-memory adapters. The agent's real backends run the
// same suite (docs/design.md#ports), so the unit tests' stand-ins cannot drift from the real thing.
import { InMemoryMediaDrive, InMemoryStagingArea, repeatedBytes, type FileContent } from '@cedar-store/ports/memory';
import { mediaDriveContract } from './media-drive.contract.js';
import { stagingAreaContract } from './staging-area.contract.js';
import type { SubjectFactory } from './subject.js';

const inMemory: SubjectFactory = async (mediaType) => {
  const staging = new InMemoryStagingArea();
  const drive = new InMemoryMediaDrive(staging, { mediaType });
  return {
    mediaType,
    staging,
    drive,
    async stageDay(day, files, indicators) {
      const contents = Object.fromEntries(
        Object.entries(files).map(([path, file]) => [path, typeof file === 'string' ? file : repeatedBytes(file.size)]),
      );
      staging.addDay(day, contents, indicators);
    },
    async linkDayOutside(day) {
      const target = `/srv/elsewhere/${day}`;
      staging.addLinkedOutDay(day, target);
      return target;
    },
    async mediaPaths() {
      return [...drive.tree().keys()];
    },
    async corruptOnMedia(path) {
      drive.corrupt(path);
    },
    async restoredFiles(target) {
      const files = drive.restoreTargets.get(target) ?? new Map<string, FileContent>();
      return Object.fromEntries(
        [...files].map(([path, content]) => [
          path,
          content instanceof Uint8Array ? Buffer.from(content).toString() : '',
        ]),
      );
    },
    async cleanup() {},
  };
};

stagingAreaContract('in-memory', inMemory);
mediaDriveContract('in-memory', inMemory, ['dvd+rw', 'cdrw-80', 'dvd+r']);
