/**
 * xorriso output → facts. xorriso prints its reports as `Name : value` lines on stderr (or
 * stdout with -toc); these read the few the agent needs. Recorded outputs are in fixtures/.
 */

export type XorrisoToc = {
  /** `Media current`, e.g. "DVD+RW" or "stdio file, overwriteable"; null when no media. */
  mediaCurrent: string | null;
  blank: boolean;
  appendable: boolean;
  sessions: number;
  /** Start sector of each ISO session, in order. */
  sessionStarts: number[];
  /** Next writable address in sectors, when the media reports one. */
  nextWritableAddress: number | null;
  /** The loaded image's volume id; null when the media is blank or unlabelled. */
  volumeId: string | null;
};

function field(text: string, name: string): string | null {
  const pattern = new RegExp(`^${name}\\s*:\\s?(.*)$`, 'm');
  return pattern.exec(text)?.[1]?.trimEnd() ?? null;
}

export function parseToc(text: string): XorrisoToc {
  const mediaCurrent = field(text, 'Media current');
  const status = field(text, 'Media status') ?? '';
  const blank = /\bis blank\b/.test(status);
  const sessionsMatch = /^Media summary:\s*(\d+) sessions?/m.exec(text);
  const sessionStarts = [...text.matchAll(/^ISO session\s*:\s*\d+\s*,\s*(\d+)\s*,/gm)].map((m) => Number(m[1]));
  const nwa = /^Media nwa\s*:\s*(\d+)s/m.exec(text);
  const quotedVolid = /^Volume id\s*:\s*'(.*)'\s*$/m.exec(text);
  const pvdVolid = field(text, 'Volume Id');
  const sessions = sessionsMatch ? Number(sessionsMatch[1]) : sessionStarts.length;
  let volumeId: string | null = null;
  // Without an ISO 9660 image xorriso invents one called ISOIMAGE: that is no label at all.
  const noImage = /No ISO 9660 image at LBA/.test(text);
  if (!blank && sessions > 0 && !noImage) volumeId = quotedVolid?.[1] ?? pvdVolid ?? null;
  return {
    mediaCurrent: mediaCurrent === null || /^is not present|^none/i.test(mediaCurrent) ? null : mediaCurrent,
    blank,
    appendable: /\bis appendable\b/.test(status),
    sessions,
    sessionStarts,
    nextWritableAddress: nwa ? Number(nwa[1]) : null,
    volumeId: volumeId === '' ? null : volumeId,
  };
}

/** `Image size   : 192s` → 192 sectors. */
export function parsePrintSize(text: string): number | null {
  const match = /^Image size\s*:\s*(\d+)s\s*$/m.exec(text);
  return match ? Number(match[1]) : null;
}

/** `xorriso : UPDATE : Writing:  78790s   40.3% …` → sectors written so far. */
export function parseWritingProgress(line: string): { sectors: number; percent: number } | null {
  const match = /Writing:\s+(\d+)s\s+([\d.]+)%/.exec(line);
  return match ? { sectors: Number(match[1]), percent: Number(match[2]) } : null;
}

/** `Written to medium : 195520 sectors at LBA 32` → 195520. */
export function parseWrittenSectors(text: string): number | null {
  const match = /^Written to medium\s*:\s*(\d+) sectors/m.exec(text);
  return match ? Number(match[1]) : null;
}

/** The lines that say why xorriso failed (FAILURE, SORRY, FATAL), without the abort banner. */
export function failureLines(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => /: (FAILURE|SORRY|FATAL|ABORT) :/.test(line) && !/: aborting :/.test(line))
    .map((line) => line.replace(/^[a-z]+ : (FAILURE|SORRY|FATAL|ABORT) : /, '').trim());
}
