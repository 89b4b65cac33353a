/**
 * An image file with no bytes is a blank disc: xorriso is not asked (it would report its own
 * idea of the free space, the host's disk, instead of the configured media's capacity).
 */
import type { XorrisoToc } from '../xorriso/parse.js';

export const BLANK_TOC: XorrisoToc = {
  mediaCurrent: 'stdio file, blank',
  blank: true,
  appendable: true,
  sessions: 0,
  sessionStarts: [],
  nextWritableAddress: null,
  volumeId: null,
};

export function isBlankImage(size: number | null): boolean {
  return size === null || size === 0;
}

/** Sectors a real CD spends on lead-in and lead-out around its first session, and each later one. */
const CD_FIRST_SESSION_OVERHEAD = 11400;
const CD_LATER_SESSION_OVERHEAD = 6900;

/**
 * The multisession boundaries a real CD holding this image would report to `-msinfo`: an
 * image file has no lead-ins, but a virtual CD must fill up when a real one would, so the
 * gaps a CD spends between sessions are added to the file's addresses.
 */
export function virtualCdBoundaries(toc: XorrisoToc): {
  sessions: number;
  lastSessionStart: number | null;
  nextWritableAddress: number | null;
} {
  if (toc.blank || toc.sessions === 0 || toc.nextWritableAddress === null) {
    return { sessions: 0, lastSessionStart: null, nextWritableAddress: null };
  }
  const gaps = CD_FIRST_SESSION_OVERHEAD + CD_LATER_SESSION_OVERHEAD * (toc.sessions - 1);
  const lastStart = toc.sessionStarts.at(-1) ?? 0;
  const earlierGaps = toc.sessions > 1 ? CD_FIRST_SESSION_OVERHEAD + CD_LATER_SESSION_OVERHEAD * (toc.sessions - 2) : 0;
  return {
    sessions: toc.sessions,
    lastSessionStart: lastStart + earlierGaps,
    nextWritableAddress: toc.nextWritableAddress + gaps,
  };
}
