import type { MediaType } from '@cedar-store/domain';
import type { AgentManifests } from './manifest.js';
import type { MediaDrive } from './media-drive.js';
import type { StagingArea } from './staging-area.js';
import type { OperationRecord } from './wire/methods.js';
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

export type AgentState = 'connecting' | 'connected' | 'disconnected';

export type AgentInfo = {
  id: string;
  /** Where the controller reaches it; absent for in-process adapters. */
  url?: string;
  state: AgentState;
  /** The agent's version, once it has described itself. */
  version?: string;
  /** Why the last connection attempt failed or the connection dropped, for a user to act on. */
  lastError?: string;
  /** When the current connection opened or the last one closed (ISO 8601). */
  since?: string;
};

/** Every configured agent and device, and the two ports to reach each device. */
export interface DeviceDirectory {
  agents(): Promise<AgentInfo[]>;
  /** Every known device: those connected agents describe, and those remembered or configured for the others. */
  list(): Promise<DeviceInfo[]>;
  /** Throws DEVICE_UNKNOWN for a device that is not configured. */
  staging(device: DeviceRef): StagingArea;
  /** Throws DEVICE_UNKNOWN for a device that is not configured. */
  drive(device: DeviceRef): MediaDrive;
  /**
   * What an agent's operation journal knows of these operations (absent ids: no record).
   * Only directories of remote agents have journals; in-process adapters leave it out.
   */
  operations?(agentId: string, opIds: string[]): Promise<OperationRecord[]>;
  /** The manifests of the device's agent; only directories of remote agents have them. */
  manifests?(device: DeviceRef): AgentManifests;
  /** Calls `listener` each time an agent (re)connects; returns the unsubscribe function. */
  onAgentConnected?(listener: (agentId: string) => void): () => void;
}

export function splitDeviceRef(device: DeviceRef): { agentId: string; deviceId: string } {
  const slash = device.indexOf('/');
  return { agentId: device.slice(0, slash), deviceId: device.slice(slash + 1) };
}
