/**
 * Every configured agent and its devices, as the controller's use cases and API see them.
 * A connected agent's devices are what it describes now; an agent that is away still shows
 * the devices it described last time (and those controller.yaml names), marked not
 * connected, so `cedar-store devices` tells a user what is missing rather than hiding it.
 */
import { DeviceUnknownError, errorMessage } from '@cedar-store/domain';
import {
  DeviceRefSchema,
  splitDeviceRef,
  type AgentInfo,
  type AgentManifests,
  type DeviceDescription,
  type DeviceDirectory,
  type DeviceInfo,
  type DeviceRef,
  type MediaDrive,
  type OperationRecord,
  type StagingArea,
} from '@cedar-store/ports';
import type { Logger } from 'pino';
import type { AgentClient } from './agent-client.js';
import { RemoteMediaDrive } from './remote-media-drive.js';
import { RemoteStagingArea } from './remote-staging-area.js';

export type RemoteDeviceDirectoryOptions = {
  /** What each agent described when it was last connected (the controller keeps it across restarts). */
  remembered?: Map<string, DeviceDescription[]>;
  /** Device refs named in controller.yaml (`devices:` overrides), listed even before their agent ever connected. */
  configuredDevices?: string[];
  /** Called each time an agent (re)connects and describes its devices, so they can be remembered. */
  onDescribed?: (agentId: string, devices: DeviceDescription[]) => void;
  logger?: Logger;
};

/**
 * What a device known only from controller.yaml shows until its agent describes it: the
 * agent's default backend and the design's example media. `connected: false` beside it
 * says these are not facts; nothing decides anything from them, since every run asks the
 * agent, which must be connected for the run to do anything.
 */
export const UNDESCRIBED_DEVICE = { backend: 'xorriso', mediaType: 'dvd+rw' } as const;

export class RemoteDeviceDirectory implements DeviceDirectory {
  private readonly clients = new Map<string, AgentClient>();
  private readonly remembered: Map<string, DeviceDescription[]>;
  private readonly configured = new Map<string, string[]>();
  private readonly connectedListeners = new Set<(agentId: string) => void>();

  constructor(
    clients: AgentClient[],
    private readonly options: RemoteDeviceDirectoryOptions = {},
  ) {
    for (const client of clients) {
      if (this.clients.has(client.id)) throw new Error(`agent ${client.id} is configured twice`);
      this.clients.set(client.id, client);
      client.onStateChange((info) => {
        if (info.state !== 'connected') return;
        this.described(client);
        for (const listener of this.connectedListeners) listener(client.id);
      });
    }
    this.remembered = new Map(options.remembered);
    for (const ref of options.configuredDevices ?? []) {
      if (!DeviceRefSchema.safeParse(ref).success) continue;
      const { agentId, deviceId } = splitDeviceRef(ref);
      this.configured.set(agentId, [...(this.configured.get(agentId) ?? []), deviceId]);
    }
  }

  /** Connects to every agent; each keeps reconnecting by itself until stop(). */
  start(): void {
    for (const client of this.clients.values()) client.start();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.clients.values()].map((client) => client.stop()));
  }

  async agents(): Promise<AgentInfo[]> {
    return [...this.clients.values()].map((client) => client.info());
  }

  async list(): Promise<DeviceInfo[]> {
    return [...this.clients.values()].flatMap((client) => this.devicesOf(client));
  }

  /** Throws DEVICE_UNKNOWN for an agent that is not configured or a device its connected agent lacks. */
  staging(ref: DeviceRef): StagingArea {
    return new RemoteStagingArea(this.find(ref).client);
  }

  /** Throws DEVICE_UNKNOWN like staging(); for an agent that is away, calls fail AGENT_UNREACHABLE. */
  drive(ref: DeviceRef): MediaDrive {
    const { client, deviceId } = this.find(ref);
    return new RemoteMediaDrive(client, deviceId);
  }

  /** The manifests the device's agent recorded (manifest.read, manifest.hash). */
  manifests(ref: DeviceRef): AgentManifests {
    const { client } = this.find(ref);
    return {
      read: (opId, cursor, maxRecords) => client.call('manifest.read', { opId, cursor, maxRecords }),
      hash: (days, opId) => client.call('manifest.hash', { days, opId }),
    };
  }

  /** What the agent's operation journal knows of these operations; fails AGENT_UNREACHABLE while it is away. */
  async operations(agentId: string, opIds: string[]): Promise<OperationRecord[]> {
    const client = this.clients.get(agentId);
    if (!client) throw new DeviceUnknownError(`no agent "${agentId}" is configured`);
    return client.operations(opIds);
  }

  onAgentConnected(listener: (agentId: string) => void): () => void {
    this.connectedListeners.add(listener);
    return () => this.connectedListeners.delete(listener);
  }

  private devicesOf(client: AgentClient): DeviceInfo[] {
    const agentId = client.id;
    const info = (deviceId: string, device: Pick<DeviceInfo, 'backend' | 'mediaType'>, connected: boolean) => ({
      ref: `${agentId}/${deviceId}`,
      agentId,
      deviceId,
      backend: device.backend,
      mediaType: device.mediaType,
      connected,
    });
    const live = client.info().state === 'connected' ? client.description() : undefined;
    if (live) return live.devices.map((device) => info(device.id, device, true));
    const known = this.remembered.get(agentId) ?? [];
    const configuredOnly = (this.configured.get(agentId) ?? []).filter((id) => !known.some((d) => d.id === id));
    return [
      ...known.map((device) => info(device.id, device, false)),
      ...configuredOnly.map((deviceId) => info(deviceId, UNDESCRIBED_DEVICE, false)),
    ];
  }

  private find(ref: DeviceRef): { client: AgentClient; deviceId: string } {
    if (!DeviceRefSchema.safeParse(ref).success) {
      throw new DeviceUnknownError(
        `${JSON.stringify(ref)} is not a device: name devices "agent/device", e.g. burner-1/dvd0`,
      );
    }
    const { agentId, deviceId } = splitDeviceRef(ref);
    const client = this.clients.get(agentId);
    if (!client) {
      const configured = [...this.clients.keys()].join(', ') || 'none';
      throw new DeviceUnknownError(
        `no agent "${agentId}" is configured (agents in controller.yaml: ${configured}), so there is no device ${ref}`,
      );
    }
    const live = client.info().state === 'connected' ? client.description() : undefined;
    if (live && !live.devices.some((device) => device.id === deviceId)) {
      const has = live.devices.map((device) => `${agentId}/${device.id}`).join(', ') || 'none';
      throw new DeviceUnknownError(`agent ${agentId} has no device "${deviceId}"; its devices: ${has}`);
    }
    return { client, deviceId };
  }

  private described(client: AgentClient): void {
    const devices = client.description()?.devices;
    if (!devices) return;
    this.remembered.set(client.id, devices);
    try {
      this.options.onDescribed?.(client.id, devices);
    } catch (error) {
      // Remembering is a convenience for the next restart; it must not break the connection.
      this.options.logger?.warn(
        { agentId: client.id, err: errorMessage(error) },
        'could not remember the devices the agent described',
      );
    }
  }
}
