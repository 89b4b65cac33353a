/**
 * An ISO file playing the disc (docs/design.md#device-agent): real xorriso on `stdio:<path>`, sessions
 * appended as on a rewritable DVD, the configured media type's capacity enforced before
 * anything is written (a refused write leaves the file byte-identical), and blanking as
 * truncating the file. It is what the tests and the demo run on, and a product in its own
 * right: disc-less ISO archives on a NAS, burned or shipped later.
 */
import { mediaDefinition, SECTOR_SIZE, type DayStamp } from '@cedar-store/domain';
import type { ProgressListener } from '@cedar-store/ports';
import { randomUUID } from 'node:crypto';
import { link, mkdir, open, readdir, rename, rm, stat, truncate } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { DeviceSettings } from '../media/device-settings.js';
import type { DriveBackend, ImageRequest, MediaFacts } from '../media/drive-backend.js';
import type { DriveEnvironment } from '../media/drive-environment.js';
import { facts } from '../media/image-stamp.js';
import type { ResolvedDay } from '../staging/fs-staging-area.js';
import { XorrisoBackend } from '../xorriso/xorriso-backend.js';
import { virtualDevice, virtualImageSectors } from './args.js';
import { BLANK_TOC, isBlankImage, virtualCdBoundaries } from './parse.js';

/** The image's first 32 sectors, which xorriso rewrites on every append to point at the newest session. */
const HEADER_BYTES = 32 * SECTOR_SIZE;

export class VirtualBackend implements DriveBackend {
  readonly refreshesMedia = false;
  /** xorriso on the image file; no MD5s: they doubled the time of writing an image file (md5Args, `npm run bench`). */
  private readonly xorriso: XorrisoBackend;

  constructor(
    private readonly settings: DeviceSettings,
    env: DriveEnvironment,
  ) {
    this.xorriso = new XorrisoBackend(settings, env, { imageFile: true, md5: false });
  }

  /** A blank (empty or missing) image is read without running xorriso; CD media count their lead-ins. */
  async readMedia(): Promise<MediaFacts> {
    const toc = isBlankImage(await this.imageSize()) ? BLANK_TOC : await this.xorriso.readToc();
    const cd = mediaDefinition(this.settings.mediaType).family === 'cd';
    return cd ? this.xorriso.factsOf(toc, virtualCdBoundaries(toc)) : this.xorriso.factsOf(toc);
  }

  knownBlank(media: MediaFacts): boolean {
    return media.sessions === 0;
  }

  /** An append to a blank image is a new disc; an append depends on the image file as it is. */
  async mediaStamp(newDisc: boolean): Promise<unknown> {
    const fresh = newDisc || isBlankImage(await this.imageSize());
    return { newDisc: fresh, image: fresh ? null : await facts(this.settings.path) };
  }

  private async imageSize(): Promise<number | null> {
    return stat(this.settings.path).then(
      (facts) => facts.size,
      () => null,
    );
  }

  async estimate(request: { days: ResolvedDay[]; newDisc: boolean }): Promise<number> {
    const appendToBlank = !request.newDisc && isBlankImage(await this.imageSize());
    const newDisc = request.newDisc || appendToBlank;
    return virtualImageSectors(await this.xorriso.printSize(request.days, newDisc), newDisc) * SECTOR_SIZE;
  }

  /**
   * A new disc is written to a new file beside the image and renamed over it only once
   * xorriso succeeded: a failed write (a full NAS, a killed agent) leaves the old sessions
   * exactly as they were.
   */
  async write(request: ImageRequest, onProgress?: ProgressListener): Promise<number> {
    if (!request.newDisc) return this.appendSession(request, onProgress);
    return this.replaceImage((device) =>
      this.xorriso.writeSession(device, { ...request, blankFirst: false }, onProgress),
    );
  }

