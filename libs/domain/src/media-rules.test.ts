import { describe, expect, it } from 'vitest';
import { newDiscCapacity } from './capacity.js';
import { mediaDefinition } from './media.js';
import {
  assertCanStartNewDisc,
  assertMediaPresent,
  assertRewritable,
  assertTakesSession,
  availableForImage,
  checkImageFits,
} from './media-rules.js';

describe('the media rules a write starts from', () => {
  it('refuses an empty drive with WRITE_FAILED, naming the drive', () => {
    expect(() => assertMediaPresent({ device: '/dev/sr0 (dvd0)', mediaPresent: false })).toThrow(
      expect.objectContaining({
        code: 'WRITE_FAILED',
        message: expect.stringMatching(/no disc in \/dev\/sr0 \(dvd0\)/),
      }),
    );
    expect(() => assertMediaPresent({ device: 'dvd0', mediaPresent: true })).not.toThrow();
  });

  it('refuses a new disc over sessions on write-once media, and only there', () => {
    expect(() => assertCanStartNewDisc({ device: 'cd0', rewritable: false, sessions: 2 })).toThrow(
      expect.objectContaining({
        code: 'MEDIA_NOT_REWRITABLE',
        message: expect.stringMatching(/write-once disc in cd0 already holds 2 session\(s\).*insert a blank disc/),
      }),
    );
    expect(() => assertCanStartNewDisc({ device: 'cd0', rewritable: false, sessions: 0 })).not.toThrow();
    expect(() => assertCanStartNewDisc({ device: 'cd0', rewritable: true, sessions: 5 })).not.toThrow();
  });

  it('blanks and initializes rewritable media only', () => {
    expect(() => assertRewritable(mediaDefinition('dvd+r'), 'blanked')).toThrow(
      expect.objectContaining({
        code: 'MEDIA_NOT_REWRITABLE',
        message: expect.stringMatching(/dvd\+r disc cannot be blanked/),
      }),
    );
    expect(() => assertRewritable(mediaDefinition('dvd+rw'), 'initialized')).not.toThrow();
  });

  it('refuses an append to a disc that takes no more sessions, not a new disc', () => {
    expect(() => assertTakesSession({ device: 'dvd0', newDisc: false, bytesAvailable: 0 })).toThrow(
      expect.objectContaining({ code: 'MEDIA_FULL', message: expect.stringMatching(/takes no more sessions/) }),
    );
    expect(() => assertTakesSession({ device: 'dvd0', newDisc: true, bytesAvailable: 0 })).not.toThrow();
  });

  it('checks a new disc against the whole fresh disc and an append against what is left', () => {
    const cdrw = mediaDefinition('cdrw-80');
    const fresh = newDiscCapacity(cdrw).bytesAvailable;
    expect(availableForImage(cdrw, { newDisc: true, bytesAvailable: 10 })).toBe(fresh);
    expect(availableForImage(cdrw, { newDisc: false, bytesAvailable: 10 })).toBe(10);
    expect(checkImageFits(cdrw, { requiredBytes: 1000, newDisc: true, bytesAvailable: 10 })).toBe(fresh);
    expect(() => checkImageFits(cdrw, { requiredBytes: 11, newDisc: false, bytesAvailable: 10 })).toThrow(
      expect.objectContaining({ code: 'MEDIA_FULL', details: { requiredBytes: 11, availableBytes: 10 } }),
    );
  });
});
