/**
 * One drive per `devices[].backend`: the drive (drive/optical-drive.ts) composed with that
 * backend's strategy, which runs its own programs from its own args.ts and parse.ts.
 */
import { CdrecordBackend } from './cdrecord/cdrecord-backend.js';
import { OpticalDrive } from './drive/optical-drive.js';
import { GrowisofsBackend } from './growisofs/growisofs-backend.js';
import type { DeviceSettings } from './media/device-settings.js';
import type { DriveBackend } from './media/drive-backend.js';
import type { DriveEnvironment } from './media/drive-environment.js';
import { VirtualBackend } from './virtual/virtual-backend.js';
import { XorrisoBackend } from './xorriso/xorriso-backend.js';

export function createBackend(settings: DeviceSettings, env: DriveEnvironment): DriveBackend {
  switch (settings.backend) {
    case 'xorriso':
      return new XorrisoBackend(settings, env);
    case 'virtual':
      return new VirtualBackend(settings, env);
    case 'cdrecord':
      return new CdrecordBackend(settings, env);
    case 'growisofs':
      return new GrowisofsBackend(settings, env);
  }
}

export function createDrive(settings: DeviceSettings, env: DriveEnvironment): OpticalDrive {
  return new OpticalDrive(settings, env, createBackend(settings, env));
}

/** The drive of each backend by name, for callers that know which one they want (tests, tools). */
export class XorrisoDrive extends OpticalDrive {
  constructor(settings: DeviceSettings, env: DriveEnvironment) {
    super(settings, env, new XorrisoBackend(settings, env));
  }
}

export class VirtualDrive extends OpticalDrive {
  constructor(settings: DeviceSettings, env: DriveEnvironment) {
    super(settings, env, new VirtualBackend(settings, env));
  }
}

export class CdrecordDrive extends OpticalDrive {
  constructor(settings: DeviceSettings, env: DriveEnvironment) {
    super(settings, env, new CdrecordBackend(settings, env));
  }
}

export class GrowisofsDrive extends OpticalDrive {
  constructor(settings: DeviceSettings, env: DriveEnvironment) {
    super(settings, env, new GrowisofsBackend(settings, env));
  }
}
