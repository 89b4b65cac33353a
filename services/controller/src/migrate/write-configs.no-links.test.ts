// On a file system without hard links (vfat, some network file systems) link(2) fails with
// EPERM: the import still writes both files, still refuses existing ones, and --force still
// puts the old file back when the second one cannot be placed.
import type * as FsPromises from 'node:fs/promises';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FileExistsError, writeConfigFiles } from './write-configs.js';

vi.mock('node:fs/promises', async (importOriginal) => {
  const original = await importOriginal<typeof FsPromises>();
  const noLinks = () =>
    Promise.reject(Object.assign(new Error('EPERM: operation not permitted, link'), { code: 'EPERM' }));
  return { ...original, link: vi.fn(noLinks), default: { ...original, link: vi.fn(noLinks) } };
});

const FILES = [
  { name: 'agent.yaml', text: 'agentId: new\n' },
  { name: 'controller.yaml', text: 'database: /new.db\n' },
];

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cedar-import-nolinks-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('writeConfigFiles without hard links', () => {
  it('writes both files', async () => {
    const dir = await tempDir();
    await writeConfigFiles(dir, FILES, false);
    expect((await readdir(dir)).sort()).toEqual(['agent.yaml', 'controller.yaml']);
    expect(await readFile(join(dir, 'controller.yaml'), 'utf8')).toBe('database: /new.db\n');
  });

  it('refuses an existing file and writes neither', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'agent.yaml'), 'old\n');
    await expect(writeConfigFiles(dir, FILES, false)).rejects.toBeInstanceOf(FileExistsError);
    expect(await readdir(dir)).toEqual(['agent.yaml']);
    expect(await readFile(join(dir, 'agent.yaml'), 'utf8')).toBe('old\n');
  });

  it('with force replaces both, and puts the first back when the second cannot be placed', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'agent.yaml'), 'old agent\n');
    await writeConfigFiles(dir, FILES, true);
    expect(await readFile(join(dir, 'agent.yaml'), 'utf8')).toBe('agentId: new\n');
    expect((await readdir(dir)).sort()).toEqual(['agent.yaml', 'controller.yaml']);

    const other = await tempDir();
    await writeFile(join(other, 'agent.yaml'), 'old agent\n');
    await mkdir(join(other, 'controller.yaml'));
    await writeFile(join(other, 'controller.yaml', 'keep'), 'x');
    await expect(writeConfigFiles(other, FILES, true)).rejects.toThrow(/nothing was written/);
    expect(await readFile(join(other, 'agent.yaml'), 'utf8')).toBe('old agent\n');
    expect((await readdir(other)).sort()).toEqual(['agent.yaml', 'controller.yaml']);
  });
});
