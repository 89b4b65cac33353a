/**
 * One operation at a time per device: a second write, blank, initialize or verify while one
 * runs is refused at once with DEVICE_BUSY instead of queuing behind a burn that may take an
 * hour. Status and estimate are reads and go alongside.
 */
import { DeviceBusyError } from '@cedar-store/domain';

export class DeviceGuard {
  private current: string | null = null;

  constructor(private readonly deviceId: string) {}

  get busyWith(): string | null {
    return this.current;
  }

  async exclusive<T>(operation: string, work: () => Promise<T>): Promise<T> {
    if (this.current !== null) {
      throw new DeviceBusyError(
        `device ${this.deviceId} is busy with a ${this.current}; try again when it has finished`,
        { device: this.deviceId, operation: this.current },
      );
    }
    this.current = operation;
    try {
      return await work();
    } finally {
      this.current = null;
    }
  }
}