  /**
   * An append that fails part-way (a disk filled by something else, xorriso stopped) leaves
   * its bytes after the old sessions, and xorriso may already have pointed the image's first
   * 64 KiB (its multisession emulation: the volume descriptors of the newest session) at them.
   * Put both back, so the disc is exactly the one it was before, not one whose header points
   * past its end.
   */
  private async appendSession(request: ImageRequest, onProgress?: ProgressListener): Promise<number> {
    const before = await this.imageSize();
    const header = before === null ? null : await this.readHeader();
    try {
      return await this.xorriso.write(request, onProgress);
    } catch (error) {
      if (before !== null && header !== null) await this.restore(before, header);
      throw error;
    }
  }

  private async readHeader(): Promise<Buffer> {
    const file = await open(this.settings.path, 'r');
    try {
      const header = Buffer.alloc(HEADER_BYTES);
      const { bytesRead } = await file.read(header, 0, HEADER_BYTES, 0);
      return header.subarray(0, bytesRead);
    } finally {
      await file.close();
    }
  }

  private async restore(size: number, header: Buffer): Promise<void> {
    const file = await open(this.settings.path, 'r+');
    try {
      await file.truncate(size);
      await file.write(header, 0, header.length, 0);
      await file.sync();
    } finally {
      await file.close();
    }
  }

  async writeInitial(label: string): Promise<void> {
    await this.replaceImage((device) => this.xorriso.writeInitialOn(device, label, false));
  }

  /**
   * The old image is given a second name before the new one is renamed over it, and that name
   * is removed after the write has returned: freeing a disc's worth of blocks took the rename
   * 0.4 s per GiB on ext4 (70 ms on tmpfs), inside the write (docs/performance.md). Where the
   * file system has no hard links, the rename frees them itself, as before.
   */
  private async replaceImage<T>(write: (device: string) => Promise<T>): Promise<T> {
    await mkdir(dirname(this.settings.path), { recursive: true });
    await this.removeAbandonedImages();
    const id = randomUUID();
    const replacement = `${this.settings.path}.new-${id}`;
    try {
      const result = await write(virtualDevice(replacement));
      const previous = `${this.settings.path}.old-${id}`;
      const setAside = await link(this.settings.path, previous).then(
        () => true,
        () => false,
      );
      await rename(replacement, this.settings.path);
      if (setAside) this.removeLater(previous);
      return result;
    } finally {
      await rm(replacement, { force: true });
    }
  }

  /** Removes a replaced image after the operation; one left by a stopped agent goes with the next new disc. */
  private removeLater(path: string): void {
    void rm(path, { force: true }).catch(() => undefined);
  }

  /**
   * A new disc an agent was killed while writing stays beside the image as `<image>.new-<id>`,
   * as large as the disc, and a replaced image it had no time to remove as `<image>.old-<id>`.
   * Only one operation runs on a device at a time, and the journal keeps the device busy while
   * a write left by a killed agent still runs, so any such file found here is abandoned: remove
   * it before writing the next new disc.
   */
  private async removeAbandonedImages(): Promise<void> {
    const prefixes = ['new', 'old'].map((kind) => `${basename(this.settings.path)}.${kind}-`);
    const names = await readdir(dirname(this.settings.path)).catch(() => [] as string[]);
    await Promise.all(
      names
        .filter((name) => prefixes.some((prefix) => name.startsWith(prefix)))
        .map((name) => rm(join(dirname(this.settings.path), name), { force: true })),
    );
  }

  async blank(onProgress?: ProgressListener): Promise<void> {
    onProgress?.({ phase: 'blank', bytesDone: 0, bytesTotal: 1 });
    await this.truncateImage();
    onProgress?.({ phase: 'blank', bytesDone: 1, bytesTotal: 1 });
  }

  mountSource(): { source: string; isImageFile: boolean } {
    return this.xorriso.mountSource();
  }

  exportImage(request: { days: DayStamp[]; label: string }): Promise<{ path: string; bytes: number }> {
    return this.xorriso.exportImage(request);
  }

  private async truncateImage(): Promise<void> {
    if ((await this.imageSize()) !== null) await truncate(this.settings.path, 0);
  }
}
