// The agent unit runs as a non-root user with NoNewPrivileges=yes, which disables the setuid
// fusermount an unprivileged fuseiso normally relies on. This checks, with the kernel rather
// than by reading documentation, that the privileges the unit and its fuseiso drop-in grant
// (their capabilities, nothing else) are enough for verify's fuseiso mount and fusermount
// unmount, and that the unit alone (which verifies directly, without mounting) cannot mount.
// It needs root (to drop to those privileges) and FUSE.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuseisoArgs, unmountCommand } from '../../services/device-agent/src/verify/mount-args.js';
import { readUnit, unitValue } from './support/deploy-files.js';

const run = promisify(execFile);
const TOOLS = ['/usr/bin/unshare', '/usr/bin/setpriv', '/usr/bin/fuseiso', '/usr/bin/fusermount', '/usr/bin/xorriso'];
const canRun = process.getuid?.() === 0 && existsSync('/dev/fuse') && TOOLS.every((tool) => existsSync(tool));
const DROP_IN = 'agent-fuseiso.conf';
/** nobody: a user with no rights of its own, as the unit's cedar-store user has none on /dev/fuse. */
const NOBODY = '65534';

/**
 * In a mount namespace of its own: /dev/fuse made usable by the user (what DeviceAllow= and
 * the device's mode give the service), then `setpriv` drops to that user with exactly the
 * given capabilities and runs the agent's own fuseiso and unmount argument lists. The script
 * text is fixed; every path reaches it as a positional argument.
 */
async function verifyMountAs(capabilities: string[], noNewPrivs: boolean, dir: string) {
  const caps = (list: string[]) =>
    ['-all', ...list.map((cap) => `+${cap.replace(/^CAP_/, '').toLowerCase()}`)].join(',');
  const image = join(dir, 'disc.iso');
  const mountPoint = join(dir, 'mnt');
  // What the agent runs to take the mount down again; the script below runs exactly that.
  expect(unmountCommand('fuseiso', mountPoint)).toEqual({ tool: 'fusermount', args: ['-u', mountPoint] });
  const script = ['fuse_copy=$1; shift', 'mount --bind "$fuse_copy" /dev/fuse || exit 90', 'exec "$@"'].join('\n');
  const asService = [
    'setpriv',
    `--reuid=${NOBODY}`,
    `--regid=${NOBODY}`,
    '--clear-groups',
    ...(noNewPrivs ? ['--no-new-privs'] : []),
    `--inh-caps=${caps(capabilities)}`,
    `--ambient-caps=${caps(capabilities)}`,
    `--bounding-set=${caps(capabilities)}`,
    'sh',
    '-c',
    // fuseiso, read a file, then unmount: one process tree, so one mount namespace.
    'mp=$1; shift; "$@" || exit 91; cat "$mp/hello.txt" || exit 92; exec fusermount -u "$mp"',
    'sh',
    mountPoint,
    'fuseiso',
    ...fuseisoArgs(image, mountPoint),
  ];
  return run('unshare', ['-m', 'sh', '-c', script, 'sh', join(dir, 'fuse'), ...asService], {
    timeout: 60_000,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({
      code: error.code ?? 1,
      stdout: error.stdout ?? '',
      stderr: error.stderr ?? '',
    }),
  );
}

describe.skipIf(!canRun)('the agent unit’s privileges and verify', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cedar-unit-privileges-'));
    await chmod(dir, 0o755);
    const staging = join(dir, 'staging');
    await mkdir(staging);
    await writeFile(join(staging, 'hello.txt'), 'read back through FUSE\n');
    await run('xorriso', ['-outdev', `stdio:${join(dir, 'disc.iso')}`, '-map', staging, '/', '-commit']);
    await chmod(join(dir, 'disc.iso'), 0o644);
    await mkdir(join(dir, 'mnt'), { mode: 0o777 });
    await chmod(join(dir, 'mnt'), 0o777);
    // A device node of our own for FUSE, usable by anyone, bound over /dev/fuse in the namespace only.
    await run('mknod', [join(dir, 'fuse'), 'c', '10', '229']);
    await chmod(join(dir, 'fuse'), 0o666);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** The ambient capabilities a unit file (or drop-in) grants. */
  async function ambient(name: string): Promise<string[]> {
    const value = unitValue(await readUnit(name), 'Service', 'AmbientCapabilities') ?? '';
    return value.split(/\s+/).filter((cap) => cap !== '');
  }

  it('with the unit and its fuseiso drop-in, under NoNewPrivileges, fuseiso mounts and fusermount unmounts', async () => {
    expect(unitValue(await readUnit('cedar-store-agent.service'), 'Service', 'NoNewPrivileges')).toBe('yes');
    const capabilities = [...(await ambient('cedar-store-agent.service')), ...(await ambient(DROP_IN))];
    const result = await verifyMountAs(capabilities, true, dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('read back through FUSE\n');
  });

  it('with the unit alone the mount is refused: the setuid fusermount does not help under NoNewPrivileges', async () => {
    const result = await verifyMountAs(await ambient('cedar-store-agent.service'), true, dir);
    expect(result.code).toBe(91);
    expect(result.stderr).toMatch(/fusermount: mount failed: Operation not permitted/);
  });
});
