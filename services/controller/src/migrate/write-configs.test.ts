import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileExistsError, writeConfigFiles } from './write-configs.js';

const FILES = [
  { name: 'agent.yaml', text: 'agentId: new\n' },
  { name: 'controller.yaml', text: 'database: /new.db\n' },
];

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cedar-import-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('writeConfigFiles', () => {
  it('writes both files, creating the directory, readable but not writable by others', async () => {
    const dir = join(await tempDir(), 'out');
    const written = await writeConfigFiles(dir, FILES, false);
    expect(written).toEqual([join(dir, 'agent.yaml'), join(dir, 'controller.yaml')]);
    expect(await readFile(join(dir, 'agent.yaml'), 'utf8')).toBe('agentId: new\n');
    expect((await stat(join(dir, 'controller.yaml'))).mode & 0o022).toBe(0);
    expect((await readdir(dir)).sort()).toEqual(['agent.yaml', 'controller.yaml']);
  });

  it('refuses when one file exists and writes neither', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'controller.yaml'), 'old\n');
    const error = await writeConfigFiles(dir, FILES, false).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FileExistsError);
    expect((error as Error).message).toContain(`${join(dir, 'controller.yaml')} already exists: nothing was written`);
    expect((error as Error).message).toContain('--force');
    expect(await readdir(dir)).toEqual(['controller.yaml']);
    expect(await readFile(join(dir, 'controller.yaml'), 'utf8')).toBe('old\n');
  });

  it('with force replaces both', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'agent.yaml'), 'old agent\n');
    await writeFile(join(dir, 'controller.yaml'), 'old controller\n');
    await writeConfigFiles(dir, FILES, true);
    expect(await readFile(join(dir, 'agent.yaml'), 'utf8')).toBe('agentId: new\n');
    expect(await readFile(join(dir, 'controller.yaml'), 'utf8')).toBe('database: /new.db\n');
    expect((await readdir(dir)).sort()).toEqual(['agent.yaml', 'controller.yaml']);
  });

  it('with force, a second file that cannot be replaced puts the first one back', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'agent.yaml'), 'old agent\n');
    // A directory where controller.yaml should be: it can be neither set aside nor replaced.
    await mkdir(join(dir, 'controller.yaml'));
    await writeFile(join(dir, 'controller.yaml', 'keep'), 'x');
    await expect(writeConfigFiles(dir, FILES, true)).rejects.toThrow(/nothing was written/);
    expect(await readFile(join(dir, 'agent.yaml'), 'utf8')).toBe('old agent\n');
    expect((await readdir(dir)).sort()).toEqual(['agent.yaml', 'controller.yaml']);
  });

  it('an unwritable place writes nothing and says what to do', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'file'), 'x');
    await expect(writeConfigFiles(join(dir, 'file', 'sub'), FILES, false)).rejects.toThrow(
      /could not write the configuration files in .*file\/sub \(ENOTDIR\).*--out-dir/,
    );
  });
});
