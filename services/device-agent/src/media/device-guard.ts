/**
 * One operation at a time per device: a second write, blank, initialize or verify while one
 * runs is refused at once with DEVICE_BUSY instead of queuing behind a burn that may take an
 * hour. Status and estimate are reads and go alongside.
 */
import { DeviceBusyError } from '@cedar-store/domain';

export class DeviceGuard {
  private current: string | null = null;

  /** `name` is how a refusal names what is busy: one device, or a drive several devices share. */
  constructor(
    private readonly deviceId: string,
    private readonly name = `device ${deviceId}`,
  ) {}

  get busyWith(): string | null {
    return this.current;
  }

  async exclusive<T>(operation: string, work: () => Promise<T>): Promise<T> {
    if (this.current !== null) {
      throw new DeviceBusyError(`${this.name} is busy with a ${this.current}; try again when it has finished`, {
        device: this.deviceId,
        operation: this.current,
      });
    }
    this.current = operation;
    try {
      return await work();
    } finally {
      this.current = null;
    }
  }
}

/**
 * One guard per physical drive: a combo drive configured twice (a cdrecord `cd0` and a
 * growisofs `dvd0` on the same /dev/sr0) must still run one operation at a time.
 */
export class DriveGuards {
  private readonly byDevice = new Map<string, DeviceGuard>();

  /** `devices` with their drive paths already resolved (symlinks followed). */
  constructor(devices: ReadonlyArray<{ id: string; drivePath: string }>) {
    const byPath = new Map<string, string[]>();
    for (const { id, drivePath } of devices) byPath.set(drivePath, [...(byPath.get(drivePath) ?? []), id]);
    for (const [drivePath, ids] of byPath) {
      const guard =
        ids.length === 1
          ? new DeviceGuard(ids[0]!)
          : new DeviceGuard(ids[0]!, `drive ${drivePath} (devices ${ids.join(', ')})`);
      for (const id of ids) this.byDevice.set(id, guard);
    }
  }

  forDevice(id: string): DeviceGuard | undefined {
    return this.byDevice.get(id);
  }
}
