import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { idFromAccountFile, resolveOwner } from './owner.js';

const PASSWD = [
  'root:x:0:0:root:/root:/bin/bash',
  'backupx:x:1001:1001::/home/backupx:/bin/sh',
  'backup:x:34:34:backup:/var/backups:/usr/sbin/nologin',
  'broken:x::',
  '',
].join('\n');

const GROUP = ['root:x:0:', 'tape:x:26:backup', 'backup:x:34:', 'cdrom:x:24:backup', ''].join('\n');

describe('idFromAccountFile', () => {
  it('reads the numeric id of an exact name from passwd and group text', () => {
    expect(idFromAccountFile(PASSWD, 'backup')).toBe(34);
    expect(idFromAccountFile(PASSWD, 'root')).toBe(0);
    expect(idFromAccountFile(GROUP, 'cdrom')).toBe(24);
  });

  it('does not match a name by prefix or in a member list', () => {
    expect(idFromAccountFile(PASSWD, 'back')).toBeNull();
    expect(idFromAccountFile(PASSWD, 'backupx')).toBe(1001);
    expect(idFromAccountFile('tape:x:26:backup\n', 'backup')).toBeNull();
  });

  it('finds nothing for an unknown name or a line without an id', () => {
    expect(idFromAccountFile(PASSWD, 'nobody')).toBeNull();
    expect(idFromAccountFile(PASSWD, 'broken')).toBeNull();
    expect(idFromAccountFile('', 'backup')).toBeNull();
  });
});

describe('resolveOwner', () => {
  let dir: string;
  let files: { passwd: string; group: string };
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cedar-owner-'));
    files = { passwd: join(dir, 'passwd'), group: join(dir, 'group') };
    await writeFile(files.passwd, PASSWD);
    await writeFile(files.group, GROUP);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('resolves the backup user and group to their ids', async () => {
    expect(await resolveOwner('backup', 'cdrom', files)).toEqual({ uid: 34, gid: 24 });
  });

  it('takes numeric names as ids without looking them up', async () => {
    expect(await resolveOwner('4321', '8765', files)).toEqual({ uid: 4321, gid: 8765 });
  });

  it('leaves ownership alone when neither is configured', async () => {
    expect(await resolveOwner(undefined, undefined, files)).toBeNull();
  });

  it("keeps the agent's own id for the half that is not configured", async () => {
    expect(await resolveOwner('backup', undefined, files)).toEqual({ uid: 34, gid: process.getgid?.() ?? 0 });
    expect(await resolveOwner(undefined, 'backup', files)).toEqual({ uid: process.getuid?.() ?? 0, gid: 34 });
  });

  it('refuses an unknown user with INVALID_REQUEST naming backupUser and the file', async () => {
    const error = await resolveOwner('ghost', 'backup', files).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'INVALID_REQUEST' });
    expect((error as Error).message).toContain('backupUser');
    expect((error as Error).message).toContain('"ghost"');
    expect((error as Error).message).toContain(files.passwd);
  });

  it('refuses an unknown group naming backupGroup', async () => {
    await expect(resolveOwner('backup', 'ghosts', files)).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      message: expect.stringContaining('backupGroup'),
    });
  });
});
