import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
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

  it('lists nothing in an empty directory', async () => {
    expect(await walkTree(dir, '2026/11/23')).toEqual([]);
  });
});
