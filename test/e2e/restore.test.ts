// Restoring a day from its disc (docs/restoring.md), through the real agent and controller on
// virtual media written by real xorriso. The staging days are deleted first, so everything
// restored comes from the disc; restored files are compared with plain `sha256sum`, not with
// project code. Also: another disc in the drive (WRONG_DISC), bad and non-empty targets, a
// symlink out of the day, and --path.
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { lstat, mkdir, readdir, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2E_API_TOKEN, startE2eStack, type E2eStack } from '../support/e2e/e2e-stack.js';
import { nightFiles, textOf } from '../support/e2e/nightly-data.js';
import { flipByteOf } from '../support/iso-inspector.js';

const DEVICE = 'burner-1/dvd0';
const WEDNESDAY = '2026-11-25';
const THURSDAY = '2026-11-26';

let stack: E2eStack;
/** `sha256sum` lines of each staged day, taken before the staging days are deleted. */
const stagedSums: Record<string, string> = {};
let restoreRoot: string;
/** A directory outside every target that a symlink on the disc points at: it must stay empty. */
let canary: string;

const dayPath = (day: string): string[] => day.split('-');

/** `sha256sum` of every regular file under `dir` (but the store indicator, which a store writes after the disc), sorted. */
async function sums(dir: string): Promise<string> {
  const listed = await execa('find', ['.', '-type', 'f', '-not', '-name', 'cback.store'], { cwd: dir });
  const files = listed.stdout.split('\n').filter(Boolean).sort();
  const summed = await execa('sha256sum', ['--', ...files], { cwd: dir });
  return summed.stdout;
}

