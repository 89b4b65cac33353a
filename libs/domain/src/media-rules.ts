/**
 * What the media in a drive must be for a write to start, one rule and one message each. The
 * controller checks them on the status it read before the blank decision; the agent checks
 * them again under the device lock, on the media as it is at the moment of writing.
 */
import { newDiscCapacity, checkFits } from './capacity.js';
import { MediaFullError, MediaNotRewritableError, WriteFailedError } from './errors.js';
import type { MediaDefinition } from './media.js';

/** Refuses an empty drive before anything is attempted. `device` names the drive for the user. */
export function assertMediaPresent(media: { device: string; mediaPresent: boolean }): void {
  if (!media.mediaPresent) {
    throw new WriteFailedError(`there is no disc in ${media.device}: insert one and run again. Nothing was written.`, {
      device: media.device,
    });
  }
}

/** Write-once media that already holds sessions cannot start over as a new disc. */
export function assertCanStartNewDisc(media: { device: string; rewritable: boolean; sessions: number }): void {
  if (!media.rewritable && media.sessions > 0) {
    throw new MediaNotRewritableError(
      `the write-once disc in ${media.device} already holds ${media.sessions} session(s) and cannot start a new ` +
        'disc: insert a blank disc and run again. Nothing was written.',
    );
  }
}

/** Only rewritable media can be blanked or initialized. */
export function assertRewritable(media: MediaDefinition, what: 'blanked' | 'initialized'): void {
  if (!media.rewritable) {
    throw new MediaNotRewritableError(
      `a ${media.type} disc cannot be ${what}: it is write-once (only rewritable media can be)`,
    );
  }
}

/** A disc that takes no more sessions (full or closed) refuses an append. */
export function assertTakesSession(media: { device: string; newDisc: boolean; bytesAvailable: number }): void {
  if (!media.newDisc && media.bytesAvailable === 0) {
    throw new MediaFullError(
      `the disc in ${media.device} takes no more sessions (it is full or closed). Nothing was written. ` +
        'Run `cedar-store rebuild` to start a new disc, or insert another one.',
      { requiredBytes: null, availableBytes: 0 },
    );
  }
}

/** The space an image may take: the whole of a fresh disc for a new disc, what is left otherwise. */
export function availableForImage(media: MediaDefinition, state: { newDisc: boolean; bytesAvailable: number }): number {
  return state.newDisc ? newDiscCapacity(media).bytesAvailable : state.bytesAvailable;
}

/**
 * The fit check: refuses, before anything is blanked or written, an image the media cannot
 * hold. Returns the space it checked against.
 */
export function checkImageFits(
  media: MediaDefinition,
  image: { requiredBytes: number; newDisc: boolean; bytesAvailable: number },
): number {
  const availableBytes = availableForImage(media, image);
  checkFits({ requiredBytes: image.requiredBytes, availableBytes });
  return availableBytes;
}
