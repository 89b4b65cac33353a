// The manifest of every day written and `find` over it (docs/manifest-and-find.md), through the
// real agent and controller on virtual media written by real xorriso. The manifest is checked
// against the disc with plain `sha256sum -c` on a fuseiso mount, not with project code. The
// agent's frame limit is set small, so a day's manifest comes over in several pages.
import { execa } from 'execa';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBurnerWrapper, type BurnerWrapper } from '../support/e2e/burner-wrapper.js';
import { expectedDiscFiles, withMountedDisc } from '../support/e2e/disc-reader.js';
import { E2E_API_TOKEN, startE2eStack, type E2eStack } from '../support/e2e/e2e-stack.js';
import { nightFiles, textOf } from '../support/e2e/nightly-data.js';

const VERIFIED = 'burner-1/dvd0';
const NO_READ_BACK = 'burner-1/dvd1';
const WEDNESDAY = '2026-11-25';
const THURSDAY = '2026-11-26';
const FRIDAY = '2026-11-27';
/** Files beyond the night's few: their records fill several 8 KiB pages. */
const MANY = 180;

let wrapper: BurnerWrapper;
let stack: E2eStack;

beforeAll(async () => {
  wrapper = await createBurnerWrapper();
  stack = await startE2eStack({
    agents: [
      {
        id: 'burner-1',
        devices: [
          { id: 'dvd0', mediaType: 'dvd+rw' },
          { id: 'dvd1', mediaType: 'dvd+rw' },
        ],
      },
    ],
    agentPathPrefix: [wrapper.dir],
    policy: { checkData: true },
    devicePolicies: { [NO_READ_BACK]: { checkData: false } },
    // A page of the agent's manifest stays within half the frame limit (at least 8 KiB).
    agentLimits: { maxFrameBytes: 4096 },
  });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  await wrapper?.remove();
});

const dayFiles = (day: string) => {
  const files: Record<string, string> = {
    ...nightFiles(day),
    'docs/report.txt': textOf(`report ${day}`, 20_000),
    'docs/empty.txt': '',
  };
  for (let i = 0; i < MANY; i += 1) files[`many/part-${String(i).padStart(4, '0')}.txt`] = `part ${i} of ${day}\n`;
  return files;
};

type Found = {
  day: string;
  path: string;
  disc: { id: number; device: string };
  session: { position: number; verified?: boolean };
};
/** What the manifest and files routes answer, as far as these tests look. */
type Answer = {
  days: unknown[];
  files: Found[];
  nextCursor: string | null;
  error: { code: string; message: string };
};

async function api(path: string): Promise<{ status: number; body: Answer }> {
  const response = await fetch(`${stack.url}${path}`, { headers: { authorization: `Bearer ${E2E_API_TOKEN}` } });
  return { status: response.status, body: (await response.json()) as Answer };
}

/** `sha256sum -c` of the manifest, run from the top of the mounted disc. */
async function checkOnDisc(image: string, manifest: string): Promise<{ exitCode: number; stdout: string }> {
  const list = join(stack.base, `manifest-${Date.now()}.sha256`);
  await writeFile(list, manifest);
  return withMountedDisc(image, async (mountPoint) => {
    const result = await execa('sha256sum', ['-c', '--strict', list], { cwd: mountPoint, reject: false });
    return { exitCode: result.exitCode ?? -1, stdout: result.stdout };
  });
}

