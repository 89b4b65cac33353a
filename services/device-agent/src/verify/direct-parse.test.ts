import { describe, expect, it } from 'vitest';
import { listingArgs, verifyListingArgs } from './direct-args.js';
import {
  decodeBackslashes,
  extentBytes,
  listingCollector,
  parseLsdlLine,
  parseReportLbaLine,
  readQuotedWord,
} from './direct-parse.js';

/** Recorded from xorriso 1.5.4 (LC_ALL=C, -backslash_codes encode_output) on a day with awkward names. */
const STDOUT = [
  "drwxr-xr-x    1 0        0               0 Nov 26 10:43 '/2026/11/26'",
  `-rw-r--r--    1 0        0               2 Nov 26 10:43 '/2026/11/26/"dq"'`,
  "-rw-r--r--    1 0        0               2 Nov 26 10:43 '/2026/11/26/back\\\\slash'",
  "-rw-r--r--    1 0        0               1 Nov 26 10:43 '/2026/11/26/ctl\\001x'",
  `lrwxrwxrwx    1 0        0               0 Nov 26 10:43 '/2026/11/26/ln k' -> 'target with '"'"'q'"'"''`,
  "drwxr-xr-x    1 0        0               0 Nov 26 10:43 '/2026/11/26/sub'",
  "-rw-r--r--    1 0        0               2 Nov 26 10:43 '/2026/11/26/sub/we'\"'\"'ird\\nname'",
  "-rw-r--r--    1 0        0               2 Nov 26  2025 '/2026/11/26/\\303\\274n\\303\\257 c\\303\\270d\\303\\251'",
  'Report layout: xt , Startlba ,   Blocks , Filesize , ISO image path',
  `File data lba:  0 ,       59 ,        1 ,        2 , '/2026/11/26/"dq"'`,
  "File data lba:  0 ,       56 ,        1 ,        2 , '/2026/11/26/back\\\\slash'",
  "File data lba:  0 ,       57 ,        1 ,        1 , '/2026/11/26/ctl\\001x'",
  "File data lba:  0 ,       60 ,        1 ,        2 , '/2026/11/26/sub/we'\"'\"'ird\\nname'",
  "File data lba:  0 ,       61 ,        1 ,        2 , '/2026/11/26/\\303\\274n\\303\\257 c\\303\\270d\\303\\251'",
];

describe('verifyListingArgs', () => {
  it('lists the directories and symlinks of each day, and its files by their extents alone', () => {
    const day = (graft: string) => [
      ...['-find', graft, '-not', '-type', 'f', '-exec', 'lsdl', '--'],
      ...['-find', graft, '-type', 'f', '-exec', 'report_lba', '--'],
    ];
    expect(verifyListingArgs('stdio:/srv/disc.iso', ['2026-11-26', '2026-11-27'])).toEqual([
      ...['-abort_on', 'NEVER', '-backslash_codes', 'encode_output', '-indev', 'stdio:/srv/disc.iso'],
      ...day('/2026/11/26'),
      ...day('/2026/11/27'),
    ]);
  });
});

describe('listingArgs', () => {
  it('loads the disc once and lists every node and every file’s extents of each day', () => {
    expect(listingArgs('stdio:/srv/disc.iso', ['2026-11-26', '2026-11-27'])).toEqual([
      ...['-abort_on', 'NEVER', '-backslash_codes', 'encode_output', '-indev', 'stdio:/srv/disc.iso'],
      ...[
        '-find',
        '/2026/11/26',
        '-exec',
        'lsdl',
        '--',
        '-find',
        '/2026/11/26',
        '-type',
        'f',
        '-exec',
        'report_lba',
        '--',
      ],
      ...[
        '-find',
        '/2026/11/27',
        '-exec',
        'lsdl',
        '--',
        '-find',
        '/2026/11/27',
        '-type',
        'f',
        '-exec',
        'report_lba',
        '--',
      ],
    ]);
  });
});

