import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildExport, claimExportPath } from './export-path.js';

describe('exports', () => {
  let workingDir: string;
  beforeEach(async () => {
    workingDir = await mkdtemp(join(tmpdir(), 'cedar-export-'));
  });
  afterEach(() => rm(workingDir, { recursive: true, force: true }));

  it('claims a new file per export, never overwriting an earlier one, readable by the agent only', async () => {
    const first = await claimExportPath(workingDir, ['2026-11-24', '2026-11-23']);
    const second = await claimExportPath(workingDir, ['2026-11-23', '2026-11-24']);
    expect(first).toBe(join(workingDir, 'exports', 'cedar-2026-11-23_to_2026-11-24.iso'));
    expect(second).toBe(join(workingDir, 'exports', 'cedar-2026-11-23_to_2026-11-24-1.iso'));
    expect((await stat(first)).mode & 0o777).toBe(0o600);
  });

  it('reports the size of what was built', async () => {
    const built = await buildExport(workingDir, ['2026-11-23'], (path) => writeFile(path, 'x'.repeat(4096)));
    expect(built).toEqual({ path: join(workingDir, 'exports', 'cedar-2026-11-23.iso'), bytes: 4096 });
  });

  it('leaves no file behind when the build fails in any way', async () => {
    await expect(
      buildExport(workingDir, ['2026-11-23'], async (path) => {
        await writeFile(path, 'half an image');
        throw new Error('xorriso is not installed');
      }),
    ).rejects.toThrow('xorriso is not installed');
    expect(await readdir(join(workingDir, 'exports'))).toEqual([]);
  });
});
