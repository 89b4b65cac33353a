import { describe, expect, it } from 'vitest';
import { DeviceGuard, DriveGuards } from './device-guard.js';

/** A promise and the function that settles it, to hold an operation open. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

describe('DeviceGuard', () => {
  it('refuses a second operation while one runs, with DEVICE_BUSY naming the running one', async () => {
    const guard = new DeviceGuard('dvd0');
    const held = gate();
    const write = guard.exclusive('write', async () => {
      await held.promise;
      return 'written';
    });
    expect(guard.busyWith).toBe('write');

    let blankRan = false;
    const blank = guard.exclusive('blank', async () => {
      blankRan = true;
    });
    await expect(blank).rejects.toMatchObject({
      code: 'DEVICE_BUSY',
      message: expect.stringMatching(/dvd0 is busy with a write/),
      details: { device: 'dvd0', operation: 'write' },
    });
    expect(blankRan).toBe(false);

    held.open();
    await expect(write).resolves.toBe('written');
    expect(guard.busyWith).toBeNull();
    await expect(guard.exclusive('blank', async () => 'blanked')).resolves.toBe('blanked');
  });

  it('frees the device when an operation throws', async () => {
    const guard = new DeviceGuard('dvd0');
    await expect(
      guard.exclusive('write', async () => {
        throw new Error('the burn failed');
      }),
    ).rejects.toThrow('the burn failed');
    expect(guard.busyWith).toBeNull();
    await expect(guard.exclusive('verify', async () => 'verified')).resolves.toBe('verified');
  });

  it('keeps devices apart: one busy device does not block another', async () => {
    const first = new DeviceGuard('dvd0');
    const second = new DeviceGuard('dvd1');
    const held = gate();
    const write = first.exclusive('write', () => held.promise);
    await expect(second.exclusive('write', async () => 'ok')).resolves.toBe('ok');
    held.open();
    await write;
  });
});

describe('DriveGuards', () => {
  it('makes devices configured on the same drive refuse each other, and leaves other drives free', async () => {
    const guards = new DriveGuards([
      { id: 'cd0', drivePath: '/dev/sr0' },
      { id: 'dvd0', drivePath: '/dev/sr0' },
      { id: 'dvd1', drivePath: '/dev/sr1' },
    ]);
    const held = gate();
    const burn = guards.forDevice('cd0')!.exclusive('write', () => held.promise);
    await expect(guards.forDevice('dvd0')!.exclusive('blank', async () => undefined)).rejects.toMatchObject({
      code: 'DEVICE_BUSY',
      message: expect.stringMatching(/drive \/dev\/sr0 \(devices cd0, dvd0\) is busy with a write/),
    });
    await expect(guards.forDevice('dvd1')!.exclusive('write', async () => 'other drive')).resolves.toBe('other drive');
    held.open();
    await burn;
  });
});