describe('names as xorriso prints them', () => {
  it('undoes the shell quoting, quotes inside names included', () => {
    expect(readQuotedWord(`'it'"'"'s' -> 'x'`)).toEqual({ word: "it's", rest: " -> 'x'" });
    expect(readQuotedWord('plain')).toBeNull();
    expect(readQuotedWord("'unterminated")).toBeNull();
  });

  it('turns backslash codes back into the bytes of a UTF-8 name', () => {
    expect(decodeBackslashes('\\303\\274n\\303\\257')).toBe('ünï');
    expect(decodeBackslashes('a\\nb\\tc\\\\d\\001e')).toBe('a\nb\tc\\d\u0001e');
    expect(decodeBackslashes('trailing\\')).toBe('trailing\\');
  });
});

describe('parseLsdlLine', () => {
  it('reads directories, files with their size, and symlinks with their target', () => {
    expect(parseLsdlLine(STDOUT[5]!)).toMatchObject({ path: '2026/11/26/sub', kind: 'directory' });
    expect(parseLsdlLine(STDOUT[6]!)).toMatchObject({ path: "2026/11/26/sub/we'ird\nname", kind: 'file', size: 2 });
    expect(parseLsdlLine(STDOUT[4]!)).toMatchObject({
      path: '2026/11/26/ln k',
      kind: 'symlink',
      target: "target with 'q'",
    });
    expect(parseLsdlLine(STDOUT[7]!)).toMatchObject({ path: '2026/11/26/ünï cødé', size: 2 });
  });

  it('ignores what is not a node, and nodes a staging day cannot hold', () => {
    expect(parseLsdlLine('Report layout: xt , Startlba')).toBeNull();
    expect(parseLsdlLine("prw-r--r--    1 0        0               0 Nov 26 10:43 '/2026/11/26/fifo'")).toBeNull();
  });
});

describe('parseReportLbaLine', () => {
  it('reads where a file’s extent lies', () => {
    expect(parseReportLbaLine(STDOUT[12]!)).toEqual({
      index: 0,
      lba: 60,
      blocks: 1,
      size: 2,
      path: "2026/11/26/sub/we'ird\nname",
    });
    expect(parseReportLbaLine(STDOUT[8]!)).toBeNull();
  });
});

describe('listingCollector', () => {
  it('collects the day’s nodes (not the day itself) and each file’s extents in order', () => {
    const collector = listingCollector(['2026/11/26']);
    for (const line of STDOUT) collector.line(line, 'stdout');
    // A file over 4 GiB has several extents, possibly printed out of order.
    collector.line('File data lba:  1 ,     3000 ,        2 ,        9 , \'/2026/11/26/"dq"\'', 'stdout');
    const listing = collector.finish();
    expect(listing.nodes.map((node) => node.path)).toEqual([
      '2026/11/26/"dq"',
      '2026/11/26/back\\slash',
      '2026/11/26/ctl\u0001x',
      '2026/11/26/ln k',
      '2026/11/26/sub',
      "2026/11/26/sub/we'ird\nname",
      '2026/11/26/ünï cødé',
    ]);
    expect(extentBytes(listing.extents.get('2026/11/26/"dq"')!)).toEqual([
      { byteOffset: 59 * 2048, bytes: 2048 },
      { byteOffset: 3000 * 2048, bytes: 4096 },
    ]);
    expect(listing).toMatchObject({ missing: [], problems: [] });
  });

  it('tells a day missing from the disc from a disc that cannot be read', () => {
    const collector = listingCollector(['2026/11/25', '2026/11/26']);
    collector.line("xorriso : FAILURE : Cannot find path '/2026/11/25' in loaded ISO image", 'stderr');
    collector.line("xorriso : NOTE : Tolerated problem event of severity 'FAILURE'", 'stderr');
    collector.line('xorriso : UPDATE :       8 nodes read in 1 seconds', 'stderr');
    expect(collector.finish()).toMatchObject({ missing: ['2026/11/25'], problems: [] });

    const broken = listingCollector(['2026/11/26']);
    broken.line('libisofs: FAILURE : Failed to read directory record at LBA 24', 'stderr');
    broken.line("xorriso : FAILURE : Cannot find path '/somewhere/else' in loaded ISO image", 'stderr');
    expect(broken.finish().problems).toHaveLength(2);
  });
});
