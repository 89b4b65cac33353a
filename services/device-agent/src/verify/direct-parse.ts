/**
 * Reads the `direct` listing (direct-args.ts): `lsdl` lines for every node of each day and
 * `report_lba` lines for every file's extents, names quoted the shell's way (`'it'"'"'s'`) and
 * control or non-ASCII bytes written as backslash codes (`\n`, `\303\274`). Fed line by line,
 * so a day of 100 000 files is never held as one string.
 */
import { SECTOR_SIZE, type FileFacts } from '@cedar-store/domain';

export type ListedNode = FileFacts;
export type ListedExtent = { index: number; lba: number; blocks: number };

export type DiscListing = {
  /** Every directory, file and symlink under the days' graft points, paths without the leading `/`. */
  nodes: ListedNode[];
  /** Each file's extents in order, by path. */
  extents: Map<string, ListedExtent[]>;
  /** Graft points xorriso could not find on the disc. */
  missing: string[];
  /** Messages saying the disc could not be read at all (no verdict is possible then). */
  problems: string[];
};

const ESCAPES: Record<string, number> = { a: 7, b: 8, e: 27, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92 };

/** `\303\274n` → "ün": backslash codes are bytes, and the bytes are UTF-8 as the staging names are. */
export function decodeBackslashes(text: string): string {
  // Nearly every name is plain ASCII: nothing to decode.
  if (!text.includes('\\')) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char !== '\\' || i === text.length - 1) {
      bytes.push(...Buffer.from(char, 'utf8'));
      continue;
    }
    const next = text[i + 1]!;
    const octal = /^[0-7]{1,3}/.exec(text.slice(i + 1, i + 4));
    if (octal) {
      bytes.push(parseInt(octal[0], 8) & 0xff);
      i += octal[0].length;
    } else if (next === 'c' && i + 2 < text.length) {
      bytes.push(text.charCodeAt(i + 2) & 0x1f);
      i += 2;
    } else if (next in ESCAPES) {
      bytes.push(ESCAPES[next]!);
      i += 1;
    } else {
      bytes.push(...Buffer.from(char, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** One shell-quoted word at the start of `text` (`'a'"'"'b'` → `a'b`), and what follows it. */
export function readQuotedWord(text: string): { word: string; rest: string } | null {
  let i = 0;
  let word = '';
  if (text[0] !== "'" && text[0] !== '"') return null;
  while (i < text.length && (text[i] === "'" || text[i] === '"')) {
    const quote = text[i]!;
    const end = text.indexOf(quote, i + 1);
    if (end < 0) return null;
    word += text.slice(i + 1, end);
    i = end + 1;
  }
  return { word: decodeBackslashes(word), rest: text.slice(i) };
}

const LSDL = /^([-dlbcps])[-rwxsStT]{9}\S*\s+\d+\s+\S+\s+\S+\s+(\d+)\s+\S+\s+\S+\s+\S+\s+(['"].*)$/;

/** `-rw-r--r--    1 0  0   6 Nov 26 10:35 '/2026/11/26/a.txt'` → a file of 6 bytes (null for other lines). */
export function parseLsdlLine(line: string): (ListedNode & { absolute: string }) | null {
  const match = LSDL.exec(line);
  if (!match) return null;
  const [, type, size, quoted] = match;
  const name = readQuotedWord(quoted!);
  if (!name) return null;
  const path = name.word.replace(/^\/+/, '');
  if (type === 'd') return { path, kind: 'directory', size: 0, absolute: name.word };
  if (type === '-') return { path, kind: 'file', size: Number(size), absolute: name.word };
  if (type === 'l') {
    const target = readQuotedWord(name.rest.replace(/^\s*->\s*/, ''));
    return target ? { path, kind: 'symlink', size: 0, target: target.word, absolute: name.word } : null;
  }
  return null; // Devices, fifos and sockets are never staged, so never compared.
}

const REPORT_LBA = /^File data lba:\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*(['"].*)$/;

/**
 * `File data lba:  0 ,  59 ,  1 ,  6 , '/2026/11/26/a.txt'` → extent 0 of that file at sector 59,
 * 1 block long, the file 6 bytes (every extent's line repeats the file's size; an empty file has
 * one line of 0 blocks).
 */
export function parseReportLbaLine(line: string): (ListedExtent & { path: string; size: number }) | null {
  const match = REPORT_LBA.exec(line);
  if (!match) return null;
  const name = readQuotedWord(match[5]!);
  if (!name) return null;
  return {
    index: Number(match[1]),
    lba: Number(match[2]),
    blocks: Number(match[3]),
    size: Number(match[4]),
    path: name.word.replace(/^\/+/, ''),
  };
}

/** Collects the listing from xorriso's lines as they come. */
export function listingCollector(graftPoints: readonly string[]) {
  const listing: DiscListing = { nodes: [], extents: new Map(), missing: [], problems: [] };
  const roots = new Set(graftPoints.map((graft) => `/${graft.replace(/^\/+/, '')}`));
  return {
    line(text: string, stream: 'stdout' | 'stderr'): void {
      if (stream === 'stderr') return collectMessage(text, roots, listing);
      const extent = parseReportLbaLine(text);
      if (extent) {
        const { path, size: _size, ...rest } = extent;
        const known = listing.extents.get(path);
        if (known) known.push(rest);
        else listing.extents.set(path, [rest]);
        return;
      }
      const node = parseLsdlLine(text);
      // The graft point itself is the day, not a node in it: the staging walk does not list it either.
      if (node && !roots.has(node.absolute)) {
        const { absolute: _absolute, ...facts } = node;
        listing.nodes.push(facts);
      }
    },
    finish(): DiscListing {
      for (const extents of listing.extents.values()) extents.sort((a, b) => a.index - b.index);
      return listing;
    },
  };
}

function collectMessage(text: string, roots: Set<string>, listing: DiscListing): void {
  const notFound = /: FAILURE : Cannot find path (['"].*) in loaded ISO image/.exec(text);
  if (notFound) {
    const path = readQuotedWord(notFound[1]!)?.word;
    if (path !== undefined && roots.has(path)) {
      listing.missing.push(path.replace(/^\/+/, ''));
      return;
    }
  }
  if (/: (SORRY|FAILURE|FATAL|ABORT) : /.test(text)) listing.problems.push(text.replace(/^xorriso : /, '').trim());
}

/** The byte ranges of a file's extents on the media. */
export function extentBytes(extents: readonly ListedExtent[]): { byteOffset: number; bytes: number }[] {
  return extents.map(({ lba, blocks }) => ({ byteOffset: lba * SECTOR_SIZE, bytes: blocks * SECTOR_SIZE }));
}
