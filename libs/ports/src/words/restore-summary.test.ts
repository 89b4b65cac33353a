import { describe, expect, it } from 'vitest';
import type { RestoreSummary } from '../run.js';
import { describeRestore } from './restore-summary.js';

const base: RestoreSummary = {
  day: '2026-11-25',
  disc: { id: 3, label: 'CEDAR BACKUP 23-NOV-2026', session: 3 },
  target: '/srv/restore/nov25',
  files: 2,
  bytes: 2048,
  symlinks: 1,
  refused: 0,
  manifest: true,
  checked: 2,
  mismatches: [],
  mismatchCount: 0,
  unlisted: 0,
};

describe('describeRestore', () => {
  it('says where the day came from and went, and that every file matched', () => {
    expect(describeRestore(base, 10)).toEqual([
      '2026-11-25 from disc 3 "CEDAR BACKUP 23-NOV-2026", session 3',
      "into /srv/restore/nov25 on the agent's host",
      '2 files, 2.00 KiB, 1 symlink',
      "checked: 2 files match the manifest's SHA-256",
    ]);
  });

  it('says nothing could be checked for a day without a manifest', () => {
    expect(describeRestore({ ...base, manifest: false, checked: 0 }, 10).at(-1)).toMatch(
      /^nothing could be checked: the catalog holds no manifest/,
    );
  });

  it('names the mismatches, up to the number asked for', () => {
    const lines = describeRestore(
      {
        ...base,
        mismatches: [
          { path: '2026/11/25/a', kind: 'content' },
          { path: '2026/11/25/b', kind: 'missing' },
        ],
        mismatchCount: 2,
      },
      1,
    );
    expect(lines.slice(3)).toEqual([
      'FAILED: 2 files of the manifest not reproduced; 2 checked',
      'content  2026/11/25/a',
      '… and 1 more (--json lists the first 2)',
    ]);
  });
});
