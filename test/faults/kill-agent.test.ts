// The agent SIGKILLed in the middle of a write, a verify and a blank, on the real stack. The
// burner program a killed agent started runs on in its own process group, so the restarted
// agent must keep the device busy until it exits, and then say the outcome is unknown: nobody
// saw how it ended. The controller must not call such a night stored, and the next store must
// write the day again, read back from the image by xorriso itself.
import { execa } from 'execa';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVICE, FaultStack } from '../support/fault-stack.js';
import { isoPaths } from '../support/iso-inspector.js';

let stack: FaultStack;

beforeAll(async () => {
  stack = await FaultStack.start('kill-agent');
}, 180_000);

afterAll(async () => {
  // Faults injected by this suite, for the closing note of the issue.
  if (stack) console.info(`kill-agent: ${stack.injected} faults injected (agent SIGKILLs)`);
  await stack?.stop();
});

describe('the agent killed mid-operation', { timeout: 180_000 }, () => {
  it('during a write: the device stays busy while the orphaned write runs, the outcome is unknown, no indicator; the next store writes the day', async () => {
    const day = '2026-11-24';
    await stack.stageDay(day, { 'notes.txt': 'night of the 24th\n', 'data/blob.bin': { size: 256 * 1024 } });
    await stack.holds.arm('xorriso', 'write', '-commit');
    const run = await stack.api.submit({ action: 'store', device: DEVICE, today: day });
    const held = await stack.holds.waitHeld('xorriso', 'write');
    await stack.programRecorded(`${run.id}:write`, held);

    await stack.killAgent();
    await stack.startAgent();

    // The write the killed agent started is still running: the new agent refuses the device.
    const client = await stack.rpc();
    const busy = await client.call('media.write', {
      device: 'dvd0',
      days: [day],
      label: 'CEDAR BACKUP 24-NOV-2026',
      newDisc: false,
      opId: 'fault-test:write',
    });
    await client.close();
    expect(busy.error?.data?.code).toBe('DEVICE_BUSY');
    expect(busy.error?.message).toMatch(/earlier media\.write .*still running from before this agent restarted/);
    expect((await stack.operation(`${run.id}:write`))?.state).toBe('running');
    // The controller waits to learn the outcome instead of guessing.
    expect((await stack.api.get(run.id)).status).toBe('running');

    await stack.holds.release('xorriso', 'write');
    const lost = await stack.api.wait(run.id);
    expect(lost.status).toBe('failed');
    expect(lost.error?.code).toBe('AGENT_LOST');
    expect(lost.error?.message).toMatch(/outcome is unknown/);
    expect(lost.operation).toMatchObject({ opId: `${run.id}:write`, state: 'unknown' });
    expect(stack.stored(day)).toBe(false);
    expect(await stack.runningRuns()).toEqual([]);

    const next = await stack.api.run({ action: 'store', device: DEVICE, today: day });
    expect(next.status).toBe('succeeded');
    expect(next.selection?.days).toEqual([day]);
    expect(next.verify?.ok).toBe(true);
    expect(stack.stored(day)).toBe(true);
    expect(await isoPaths(stack.image)).toContain('2026/11/24/notes.txt');
  });

  it('during a verify: the write is known, the verify is not, so no indicator; the next store writes the day', async () => {
    const day = '2026-11-25';
    await stack.stageDay(day, { 'notes.txt': 'night of the 25th\n' });
    await stack.holds.arm('fuseiso', 'verify', stack.image);
    const run = await stack.api.submit({ action: 'store', device: DEVICE, today: day });
    const heldMount = await stack.holds.waitHeld('fuseiso', 'verify');

    await stack.killAgent();
    // The mount program dies with it here: released, it would mount with no agent left to unmount.
    process.kill(-heldMount, 'SIGKILL');
    await stack.holds.release('fuseiso', 'verify');
    await stack.startAgent();

    const lost = await stack.api.wait(run.id);
    expect(lost.status).toBe('failed');
    expect(lost.error?.code).toBe('AGENT_LOST');
    expect(lost.write?.bytesWritten).toBeGreaterThan(0);
    expect(lost.operation).toMatchObject({ opId: `${run.id}:verify`, state: 'unknown' });
    expect((await stack.operation(`${run.id}:write`))?.state).toBe('succeeded');
    expect(stack.stored(day)).toBe(false);

    const next = await stack.api.run({ action: 'store', device: DEVICE, today: day });
    expect(next.status).toBe('succeeded');
    expect(next.verify?.ok).toBe(true);
    expect(stack.stored(day)).toBe(true);
    expect(await isoPaths(stack.image)).toContain('2026/11/25/notes.txt');
  });

  it('during a blank: the journal keeps the device busy until the orphaned blank exits, then calls it unknown', async () => {
    // An xorriso-backend device on an image file: its blank runs xorriso, so it can be held.
    await mkdir(join(stack.base, 'seed'), { recursive: true });
    await writeFile(join(stack.base, 'seed', 'old.txt'), 'last week\n');
    await execa('xorriso', ['-outdev', stack.xorrisoImage, '-map', join(stack.base, 'seed'), '/old', '-commit']);
    await stack.holds.arm('xorriso', 'blank', '-blank as_needed');
    const first = await stack.rpc();
    void first.call('media.blank', { device: 'xdvd0', opId: 'fault-blank:1' });
    const held = await stack.holds.waitHeld('xorriso', 'blank');
    await stack.programRecorded('fault-blank:1', held);

    await stack.killAgent();
    await stack.startAgent();
    const client = await stack.rpc();
    try {
      expect((await stack.operation('fault-blank:1'))?.state).toBe('running');
      const busy = await client.call('media.blank', { device: 'xdvd0', opId: 'fault-blank:2' });
      expect(busy.error?.data?.code).toBe('DEVICE_BUSY');
      // The other device is not held by it.
      expect((await client.call('media.status', { device: 'dvd0' })).error).toBeUndefined();

      await stack.holds.release('xorriso', 'blank');
      const settled = await stack.operationSettled('fault-blank:1');
      expect(settled.state).toBe('unknown');
      expect(settled.error?.code).toBe('AGENT_LOST');

      const again = await client.call('media.blank', { device: 'xdvd0', opId: 'fault-blank:3' });
      expect(again.error).toBeUndefined();
      expect((await stack.operation('fault-blank:3'))?.state).toBe('succeeded');
      // An operation id is used once: the same request sent twice does not blank twice.
      const repeated = await client.call('media.blank', { device: 'xdvd0', opId: 'fault-blank:3' });
      expect(repeated.error?.data?.code).toBe('INVALID_REQUEST');
    } finally {
      await client.close();
    }
  });
});
