import type { MediaType } from '@cedar-store/domain';
import type { Backend } from '@cedar-store/ports';

/** How the media is read back for the consistency check (verify/verify-media.ts). */
export type VerifySetting = 'auto' | 'mount' | 'fuseiso' | 'direct';

/** One `devices[]` entry of agent.yaml, validated (config/agent-config.ts). */
export type DeviceSettings = {
  id: string;
  backend: Backend;
  /** The drive (`/dev/sr0`), or for `virtual` the ISO file playing the disc. */
  path: string;
  mediaType: MediaType;
  driveSpeed?: number;
  /** `[method:]bus,target,lun`, used as cdrecord's `dev=` when set. */
  scsiId?: string;
  noEject: boolean;
  ejectDelay: number;
  refreshMediaDelay: number;
  mountMethod: VerifySetting;
};
