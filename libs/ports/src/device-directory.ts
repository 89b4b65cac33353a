import type { MediaType } from '@cedar-store/domain';
import type { MediaDrive } from './media-drive.js';
import type { StagingArea } from './staging-area.js';
import type { Backend } from './wire/primitives.js';

/** `agent/device`: how the controller names a device. */
export type DeviceRef = string;

export type DeviceInfo = {
  ref: DeviceRef;
  agentId: string;
  deviceId: string;
  backend: Backend;
  mediaType: MediaType;
  connected: boolean;
};

/** Every configured agent and device, and the two ports to reach each device. */
export interface DeviceDirectory {
  list(): Promise<DeviceInfo[]>;
  /** Throws DEVICE_UNKNOWN for a device that is not configured. */
  staging(device: DeviceRef): StagingArea;
  /** Throws DEVICE_UNKNOWN for a device that is not configured. */
  drive(device: DeviceRef): MediaDrive;
}

export function splitDeviceRef(device: DeviceRef): { agentId: string; deviceId: string } {
  const slash = device.indexOf('/');
  return { agentId: device.slice(0, slash), deviceId: device.slice(slash + 1) };
}