async function post(body: unknown): Promise<{ status: number; body: { error?: { code: string; message: string } } }> {
  const response = await fetch(`${stack.url}/api/v1/runs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${E2E_API_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as never };
}

const targets = async (): Promise<string[]> => (existsSync(restoreRoot) ? (await readdir(restoreRoot)).sort() : []);

beforeAll(async () => {
  stack = await startE2eStack({ policy: { checkData: true } });
  restoreRoot = join(stack.base, 'burner-1', 'work', 'restore');
  canary = join(stack.base, 'canary');
  await mkdir(canary);
  await stack.stage(WEDNESDAY, {
    ...nightFiles(WEDNESDAY),
    'docs/report.txt': textOf('report', 20_000),
    'docs/empty.txt': '',
    'docs/notes.md': 'notes\n',
    // Names whose path order differs from their order by directory and from UTF-16 order.
    'docs/a-b.txt': 'a-b\n',
    'docs/a/b.txt': 'a/b\n',
    'docs/B.txt': 'B\n',
    'docs/\u{1F600}.txt': 'astral\n',
    'docs/\uFF21.txt': 'fullwidth\n',
  });
  const thursday = await stack.stage(THURSDAY, nightFiles(THURSDAY));
  await mkdir(join(thursday, 'links'));
  await symlink('/etc', join(thursday, 'links', 'etc'));
  await symlink(canary, join(thursday, 'links', 'canary'));
  for (const day of [WEDNESDAY, THURSDAY]) {
    const store = await stack.cliRun(['store', '--today', day]);
    expect(store.code, store.stderr).toBe(0);
    expect(store.run.manifest?.files).toBeGreaterThan(0);
    stagedSums[day] = await sums(stack.dayDir(day));
  }
  await rm(join(stack.stagingRoot('burner-1'), '2026'), { recursive: true });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

describe('restore', { timeout: 120_000 }, () => {
  it('reproduces every file of a day, byte for byte, from the disc alone', async () => {
    const restore = await stack.cliRun(['restore', '--day', WEDNESDAY, '--to', 'wed']);
    expect(restore.code, restore.stderr).toBe(0);
    const target = join(restoreRoot, 'wed');
    expect(await sums(join(target, ...dayPath(WEDNESDAY)))).toBe(stagedSums[WEDNESDAY]);
    const files = stagedSums[WEDNESDAY]!.split('\n').length;
    expect(restore.run.restore).toMatchObject({
      day: WEDNESDAY,
      disc: { id: 1, session: 1 },
      target,
      files,
      manifest: true,
      checked: files,
      mismatchCount: 0,
    });

    const human = await stack.cli(['runs', restore.run.id]);
    expect(human.stdout).toContain(`into ${target} on the agent's host`);
    expect(human.stdout).toContain(`checked: ${files} files match the manifest's SHA-256`);
  });

  it('restores a symlink on the disc as a symlink and writes nothing through it', async () => {
    for (const force of [false, true]) {
      const restore = await stack.cliRun(['restore', '--day', THURSDAY, '--to', 'thu', ...(force ? ['--force'] : [])]);
      expect(restore.code, restore.stderr).toBe(0);
      expect(restore.run.restore).toMatchObject({ disc: { session: 2 }, symlinks: 2, mismatchCount: 0 });
    }
    const links = join(restoreRoot, 'thu', ...dayPath(THURSDAY), 'links');
    expect((await lstat(join(links, 'etc'))).isSymbolicLink()).toBe(true);
    expect(await readlink(join(links, 'etc'))).toBe('/etc');
    expect(await readlink(join(links, 'canary'))).toBe(canary);
    expect(await readdir(canary)).toEqual([]);
    expect(await sums(join(restoreRoot, 'thu', ...dayPath(THURSDAY)))).toBe(stagedSums[THURSDAY]);
  });

  it('with --path restores only the files the globs match', async () => {
    const restore = await stack.cliRun(['restore', '--day', WEDNESDAY, '--path', 'docs/*.txt', '--to', 'wed-docs']);
    expect(restore.code, restore.stderr).toBe(0);
    const day = join(restoreRoot, 'wed-docs', ...dayPath(WEDNESDAY));
    const listed = await execa('find', ['.', '-type', 'f'], { cwd: day });
    const expected = ['empty', 'report', 'a-b', 'B', '\u{1F600}', '\uFF21'].map((name) => `./docs/${name}.txt`);
    expect(listed.stdout.split('\n').sort()).toEqual(expected.sort());
    expect(restore.run.restore).toMatchObject({ files: 6, checked: 6, mismatchCount: 0 });
  });

  it('refuses a non-empty target without --force, changing nothing in it', async () => {
    const before = await sums(join(restoreRoot, 'wed'));
    const restore = await stack.cliRun(['restore', '--day', THURSDAY, '--to', 'wed']);
    expect(restore.code).toBe(1);
    expect(restore.run.error?.code).toBe('INVALID_REQUEST');
    expect(restore.stderr).toContain('is not empty');
    expect(restore.stderr).toContain('--force');
    expect(await sums(join(restoreRoot, 'wed'))).toBe(before);
    expect(existsSync(join(restoreRoot, 'wed', ...dayPath(THURSDAY)))).toBe(false);
  });

  it('refuses targets that are not one plain name, writing nothing: exit 2 and 400', async () => {
    const before = await targets();
    for (const name of ['../x', 'a/b']) {
      const cli = await stack.cli(['restore', '--day', WEDNESDAY, '--to', name]);
      expect(cli.code, cli.stderr).toBe(2);
      expect(cli.stderr).toContain('holds "/"');
      const api = await post({ action: 'restore', day: WEDNESDAY, target: name });
      expect(api.status).toBe(400);
      expect(api.body.error?.message).toContain('target: holds "/": it must be one directory name');
    }
    expect(await targets()).toEqual(before);
    expect(existsSync(join(stack.base, 'burner-1', 'work', 'x'))).toBe(false);
  });

  it('fails WRONG_DISC naming the disc to insert when another disc is in the drive, writing nothing', async () => {
    const image = stack.image(DEVICE);
    const other = join(stack.base, 'other');
    await mkdir(join(other, 'data'), { recursive: true });
    await writeFile(join(other, 'data', 'file'), 'other\n');
    const otherImage = join(other, 'other.iso');
    await execa('xorriso', [
      '-outdev',
      otherImage,
      '-volid',
      'CEDAR BACKUP 01-DEC-2026',
      '-map',
      join(other, 'data'),
      '/2026/12/01',
    ]);
    await rename(image, `${image}.ours`);
    await rename(otherImage, image);
    try {
      const restore = await stack.cliRun(['restore', '--day', WEDNESDAY, '--to', 'wrong']);
      expect(restore.code).toBe(1);
      expect(restore.run.error?.code).toBe('WRONG_DISC');
      expect(restore.run.error?.message).toContain('"CEDAR BACKUP 01-DEC-2026"');
      expect(restore.run.error?.message).toMatch(/insert the disc 1 labelled "CEDAR BACKUP 26-NOV-2026" \(session 1/);
      expect(restore.stderr).toContain('WRONG_DISC');
      expect(existsSync(join(restoreRoot, 'wrong'))).toBe(false);
    } finally {
      await rename(`${image}.ours`, image);
    }
  });

  it('fails naming a file the disc no longer gives back as recorded, leaving the restored files in place', async () => {
    await flipByteOf(stack.image(DEVICE), '2026/11/25/docs/report.txt');
    const restore = await stack.cliRun(['restore', '--day', WEDNESDAY, '--to', 'damaged']);
    expect(restore.code).toBe(1);
    expect(restore.run.error?.code).toBe('VERIFY_FAILED');
    expect(restore.stderr).toContain('differ from the manifest: 2026/11/25/docs/report.txt');
    expect(restore.run.restore?.mismatches).toEqual([{ path: '2026/11/25/docs/report.txt', kind: 'content' }]);
    const day = join(restoreRoot, 'damaged', ...dayPath(WEDNESDAY));
    const lines = (await sums(day)).split('\n');
    const staged = stagedSums[WEDNESDAY]!.split('\n');
    expect(lines.filter((line) => !staged.includes(line))).toEqual([expect.stringMatching(/docs\/report\.txt$/)]);
    expect(lines).toHaveLength(staged.length);
  });
});
