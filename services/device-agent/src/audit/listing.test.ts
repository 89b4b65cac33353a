// The audit's listing from xorriso's recorded report_lba output: a file over 4 GiB is one file
// of two extents, and files no manifest holds are counted once each, never listed.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseReportLbaLine } from '../verify/direct-parse.js';
import { listingCollector, type Listed } from './audit-disc.js';

describe('listingCollector', () => {
  it('joins the extents of a file over 4 GiB', async () => {
    const text = await readFile(join(import.meta.dirname, 'fixtures', 'report-lba-over-4gib.txt'), 'utf8');
    const files: Listed[] = [];
    const collector = listingCollector((file) => files.push(file));
    for (const line of text.split('\n')) collector.line(line, 'stdout');
    expect(collector.finish()).toEqual({ skipped: 0, bytesTotal: 4_700_000_006, problems: [] });
    expect(files).toEqual([
      {
        path: '2026/11/25/big.img',
        size: 4_700_000_000,
        extents: [
          [58, 2_097_151],
          [2_097_209, 197_771],
        ],
      },
      { path: '2026/11/25/small.txt', size: 6, extents: [[2_294_980, 1]] },
    ]);
  });

  it('counts a file outside the days once, whatever its extents, and an indicator', () => {
    const files: Listed[] = [];
    const collector = listingCollector((file) => files.push(file));
    for (const line of [
      "File data lba:  0 ,       58 ,  2097151 , 4700000000 , '/huge.img'",
      "File data lba:  1 ,  2097209 ,   197771 , 4700000000 , '/huge.img'",
      "File data lba:  0 ,  2294980 ,        0 ,        0 , '/2026/11/25/cback.store'",
      "File data lba:  0 ,  2294981 ,        1 ,       10 , '/2026/11/25/deep/cback.store'",
    ])
      collector.line(line, 'stdout');
    collector.line("xorriso : FAILURE : Cannot read '/x'", 'stderr');
    expect(collector.finish()).toEqual({ skipped: 2, bytesTotal: 10, problems: ["FAILURE : Cannot read '/x'"] });
    expect(files.map((file) => file.path)).toEqual(['2026/11/25/deep/cback.store']);
  });

  it('reads names with quotes and backslash codes', () => {
    expect(parseReportLbaLine(`File data lba:  0 ,  61 ,  1 ,  4 , '/2026/11/25/it'"'"'s n\\303\\274'`)).toEqual({
      index: 0,
      lba: 61,
      blocks: 1,
      size: 4,
      path: "2026/11/25/it's nü",
    });
  });
});
