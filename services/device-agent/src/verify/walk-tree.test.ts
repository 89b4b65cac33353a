import { mkdir, mkdtemp, opendir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { walkTree } from './walk-tree.js';

describe('walkTree', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cedar-walk-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lists files, directories and symlinks under the graft point, never following links', async () => {
    await mkdir(join(dir, 'etc', 'ssh'), { recursive: true });
    await writeFile(join(dir, 'cback.stage'), '');
    await writeFile(join(dir, 'etc', 'hosts'), '127.0.0.1 localhost\n');
    await writeFile(join(dir, 'etc', 'ssh', 'sshd_config'), 'Port 22\n');
    await symlink('/etc', join(dir, 'etc', 'loop'));

    const found = await walkTree(dir, '2026/11/23');
    const byPath = Object.fromEntries(found.map(({ path, ...facts }) => [path, facts]));
    expect(Object.keys(byPath).sort()).toEqual([
      '2026/11/23/cback.stage',
      '2026/11/23/etc',
      '2026/11/23/etc/hosts',
      '2026/11/23/etc/loop',
      '2026/11/23/etc/ssh',
      '2026/11/23/etc/ssh/sshd_config',
    ]);
    expect(byPath['2026/11/23/etc/hosts']).toEqual({ kind: 'file', size: 20, absolutePath: join(dir, 'etc', 'hosts') });
    expect(byPath['2026/11/23/etc']).toMatchObject({ kind: 'directory', size: 0 });
    expect(byPath['2026/11/23/etc/loop']).toMatchObject({ kind: 'symlink', size: 0, target: '/etc' });
  });

  /** Lists directories for real, except `broken`, which fails as a bad sector does (root lists chmod 000 anyway). */
  const failingAt = (broken: string) => async (path: string) => {
    if (path === broken) throw Object.assign(new Error(`EIO: i/o error, opendir '${path}'`), { code: 'EIO' });
    return opendir(path);
  };

  it('goes on past a directory it cannot list when told to, marking that directory', async () => {
    await mkdir(join(dir, 'etc', 'ssh'), { recursive: true });
    await mkdir(join(dir, 'home'));
    await writeFile(join(dir, 'etc', 'ssh', 'sshd_config'), 'Port 22\n');
    await writeFile(join(dir, 'home', 'notes.txt'), 'remember the milk');
    const unreadable: Array<[string, unknown]> = [];

    const found = await walkTree(dir, '2026/11/23', {
      openDirectory: failingAt(join(dir, 'etc')),
      onUnreadable: (directory, error) => unreadable.push([directory, (error as { code?: string }).code]),
    });
    expect(unreadable).toEqual([[join(dir, 'etc'), 'EIO']]);
    expect(found.map((file) => file.path).sort()).toEqual([
      '2026/11/23/etc',
      '2026/11/23/home',
      '2026/11/23/home/notes.txt',
    ]);
    expect(found.find((file) => file.path === '2026/11/23/etc')).toMatchObject({ contentDiffers: true });
    expect(found.find((file) => file.path === '2026/11/23/home')?.contentDiffers).toBeUndefined();
  });

  it('throws the listing error when not told what to do with it', async () => {
    await mkdir(join(dir, 'etc'));
    await expect(walkTree(dir, '2026/11/23', { openDirectory: failingAt(join(dir, 'etc')) })).rejects.toMatchObject({
      code: 'EIO',
    });
  });

  it('lists nothing in an empty directory', async () => {
    expect(await walkTree(dir, '2026/11/23')).toEqual([]);
  });
});
