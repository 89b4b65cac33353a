// A disc that does not read back as it was written: a byte flipped inside a file's data on the
// image (found with `xorriso -find … -exec report_lba`). `cedar-store verify` must fail naming
// the file, and a store whose read-back (checkData) meets such a disc must leave no store
// indicator, so a store run again that night (or a rebuild) writes the day again. The silent bad burn is played by a
// test-only `xorriso` on the agent's PATH that runs the real one, then damages its output.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBurnerWrapper, type BurnerWrapper } from '../support/e2e/burner-wrapper.js';
import { digestDisc, discDays, discSessions, expectedDiscFiles } from '../support/e2e/disc-reader.js';
import { startE2eStack, type E2eStack } from '../support/e2e/e2e-stack.js';
import { nightFiles, textOf } from '../support/e2e/nightly-data.js';
import { flipByteOf } from '../support/iso-inspector.js';

const DEVICE = 'burner-1/dvd0';
const WEDNESDAY = '2026-11-25';
const THURSDAY = '2026-11-26';

let wrapper: BurnerWrapper;
let stack: E2eStack;

beforeAll(async () => {
  wrapper = await createBurnerWrapper();
  stack = await startE2eStack({ agentPathPrefix: [wrapper.dir], policy: { checkData: true } });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  await wrapper?.remove();
});

const withReport = (day: string) => ({ ...nightFiles(day), 'docs/report.txt': textOf(`report ${day}`, 20_000) });

describe('a damaged disc', { timeout: 180_000 }, () => {
  it('verify --day passes on the disc as written, then fails with VERIFY_FAILED naming the damaged file', async () => {
    await stack.stage(WEDNESDAY, withReport(WEDNESDAY));
    expect((await stack.cliRun(['store', '--today', WEDNESDAY])).code).toBe(0);

    const good = await stack.cliRun(['verify', '--day', WEDNESDAY]);
    expect(good.code, good.stderr).toBe(0);
    expect(good.run.verify).toMatchObject({ ok: true, mismatches: [] });

    const image = stack.image(DEVICE);
    await flipByteOf(image, '2026/11/25/docs/report.txt');
    const bad = await stack.cliRun(['verify', '--day', WEDNESDAY]);

    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('VERIFY_FAILED');
    expect(bad.stderr).toContain('2026/11/25/docs/report.txt');
    const recorded = await stack.recordedRun(bad.run.id);
    expect(recorded.error?.code).toBe('VERIFY_FAILED');
    expect(recorded.verify?.mismatches).toEqual([{ path: '2026/11/25/docs/report.txt', kind: 'content' }]);

    // fuseiso sees the same single difference.
    const onDisc = await digestDisc(image);
    const staged = await expectedDiscFiles(stack.stagingRoot('burner-1'), [WEDNESDAY]);
    const differing = Object.keys(staged).filter((path) => onDisc[path] !== staged[path]);
    expect(differing).toEqual(['2026/11/25/docs/report.txt']);
  });

  it('a store whose read-back meets a bad burn fails with VERIFY_FAILED and leaves no store indicator', async () => {
    await stack.stage(THURSDAY, withReport(THURSDAY));
    await wrapper.corruptNextWrite('2026/11/26/docs/report.txt');
    const result = await stack.cliRun(['store', '--today', THURSDAY]);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('VERIFY_FAILED');
    const recorded = await stack.recordedRun(result.run.id);
    expect(recorded.error?.code).toBe('VERIFY_FAILED');
    expect(recorded.error?.message).toContain('2026/11/26/docs/report.txt');
    expect(recorded.write?.sessions).toBe(2);
    expect(recorded.verify?.mismatches).toEqual([{ path: '2026/11/26/docs/report.txt', kind: 'content' }]);
    expect(stack.isStored(THURSDAY)).toBe(false);

    // The session is on the disc, and it really is damaged.
    const image = stack.image(DEVICE);
    expect(await discSessions(image)).toHaveLength(2);
    const onDisc = await digestDisc(image);
    const staged = await expectedDiscFiles(stack.stagingRoot('burner-1'), [THURSDAY]);
    expect(onDisc['2026/11/26/docs/report.txt']).not.toBe(staged['2026/11/26/docs/report.txt']);
  });

  it('storing again the same night writes the day again; this time it reads back identical and is marked stored', async () => {
    const result = await stack.cliRun(['store', '--today', THURSDAY]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.run.selection).toMatchObject({ days: [THURSDAY], rule: 'today' });
    expect(result.run.verify).toMatchObject({ ok: true, mismatches: [] });
    expect(stack.isStored(THURSDAY)).toBe(true);

    const image = stack.image(DEVICE);
    expect(await discSessions(image)).toHaveLength(3);
    expect(await discDays(image)).toEqual([WEDNESDAY, THURSDAY]);
    const onDisc = await digestDisc(image);
    const staged = await expectedDiscFiles(stack.stagingRoot('burner-1'), [THURSDAY]);
    for (const [path, sha] of Object.entries(staged)) expect(onDisc[path], path).toBe(sha);
  });
});
