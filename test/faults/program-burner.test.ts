/**
 * The burner program fails: xorriso exits non-zero during the write, hangs, or is not
 * installed. Each time the store fails with a coded error telling what happened and what to
 * do, the day gets no store indicator, the disc is left as it was, and the next store works
 * once the fault is gone. Real agent and controller, virtual media, real xorriso behind a
 * wrapper that injects the fault only into the write (`-commit`).
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isoPaths } from '../support/iso-inspector.js';
import { ProgramDir, sha256, startHarness, tempBase, type Harness } from '../support/fault-harness.js';
import { until } from '../support/until.js';

const DAY1 = '2026-11-24';
const DAY2 = '2026-11-25';
const PROGRAMS = ['xorriso', 'mount', 'umount', 'fuseiso', 'fusermount'];
/** A write of a few KiB takes well under a second; 8 s leaves room for a loaded machine. */
const WRITE_LIMIT_SECONDS = 8;

let faults = 0;
let base: string;
let programs: ProgramDir;
let harness: Harness | undefined;

/**
 * xorriso as installed, except that a write (`-commit`) does what `mode` says: `fail` prints
 * what libburn and xorriso print for a drive's write error and exits 32; `hang` starts a
 * helper and never returns.
 */
async function installXorrisoWrapper(): Promise<void> {
  const mode = join(base, 'xorriso.mode');
  const helperPid = join(base, 'helper.pid');
  await programs.fake(
    'xorriso',
    `mode=$(cat '${mode}' 2>/dev/null)
for a in "$@"; do
  if [ "$a" = -commit ] && [ "$mode" = fail ]; then
    echo 'libburn : FATAL : SCSI error on write(16,16): [3 0C 00] Write error' >&2
    echo 'xorriso : FAILURE : libburn indicates failure with writing.' >&2
    echo "xorriso : aborting : -abort_on 'FAILURE' encountered 'FAILURE'" >&2
    exit 32
  fi
  if [ "$a" = -commit ] && [ "$mode" = hang ]; then
    sleep 600 >/dev/null 2>&1 &
    echo $! > '${helperPid}'
    exec sleep 600
  fi
done
exec "$REAL" "$@"`,
  );
}

async function inject(mode: 'fail' | 'hang' | ''): Promise<void> {
  if (mode) faults++;
  await writeFile(join(base, 'xorriso.mode'), mode);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function firstStore(h: Harness): Promise<string> {
  await h.stage(DAY1, { 'etc/hosts': '127.0.0.1 localhost\n' });
  const run = await h.api.run({ action: 'store', today: DAY1 });
  expect(run).toMatchObject({ status: 'succeeded' });
  return sha256(h.image);
}

beforeEach(async () => {
  base = await tempBase('program-burner');
  programs = await ProgramDir.create(base, PROGRAMS);
});
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
  await rm(base, { recursive: true, force: true });
});
afterAll(() => {
  console.info(`program-burner faults injected: ${faults}`);
});

describe('the burner program fails', { timeout: 180_000 }, () => {
  it("xorriso exits non-zero during the write: WRITE_FAILED with xorriso's own reason, no indicator, disc unchanged", async () => {
    await installXorrisoWrapper();
    harness = await startHarness(base, { searchPath: programs.path });
    const before = await firstStore(harness);
    await harness.stage(DAY2, { 'var/log/syslog': 'night two\n' });

    await inject('fail');
    const failed = await harness.api.run({ action: 'store', today: DAY2 });
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('WRITE_FAILED');
    expect(failed.error?.message).toContain('SCSI error on write(16,16): [3 0C 00] Write error');
    expect(failed.error?.message).toContain('libburn indicates failure with writing');
    expect(failed.error?.message).toMatch(/run .*again/);
    expect(harness.stored(DAY2)).toBe(false);
    expect(await sha256(harness.image)).toBe(before);

    await inject('');
    const retried = await harness.api.run({ action: 'store', today: DAY2 });
    expect(retried).toMatchObject({ status: 'succeeded', verify: { ok: true } });
    expect(harness.stored(DAY2)).toBe(true);
    expect(await isoPaths(harness.image)).toContain('2026/11/25/var/log/syslog');
  });

  it('xorriso hangs during the write: stopped with its helpers at timeouts.write, and the error says so', async () => {
    await installXorrisoWrapper();
    harness = await startHarness(base, { searchPath: programs.path, timeouts: { write: WRITE_LIMIT_SECONDS } });
    const before = await firstStore(harness);
    await harness.stage(DAY2, { 'var/log/syslog': 'night two\n' });

    await inject('hang');
    const failed = await harness.api.run({ action: 'store', today: DAY2 });
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('WRITE_FAILED');
    expect(failed.error?.message).toMatch(
      new RegExp(
        `^xorriso hung: it ran longer than ${WRITE_LIMIT_SECONDS} s, the write time limit \\(timeouts\\.write in agent\\.yaml\\)`,
      ),
    );
    expect(failed.error?.message).toContain('Nothing was marked stored');
    // The helper it started was in its process group: it is gone too.
    const helper = Number(await readFile(join(base, 'helper.pid'), 'utf8'));
    await until(() => !alive(helper), `the hung program's helper ${helper} is stopped`, 30_000);
    expect(harness.stored(DAY2)).toBe(false);
    expect(await sha256(harness.image)).toBe(before);

    await inject('');
    const retried = await harness.api.run({ action: 'store', today: DAY2 });
    expect(retried).toMatchObject({ status: 'succeeded', verify: { ok: true } });
    expect(harness.stored(DAY2)).toBe(true);
  });

  it('xorriso is not installed: TOOL_MISSING naming the Debian package, nothing written, works once installed', async () => {
    harness = await startHarness(base, { searchPath: programs.path });
    const before = await firstStore(harness);
    await harness.stage(DAY2, { 'var/log/syslog': 'night two\n' });

    faults++;
    await programs.remove('xorriso');
    const failed = await harness.api.run({ action: 'store', today: DAY2 });
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('TOOL_MISSING');
    expect(failed.error?.message).toContain('xorriso is not installed on this agent');
    expect(failed.error?.message).toContain('apt-get install xorriso');
    expect(harness.stored(DAY2)).toBe(false);
    expect(await sha256(harness.image)).toBe(before);

    await programs.link('xorriso');
    const retried = await harness.api.run({ action: 'store', today: DAY2 });
    expect(retried).toMatchObject({ status: 'succeeded', verify: { ok: true } });
    expect(harness.stored(DAY2)).toBe(true);
  });
});
