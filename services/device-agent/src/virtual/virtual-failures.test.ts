// What a failed or abandoned write leaves on a virtual disc, with real xorriso behind a wrapper
// that can make one call fail the way a full disk or a stopped program does.
import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MountTable } from '../media/mount-table.js';
import { ProgramRunner } from '../process/program-runner.js';
import { FsStagingArea } from '../staging/fs-staging-area.js';
import { VirtualDrive } from './virtual-drive.js';

const LABEL = 'CEDAR BACKUP 23-NOV-2026';

describe('the virtual backend after a failure', { timeout: 60_000 }, () => {
  let base: string;
  let image: string;
  let failMarker: string;

  const drive = (): VirtualDrive =>
    new VirtualDrive(
      {
        id: 'v0',
        backend: 'virtual',
        path: image,
        mediaType: 'dvd+rw',
        noEject: false,
        ejectDelay: 0,
        refreshMediaDelay: 0,
        mountMethod: 'direct',
      },
      {
        staging: new FsStagingArea(join(base, 'stage')),
        workingDir: join(base, 'work'),
        runner: new ProgramRunner({ searchPath: `${join(base, 'bin')}:${process.env.PATH ?? ''}` }),
        mountTable: new MountTable(),
      },
    );
  const sha256 = async (): Promise<string> =>
    createHash('sha256')
      .update(await readFile(image))
      .digest('hex');

  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'cedar-virtual-failures-'));
    image = join(base, 'media', 'disc.iso');
    failMarker = join(base, 'fail-append');
    await mkdir(join(base, 'bin'));
    await mkdir(join(base, 'work'));
    // While the marker exists, an append's write (-dev stdio:<image> … -commit, not its size
    // estimate) gets 64 KiB added to the image and fails, as when the disk fills mid-session.
    await writeFile(
      join(base, 'bin', 'xorriso'),
      [
        '#!/bin/sh',
        `if [ -e '${failMarker}' ]; then`,
        '  image=""; commit=""; prev=""',
        '  for arg in "$@"; do',
        '    if [ "$prev" = "-dev" ]; then image="${arg#stdio:}"; fi',
        '    if [ "$arg" = "-commit" ]; then commit=1; fi',
        '    prev="$arg"',
        '  done',
        '  if [ -n "$image" ] && [ -n "$commit" ]; then',
        '    head -c 65536 /dev/urandom >> "$image"',
        '    echo "xorriso : FAILURE : Image write error: No space left on device" >&2',
        '    exit 5',
        '  fi',
        'fi',
        'exec /usr/bin/xorriso "$@"',
        '',
      ].join('\n'),
    );
    await chmod(join(base, 'bin', 'xorriso'), 0o755);
    for (const day of ['23', '24']) {
      const dir = join(base, 'stage', '2026', '11', day);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'data.bin'), Buffer.alloc(200_000, day.charCodeAt(1)));
      await writeFile(join(dir, 'cback.stage'), '');
    }
  });
  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('cuts a failed append back off, so the disc is byte-identical to the one before', async () => {
    const agent = drive();
    await agent.write({ days: ['2026-11-23'], label: LABEL, newDisc: true });
    const before = await sha256();
    await writeFile(failMarker, '');

    await expect(agent.write({ days: ['2026-11-24'], label: LABEL, newDisc: false })).rejects.toThrow(
      /No space left on device/,
    );

    expect(await sha256()).toBe(before);
    expect((await agent.status()).sessions).toBe(1);
  });

  it('removes a new disc a killed agent left half-written beside the image when it writes the next one', async () => {
    const agent = drive();
    await agent.write({ days: ['2026-11-23'], label: LABEL, newDisc: true });
    const abandoned = `${image}.new-0b6f1c2e-5d8a-4f0e-9a51-3c2d7e8f9a10`;
    await writeFile(abandoned, Buffer.alloc(1_000_000, 7));

    await agent.write({ days: ['2026-11-24'], label: LABEL, newDisc: true });

    expect(await readdir(join(base, 'media'))).toEqual(['disc.iso']);
    expect((await agent.status()).sessions).toBe(1);
  });
});
