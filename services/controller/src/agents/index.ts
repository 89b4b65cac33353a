export { AgentClient, type CallOptions } from './agent-client.js';
export type { AgentDescription, AgentEndpoint } from './agent-handshake.js';
export { DEFAULT_CALL_TIMEOUTS_MS, type AgentClientOptions } from './agent-client-options.js';
export { RemoteMediaDrive } from './remote-media-drive.js';
export { RemoteStagingArea } from './remote-staging-area.js';
export {
  RemoteDeviceDirectory,
  UNDESCRIBED_DEVICE,
  type RemoteDeviceDirectoryOptions,
} from './remote-device-directory.js';
