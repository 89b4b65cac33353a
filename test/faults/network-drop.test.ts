// The network between controller and agent drops and returns, on the real stack with a TCP
// proxy in between that the test cuts. The agent keeps working through the cut and journals
// how each operation ended; once the network is back, the controller learns the outcome from
// that journal and the run ends with it: a write that finished goes on to verify and store,
// a write that failed fails the run with the agent's own error. A follower of the run's
// progress (`cedar-store runs ID --follow`) keeps waiting through the cut and ends with the run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVICE, FaultStack } from '../support/fault-stack.js';
import { isoPaths } from '../support/iso-inspector.js';

let stack: FaultStack;

beforeAll(async () => {
  stack = await FaultStack.start('network', { proxy: true });
}, 180_000);

afterAll(async () => {
  if (stack) console.info(`network-drop: ${stack.injected} network cuts injected`);
  await stack?.stop();
});

describe('the network between controller and agent drops and returns', { timeout: 180_000 }, () => {
  it('during a write streaming progress: the run waits, learns the write finished, verifies and stores the night', async () => {
    const day = '2026-12-15';
    await stack.stageDay(day, { 'notes.txt': 'night of the 15th\n', 'blob.bin': { size: 512 * 1024 } });
    // The real write runs, then its program waits before exiting: the agent is inside the write.
    await stack.holds.arm('xorriso', 'write', '-commit', 'after');
    const run = await stack.api.submit({ action: 'store', device: DEVICE, today: day });
    const follower = stack.cli(['runs', run.id, '--follow']);
    await stack.waitForEvent(run.id, (event) => event.type === 'progress' && event.phase === 'write');
    await stack.holds.waitHeld('xorriso', 'write');
    const connectionsBefore = stack.proxy!.connectionsForwarded;

    stack.cutNetwork();
    await stack.holds.release('xorriso', 'write');
    // The agent finished the write with nobody listening, and journaled it.
    expect((await stack.operationSettled(`${run.id}:write`)).state).toBe('succeeded');
    expect((await stack.api.get(run.id)).status).toBe('running');
    stack.proxy!.restore();

    const done = await stack.api.wait(run.id);
    expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
    expect(stack.proxy!.connectionsForwarded).toBeGreaterThan(connectionsBefore);
    expect(done.write?.bytesWritten).toBeGreaterThan(0);
    expect(done.verify?.ok).toBe(true);
    expect(done.warnings.map((w) => w.code)).toContain('AGENT_CONNECTION_LOST');
    expect(stack.stored(day)).toBe(true);
    expect(await isoPaths(stack.image)).toContain('2026/12/15/notes.txt');

    const followed = await follower;
    expect(followed.code, followed.stderr).toBe(0);
    expect(followed.stdout).toMatch(/succeeded/);
  });

  it("during a write that fails on the agent: the run fails with the agent's error from its journal, no indicator", async () => {
    const day = '2026-12-16';
    await stack.stageDay(day, { 'notes.txt': 'night of the 16th\n' });
    await stack.holds.arm('xorriso', 'fail', '-commit', 'fail');
    const run = await stack.api.submit({ action: 'store', device: DEVICE, today: day });
    await stack.holds.waitHeld('xorriso', 'fail');

    stack.cutNetwork();
    await stack.holds.release('xorriso', 'fail');
    const journaled = await stack.operationSettled(`${run.id}:write`);
    expect(journaled.state).toBe('failed');
    stack.proxy!.restore();

    const failed = await stack.api.wait(run.id);
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe(journaled.error?.code);
    expect(failed.error?.code).not.toBe('AGENT_LOST');
    expect(failed.error?.message).toMatch(/operation journal/);
    expect(failed.operation).toMatchObject({ opId: `${run.id}:write`, state: 'failed' });
    expect(stack.stored(day)).toBe(false);

    // Once the network is back, the next store writes the day.
    const next = await stack.api.run({ action: 'store', device: DEVICE, today: day });
    expect(next.status).toBe('succeeded');
    expect(stack.stored(day)).toBe(true);
    expect(await isoPaths(stack.image)).toContain('2026/12/16/notes.txt');
  });
});