describe('manifest and find', { timeout: 240_000 }, () => {
  it('a store with verify records every file of the day, and plain sha256sum -c passes on the disc', async () => {
    await stack.stage(WEDNESDAY, dayFiles(WEDNESDAY));
    const store = await stack.cliRun(['store', '--device', VERIFIED, '--today', WEDNESDAY]);
    expect(store.code, store.stderr).toBe(0);
    const onDisc = Object.keys(await expectedDiscFiles(stack.stagingRoot('burner-1'), [WEDNESDAY]));
    expect(store.run.manifest).toEqual({ days: 1, files: onDisc.length, source: 'verify' });

    const printed = await stack.cli(['manifest', '--disc', '1']);
    expect(printed.code, printed.stderr).toBe(0);
    const lines = printed.stdout.trim().split('\n');
    expect(lines.map((line) => line.slice(66)).sort()).toEqual(onDisc.sort());
    expect(lines).toContain(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  2026/11/25/docs/empty.txt',
    );

    const checked = await checkOnDisc(stack.image(VERIFIED), printed.stdout);
    expect(checked.exitCode, checked.stdout).toBe(0);
    expect(checked.stdout.split('\n').filter((line) => line.endsWith(': OK'))).toHaveLength(onDisc.length);
  });

  it('the API pages through a day of more files than one page, each file once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const { status, body } = await api(`/api/v1/discs/1/manifest${query}`);
      expect(status).toBe(200);
      expect(body.days).toEqual([
        expect.objectContaining({ day: WEDNESDAY, session: expect.objectContaining({ position: 1, verified: true }) }),
      ]);
      seen.push(...body.files.map((file) => file.path));
      cursor = body.nextCursor;
      pages += 1;
    } while (cursor !== null);
    expect(pages).toBeGreaterThan(3);
    expect(new Set(seen).size).toBe(seen.length);
    const onDisc = await expectedDiscFiles(stack.stagingRoot('burner-1'), [WEDNESDAY]);
    expect(seen.sort()).toEqual(Object.keys(onDisc).sort());
  });

  it('find names the disc, session and day that hold a file', async () => {
    const found = await stack.cli(['find', 'report.txt', '--json']);
    expect(found.code, found.stderr).toBe(0);
    const rows = found.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(rows).toEqual([
      expect.objectContaining({
        day: WEDNESDAY,
        path: '2026/11/25/docs/report.txt',
        size: 20_000,
        disc: expect.objectContaining({ id: 1, device: VERIFIED }),
        session: expect.objectContaining({ position: 1, verified: true }),
      }),
    ]);
    const table = await stack.cli(['find', 'many/part-001?.txt', '--day', WEDNESDAY]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain('2026/11/25/many/part-0010.txt');
    expect(table.stdout).toContain('verified');
    expect(table.stdout.trim().split('\n')).toHaveLength(11);
  });

  it('a verify that fails records no manifest for the day it wrote', async () => {
    await stack.stage(THURSDAY, dayFiles(THURSDAY));
    await wrapper.corruptNextWrite('2026/11/26/docs/report.txt');
    const store = await stack.cliRun(['store', '--device', VERIFIED, '--today', THURSDAY]);
    expect(store.code).toBe(1);
    expect(store.stderr).toContain('VERIFY_FAILED');
    expect(store.run.manifest).toBeUndefined();

    const printed = await stack.cli(['manifest', '--disc', '1', '--day', THURSDAY]);
    expect(printed.code).toBe(1);
    expect(printed.stderr).toContain('has no manifest');
    const found = await stack.cli(['find', 'report.txt', '--since', THURSDAY, '--json']);
    expect(found.code).toBe(1);
    expect(found.stdout).toBe('');
  });

  it('a store with checkData off still records a manifest, from the staging files', async () => {
    await stack.stage(FRIDAY, dayFiles(FRIDAY));
    const store = await stack.cliRun(['store', '--device', NO_READ_BACK, '--today', FRIDAY]);
    expect(store.code, store.stderr).toBe(0);
    expect(store.run.verify).toBeUndefined();
    const onDisc = Object.keys(await expectedDiscFiles(stack.stagingRoot('burner-1'), [FRIDAY]));
    expect(store.run.manifest).toEqual({ days: 1, files: onDisc.length, source: 'staging' });

    const { body } = await api('/api/v1/files?glob=report.txt');
    expect(body.files.map((file) => [file.day, file.disc.device])).toEqual([
      [FRIDAY, NO_READ_BACK],
      [WEDNESDAY, VERIFIED],
    ]);
    const discId = body.files[0]!.disc.id;
    expect(body.files[0]!.session.verified).toBeUndefined();
    const printed = await stack.cli(['manifest', '--disc', String(discId)]);
    expect(printed.code, printed.stderr).toBe(0);
    const checked = await checkOnDisc(stack.image(NO_READ_BACK), printed.stdout);
    expect(checked.exitCode, checked.stdout).toBe(0);
  });

  it('a bad glob is refused naming the problem: exit 2 from the CLI, 400 from the API', async () => {
    const cli = await stack.cli(['find', 'docs/[abc']);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain('INVALID_REQUEST');
    expect(cli.stderr).toContain('has no closing "]"');
    const { status, body } = await api(`/api/v1/files?glob=${encodeURIComponent('a**b/c')}`);
    expect(status).toBe(400);
    expect(body.error.message).toContain('"**" must be a whole path component');
  });
});
