import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MountTable, mountPointsOf, parseMountTable } from './mount-table.js';

const PROC_MOUNTS = [
  'sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0',
  'proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0',
  '/dev/nvme0n1p2 / ext4 rw,relatime,errors=remount-ro 0 0',
  '/dev/sr0 /media/backup\\040disc iso9660 ro,nosuid,nodev,relatime,nojoliet,check=s,map=n,blocksize=2048 0 0',
  'fuseiso /var/lib/cedar-store/work/verify-1 fuse.fuseiso ro,nosuid,nodev,relatime,user_id=0,group_id=0 0 0',
  '/dev/sr0 /mnt/a\\011tab iso9660 ro,relatime 0 0',
  '',
].join('\n');

describe('parseMountTable', () => {
  it('reads source, target and type, unescaping octal escapes', () => {
    const entries = parseMountTable(PROC_MOUNTS);
    expect(entries).toHaveLength(6);
    expect(entries[2]).toEqual({ source: '/dev/nvme0n1p2', target: '/', type: 'ext4' });
    expect(entries[3]).toEqual({ source: '/dev/sr0', target: '/media/backup disc', type: 'iso9660' });
    expect(entries[5]?.target).toBe('/mnt/a\ttab');
  });

  it('skips blank and truncated lines', () => {
    expect(parseMountTable('\n   \n/dev/sr0 /media/cdrom\n')).toEqual([]);
  });
});

describe('mountPointsOf', () => {
  it('lists every mount point of the device, and none for an unmounted one', () => {
    const entries = parseMountTable(PROC_MOUNTS);
    expect(mountPointsOf(entries, ['/dev/sr0'])).toEqual(['/media/backup disc', '/mnt/a\ttab']);
    expect(mountPointsOf(entries, ['/dev/sr1'])).toEqual([]);
  });

  it('matches any of the names given for the device', () => {
    const entries = parseMountTable(PROC_MOUNTS);
    expect(mountPointsOf(entries, ['/dev/cdrom', '/dev/sr0'])).toHaveLength(2);
  });
});

describe('MountTable', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cedar-mounts-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('finds a device mounted through the link that points at it (/dev/cdrom -> /dev/sr0)', async () => {
    const device = join(dir, 'sr0');
    const link = join(dir, 'cdrom');
    await writeFile(device, '');
    await symlink(device, link);
    const table = join(dir, 'mounts');
    await writeFile(table, `/dev/root / ext4 rw 0 0\n${device} /media/a\\040b iso9660 ro 0 0\n`);

    const mounts = new MountTable(table);
    expect(await mounts.mountPointsOf(link)).toEqual(['/media/a b']);
    expect(await mounts.mountPointsOf(device)).toEqual(['/media/a b']);
  });

  it('finds the mount of a device path that does not exist on this host by its name', async () => {
    const table = join(dir, 'mounts');
    await writeFile(table, '/dev/sr9 /media/cdrom iso9660 ro 0 0\n');
    expect(await new MountTable(table).mountPointsOf('/dev/sr9')).toEqual(['/media/cdrom']);
  });

  it('reports nothing mounted when the device is absent from the table', async () => {
    const table = join(dir, 'mounts');
    await writeFile(table, PROC_MOUNTS);
    expect(await new MountTable(table).mountPointsOf(join(dir, 'sr0'))).toEqual([]);
  });

  it('finds an ISO image mounted through a loop device, by the backing file of the loop', async () => {
    const image = join(dir, 'disc.iso');
    await writeFile(image, '');
    const sysBlock = join(dir, 'sys-block');
    for (const [loop, backing] of [
      ['loop0', '/srv/other.img'],
      ['loop3', image],
    ]) {
      await mkdir(join(sysBlock, loop!, 'loop'), { recursive: true });
      await writeFile(join(sysBlock, loop!, 'loop', 'backing_file'), `${backing}\n`);
    }
    const table = join(dir, 'mounts');
    await writeFile(table, '/dev/loop0 /mnt/other iso9660 ro 0 0\n/dev/loop3 /media/backup iso9660 ro 0 0\n');
    expect(await new MountTable(table, sysBlock).mountPointsOf(image)).toEqual(['/media/backup']);
  });
});
