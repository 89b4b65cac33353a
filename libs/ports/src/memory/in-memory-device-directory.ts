import { DeviceUnknownError, type MediaType } from '@cedar-store/domain';
import {
  splitDeviceRef,
  type AgentInfo,
  type DeviceDirectory,
  type DeviceInfo,
  type DeviceRef,
} from '../device-directory.js';
import type { MediaDrive } from '../media-drive.js';
import type { StagingArea } from '../staging-area.js';

export type InMemoryDevice = { ref: DeviceRef; staging: StagingArea; drive: MediaDrive; mediaType: MediaType };

/** A fixed set of devices, all connected. For unit tests only. */
export class InMemoryDeviceDirectory implements DeviceDirectory {
  private readonly devices: Map<DeviceRef, InMemoryDevice>;

  constructor(devices: InMemoryDevice[]) {
    this.devices = new Map(devices.map((device) => [device.ref, device]));
  }

  async agents(): Promise<AgentInfo[]> {
    const ids = new Set([...this.devices.keys()].map((ref) => splitDeviceRef(ref).agentId));
    return [...ids].map((id) => ({ id, state: 'connected' }));
  }

  async list(): Promise<DeviceInfo[]> {
    return [...this.devices.values()].map(({ ref, mediaType }) => {
      return { ref, ...splitDeviceRef(ref), backend: 'virtual', mediaType, connected: true };
    });
  }

  private find(ref: DeviceRef): InMemoryDevice {
    const device = this.devices.get(ref);
    if (!device) {
      throw new DeviceUnknownError(
        `no device ${JSON.stringify(ref)}; configured devices: ${[...this.devices.keys()].join(', ') || 'none'}`,
      );
    }
    return device;
  }

  staging(ref: DeviceRef): StagingArea {
    return this.find(ref).staging;
  }

  drive(ref: DeviceRef): MediaDrive {
    return this.find(ref).drive;
  }
}
