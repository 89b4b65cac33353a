// The controller SIGKILLed during each step of a store, on the real stack: held at the step by
// a wrapper program on the agent, so the kill lands there every time. After the restart no
// run is left `running`, no day has a store indicator without a verified disc, what the
// agent's journal knows of a write or verify in flight is recorded on the run, and the next
// store writes the right day, read back from the image by xorriso itself.
import { mkdir, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Run } from '@cedar-store/ports';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVICE, FaultStack } from '../support/fault-stack.js';
import { isoPaths } from '../support/iso-inspector.js';

let stack: FaultStack;

beforeAll(async () => {
  stack = await FaultStack.start('kill-controller');
  // A disc with a session on it: reading a blank image's status runs no program, so nothing could be held there.
  await stack.stageDay('2026-11-30', { 'first.txt': 'the first night\n' });
  expect((await stack.api.run({ action: 'store', device: DEVICE, today: '2026-11-30' })).status).toBe('succeeded');
}, 180_000);

afterAll(async () => {
  if (stack) console.info(`kill-controller: ${stack.injected} faults injected (controller and agent SIGKILLs)`);
  await stack?.stop();
});

async function groupGone(pid: number): Promise<void> {
  for (;;) {
    try {
      process.kill(-pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Restarts the controller and checks what a user must find right away. */
async function restartController(runId: string): Promise<Run> {
  await stack.startController();
  const run = await stack.api.get(runId);
  expect(run.status).toBe('interrupted');
  // Until the agent's journal settles the operation, the run says the controller stopped; once
  // the restarted controller reaches the agent (it may before this read), the outcome says more.
  const settled = run.operation !== undefined && run.operation.state !== 'running';
  if (!settled) expect(run.error?.message).toMatch(/the controller stopped while this run was running/);
  expect(await stack.runningRuns()).toEqual([]);
  await stack.api.waitConnected(60_000);
  return run;
}

/** The next store writes the day, verifies it and marks it stored. */
async function nextStoreWrites(day: string, file: string): Promise<void> {
  const next = await stack.api.run({ action: 'store', device: DEVICE, today: day });
  expect(next.status, JSON.stringify(next.error)).toBe('succeeded');
  expect(next.selection?.days).toEqual([day]);
  expect(next.verify?.ok).toBe(true);
  expect(stack.stored(day)).toBe(true);
  expect(await isoPaths(stack.image)).toContain(`${day.replaceAll('-', '/')}/${file}`);
}

describe('the controller killed during each step of a store', { timeout: 180_000 }, () => {
  it.each([
    { step: 'checkMedia (media status)', day: '2026-12-01', pattern: '-toc' },
    // Far from the limit the image bound stands for the measurement and no xorriso runs: the
    // day is made near the limit (sparse files, nothing read) so the estimate measures it.
    { step: 'estimate', day: '2026-12-02', pattern: '-print_size', nearTheLimit: true },
  ])(
    'during $step: interrupted, nothing written, and the next store writes the day',
    async ({ day, pattern, nearTheLimit }) => {
      const dayDir = await stack.stageDay(day, { 'notes.txt': `night of ${day}\n` });
      const sparse = nearTheLimit ? [join(dayDir, 'sparse-1.bin'), join(dayDir, 'sparse-2.bin')] : [];
      for (const path of sparse) {
        await writeFile(path, '');
        await truncate(path, 2_250_000_000);
      }
      await stack.holds.arm('xorriso', 'step', pattern);
      const run = await stack.api.submit({ action: 'store', device: DEVICE, today: day });
      const held = await stack.holds.waitHeld('xorriso', 'step');
      await stack.killController();
      await stack.holds.release('xorriso', 'step');
      await groupGone(held);

      const interrupted = await restartController(run.id);
      expect(interrupted.error?.message).toMatch(/nothing was written to the disc/);
      expect(interrupted.operation).toBeUndefined();
      expect(stack.stored(day)).toBe(false);
      for (const path of sparse) await rm(path);
      await nextStoreWrites(day, 'notes.txt');
    },
  );

  it.each([
    // A Monday starts the week: a new disc, which on rewritable media means blanking the old one first.
    { step: 'write of a new disc (blank and write)', day: '2026-12-07', newDisc: true },
    { step: 'write of an appended session', day: '2026-12-08', newDisc: false },
  ])(
    'during the $step: the journal tells the write finished; no indicator until a store verifies it',
    async ({ day, newDisc }) => {
      await stack.stageDay(day, { 'notes.txt': `night of ${day}\n`, 'blob.bin': { size: 128 * 1024 } });
      await stack.holds.arm('xorriso', 'write', '-commit');
      const run = await stack.api.submit({ action: 'store', device: DEVICE, today: day });
      await stack.holds.waitHeld('xorriso', 'write');
      await stack.killController();
      await stack.holds.release('xorriso', 'write');
      // The agent finishes the write on its own and journals it.
      expect((await stack.operationSettled(`${run.id}:write`)).state).toBe('succeeded');

      await restartController(run.id);
      const learned = await stack.runUntil(run.id, (r) => r.operation?.state !== 'running');
      expect(learned.operation).toMatchObject({ opId: `${run.id}:write`, method: 'media.write', state: 'succeeded' });
      expect(learned.operation?.learnedAt).toBeDefined();
      expect(learned.write?.bytesWritten).toBeGreaterThan(0);
      expect(learned.blanking?.newDisc).toBe(newDisc);
      // Written is not stored: the run stays interrupted and says what happens next.
      expect(learned.status).toBe('interrupted');
      expect(learned.error?.message).toMatch(
        /write of .* finished .* still waits? in staging: run cedar-store store again today/,
      );
      expect(learned.warnings.map((w) => w.code)).toContain('OPERATION_OUTCOME');
      expect(stack.stored(day)).toBe(false);
      await nextStoreWrites(day, 'notes.txt');
    },
  );

  it('during the verify: the journal has the report, still no indicator; the next store writes the day', async () => {
    const day = '2026-12-09';
    await stack.stageDay(day, { 'notes.txt': `night of ${day}\n` });
    await stack.holds.arm('fuseiso', 'verify', stack.image);
    const run = await stack.api.submit({ action: 'store', device: DEVICE, today: day });
    await stack.holds.waitHeld('fuseiso', 'verify');
    await stack.killController();
    await stack.holds.release('fuseiso', 'verify');
    expect((await stack.operationSettled(`${run.id}:verify`)).state).toBe('succeeded');

    await restartController(run.id);
    const learned = await stack.runUntil(run.id, (r) => r.operation?.state !== 'running');
    expect(learned.operation).toMatchObject({ opId: `${run.id}:verify`, state: 'succeeded' });
    expect(learned.verify?.ok).toBe(true);
    expect(learned.status).toBe('interrupted');
    expect(learned.error?.message).toMatch(/read back identical, but .* store indicator/);
    expect(stack.stored(day)).toBe(false);
    await nextStoreWrites(day, 'notes.txt');
  });

  it('both killed during a write, both restarted: the run learns the outcome is unknown once the orphaned write exits', async () => {
    const day = '2026-12-11';
    await stack.stageDay(day, { 'notes.txt': `night of ${day}\n` });
    await stack.holds.arm('xorriso', 'write', '-commit');
    const run = await stack.api.submit({ action: 'store', device: DEVICE, today: day });
    const held = await stack.holds.waitHeld('xorriso', 'write');
    await stack.programRecorded(`${run.id}:write`, held);
    await stack.killController();
    await stack.killAgent();
    await stack.startAgent();

    const interrupted = await restartController(run.id);
    expect(interrupted.error?.message).toMatch(/asks agent burner-1 how media\.write .* ended/);
    // The orphaned write still runs: the agent's journal says so, and the run keeps waiting to know.
    expect((await stack.operation(`${run.id}:write`))?.state).toBe('running');
    expect((await stack.api.get(run.id)).operation?.state).toBe('running');

    await stack.holds.release('xorriso', 'write');
    const learned = await stack.runUntil(run.id, (r) => r.operation?.state !== 'running');
    expect(learned.operation?.state).toBe('unknown');
    expect(learned.status).toBe('interrupted');
    expect(learned.error?.message).toMatch(/outcome of media\.write is unknown/);
    expect(stack.stored(day)).toBe(false);
    await nextStoreWrites(day, 'notes.txt');
  });

  it('during the blank of an initialize: the journal tells it finished, so the run succeeds and the catalog has the disc', async () => {
    // The xorriso-backend device on an image file: initialize blanks it with xorriso, which can be held.
    await mkdir(join(stack.base, 'seed'), { recursive: true });
    await writeFile(join(stack.base, 'seed', 'old.txt'), 'last rotation\n');
    await execa('xorriso', ['-outdev', stack.xorrisoImage, '-map', join(stack.base, 'seed'), '/old', '-commit']);
    await stack.holds.arm('xorriso', 'blank', '-blank as_needed');
    const run = await stack.api.submit({ action: 'initialize', device: 'burner-1/xdvd0' });
    await stack.holds.waitHeld('xorriso', 'blank');
    await stack.killController();
    await stack.holds.release('xorriso', 'blank');
    expect((await stack.operationSettled(`${run.id}:initialize`)).state).toBe('succeeded');

    await restartController(run.id);
    const learned = await stack.runUntil(run.id, (r) => r.operation?.state !== 'running');
    expect(learned.status).toBe('succeeded');
    expect(learned.error).toBeUndefined();
    const media = (await stack.api.request('GET', '/api/v1/media')).body as {
      discs: Array<{ device: string; label: string }>;
    };
    expect(media.discs.find((disc) => disc.device === 'burner-1/xdvd0')?.label).toBe(learned.image?.label);
    const paths = await isoPaths(stack.xorrisoImage);
    expect(paths).toContain('CedarBackup/');
    expect(paths).not.toContain('old/old.txt');
  });

  it('during the store indicator: whatever got written, no indicator stands without a verified disc', async () => {
    const day = '2026-12-10';
    await stack.stageDay(day, { 'notes.txt': `night of ${day}\n` });
    const run = await stack.api.submit({ action: 'store', device: DEVICE, today: day });
    await stack.waitForEvent(
      run.id,
      (event) => event.type === 'step' && event.step === 'storeIndicator' && event.state === 'started',
    );
    await stack.killController();
    await stack.startController();
    const after = await stack.api.get(run.id);
    expect(await stack.runningRuns()).toEqual([]);
    // The kill may land just before or just after the indicators were written: either way the
    // run verified the disc before any indicator was written.
    expect(['interrupted', 'succeeded']).toContain(after.status);
    expect(after.verify?.ok).toBe(true);
    await stack.api.waitConnected(60_000);
    if (!stack.stored(day)) await nextStoreWrites(day, 'notes.txt');
    expect(stack.stored(day)).toBe(true);
    expect(await isoPaths(stack.image)).toContain('2026/12/10/notes.txt');
  });
});
