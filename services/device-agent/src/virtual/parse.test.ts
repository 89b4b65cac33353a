import { describe, expect, it } from 'vitest';
import type { XorrisoToc } from '../xorriso/parse.js';
import { BLANK_TOC, isBlankImage, virtualCdBoundaries } from './parse.js';

function toc(sessionStarts: number[], nextWritableAddress: number | null): XorrisoToc {
  return {
    mediaCurrent: 'stdio file, overwriteable',
    blank: false,
    appendable: true,
    sessions: sessionStarts.length,
    sessionStarts,
    nextWritableAddress,
    volumeId: 'CEDAR BACKUP 23-NOV-2026',
  };
}

describe('isBlankImage', () => {
  it('treats a missing or empty image file as a blank disc', () => {
    expect(isBlankImage(null)).toBe(true);
    expect(isBlankImage(0)).toBe(true);
    expect(isBlankImage(65536)).toBe(false);
  });
});

describe('virtualCdBoundaries', () => {
  it('has no boundaries on a blank disc', () => {
    expect(virtualCdBoundaries(BLANK_TOC)).toEqual({ sessions: 0, lastSessionStart: null, nextWritableAddress: null });
  });

  it('adds the first session’s lead-in and lead-out (11400 sectors) after one session', () => {
    expect(virtualCdBoundaries(toc([32], 224))).toEqual({
      sessions: 1,
      lastSessionStart: 32,
      nextWritableAddress: 224 + 11400,
    });
  });

  it('adds 6900 sectors for each later session, and places the last one after the earlier gaps', () => {
    expect(virtualCdBoundaries(toc([32, 224], 256))).toEqual({
      sessions: 2,
      lastSessionStart: 224 + 11400,
      nextWritableAddress: 256 + 11400 + 6900,
    });
    expect(virtualCdBoundaries(toc([32, 224, 256], 288))).toEqual({
      sessions: 3,
      lastSessionStart: 256 + 11400 + 6900,
      nextWritableAddress: 288 + 11400 + 2 * 6900,
    });
  });

  it('keeps each boundary pair ordered: the last session starts before the next writable address', () => {
    for (const starts of [[32], [32, 224], [32, 224, 256]]) {
      const nwa = (starts.at(-1) ?? 0) + 32;
      const { lastSessionStart, nextWritableAddress } = virtualCdBoundaries(toc(starts, nwa));
      expect(lastSessionStart).toBeLessThan(nextWritableAddress ?? 0);
    }
  });
});
