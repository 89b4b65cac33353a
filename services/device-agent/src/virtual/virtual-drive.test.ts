// The virtual backend when things go wrong: real xorriso, with a wrapper in front of it
// where a failure has to be provoked. Whatever fails, the sessions already on the image stay.
import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MountTable } from '../media/mount-table.js';
import { ProgramRunner } from '../process/program-runner.js';
import { FsStagingArea } from '../staging/fs-staging-area.js';
import { VirtualDrive } from '../backends.js';

const LABEL = 'CEDAR BACKUP 23-NOV-2026';

/**
 * A wrapper `xorriso` that fails (exit 5) when its arguments contain `failOn`, after
 * scribbling on the stdio: target it was writing to, as a write cut short would: a new
 * image (`-outdev`) gets half a session, an appended one (`-dev`) gets it added at its end
 * and its volume descriptors (sector 16 on) overwritten, as xorriso updates them.
 */
const wrapper = (failOn: string): string => `#!/bin/sh
for arg in "$@"; do
  if [ "$arg" = "${failOn}" ]; then
    previous=""
    for target in "$@"; do
      case "$previous:$target" in
        -outdev:stdio:*) printf 'half a session' > "\${target#stdio:}" ;;
        -dev:stdio:*)
          printf 'half a session' >> "\${target#stdio:}"
          printf 'a header pointing past the end' | dd of="\${target#stdio:}" bs=1 seek=32768 conv=notrunc 2>/dev/null ;;
      esac
      previous="$target"
    done
    echo "xorriso : FAILURE : provoked by the test" >&2
    exit 5
  fi
done
exec /usr/bin/xorriso "$@"
`;

describe('VirtualDrive failures', { timeout: 60_000 }, () => {
  let base: string;
  let image: string;
  let bin: string;

  const drive = async (failOn?: string): Promise<VirtualDrive> => {
    if (failOn !== undefined) {
      await writeFile(join(bin, 'xorriso'), wrapper(failOn));
      await chmod(join(bin, 'xorriso'), 0o755);
    }
    const staging = new FsStagingArea(join(base, 'stage'));
    return new VirtualDrive(
      {
        id: 'v0',
        backend: 'virtual',
        path: image,
        mediaType: 'dvd+rw',
        noEject: false,
        ejectDelay: 0,
        refreshMediaDelay: 0,
        mountMethod: 'auto',
      },
      {
        staging,
        workingDir: join(base, 'work'),
        runner: new ProgramRunner(failOn === undefined ? {} : { searchPath: `${bin}:${process.env.PATH ?? ''}` }),
        mountTable: new MountTable(),
      },
    );
  };
  const digest = async (): Promise<string> =>
    createHash('sha256')
      .update(await readFile(image))
      .digest('hex');

  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'cedar-virtual-'));
    image = join(base, 'media', 'disc.iso');
    bin = join(base, 'bin');
    await mkdir(bin);
    for (const day of ['23', '24']) {
      const dir = join(base, 'stage', '2026', '11', day);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'data.txt'), `night of the ${day}th`);
      await writeFile(join(dir, 'cback.stage'), '');
    }
  });
  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('keeps the old sessions when writing a new disc fails half way, and leaves no stray file', async () => {
    await (await drive()).write({ days: ['2026-11-23'], label: LABEL, newDisc: true });
    const before = await digest();
    await expect(
      (await drive('-commit')).write({ days: ['2026-11-24'], label: LABEL, newDisc: true }),
    ).rejects.toMatchObject({
      code: 'WRITE_FAILED',
      message: expect.stringMatching(/provoked by the test/),
    });
    expect(await digest()).toBe(before);
    expect(await readdir(join(base, 'media'))).toEqual(['disc.iso']);
    expect(await (await drive()).status()).toMatchObject({ sessions: 1, label: LABEL });
  });

  it('cuts a failed append back off, so the disc is byte-identical to the one before', async () => {
    await (await drive()).write({ days: ['2026-11-23'], label: LABEL, newDisc: true });
    const before = await digest();
    await expect(
      (await drive('-commit')).write({ days: ['2026-11-24'], label: LABEL, newDisc: false }),
    ).rejects.toMatchObject({ code: 'WRITE_FAILED', message: expect.stringMatching(/provoked by the test/) });
    expect(await digest()).toBe(before);
    expect(await (await drive()).status()).toMatchObject({ sessions: 1, label: LABEL });
  });

  it('removes a new disc a killed agent left half-written beside the image when it writes the next one', async () => {
    await (await drive()).write({ days: ['2026-11-23'], label: LABEL, newDisc: true });
    await writeFile(`${image}.new-0b6f1c2e-5d8a-4f0e-9a51-3c2d7e8f9a10`, Buffer.alloc(1_000_000, 7));
    // A replaced image an agent stopped before it could remove it.
    await writeFile(`${image}.old-5e7d0c1a-2b3f-4e6a-8c9d-0a1b2c3d4e5f`, Buffer.alloc(1_000_000, 7));
    await (await drive()).write({ days: ['2026-11-24'], label: LABEL, newDisc: true });
    // The image it replaced goes once the write has returned.
    await vi.waitFor(async () => expect(await readdir(join(base, 'media'))).toEqual(['disc.iso']));
    expect(await (await drive()).status()).toMatchObject({ sessions: 1 });
  });

  it('refuses to write when the media cannot be read, instead of taking it for blank', async () => {
    await (await drive()).write({ days: ['2026-11-23'], label: LABEL, newDisc: true });
    const before = await digest();
    await expect(
      (await drive('-toc')).write({ days: ['2026-11-24'], label: LABEL, newDisc: false }),
    ).rejects.toMatchObject({
      code: 'WRITE_FAILED',
      message: expect.stringMatching(/could not read the media .*Check the disc/),
    });
    expect(await digest()).toBe(before);
  });

  it('treats a file that holds no ISO image as a closed disc: no label, no room, nothing written', async () => {
    await mkdir(join(base, 'media'), { recursive: true });
    await writeFile(image, Buffer.alloc(100_000, 7));
    const before = await digest();
    expect(await (await drive()).status()).toMatchObject({ label: null, bytesAvailable: 0 });
    await expect((await drive()).write({ days: ['2026-11-24'], label: LABEL, newDisc: false })).rejects.toMatchObject({
      code: 'MEDIA_FULL',
    });
    expect(await digest()).toBe(before);
  });
});
