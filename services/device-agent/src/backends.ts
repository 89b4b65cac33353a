/** One adapter per `devices[].backend`; each is a MediaDrive with its own programs. */
import type { DeviceSettings } from './media/device-settings.js';
import type { DriveEnvironment } from './media/drive-environment.js';
import type { OpticalDrive } from './media/optical-drive.js';
import { VirtualDrive } from './virtual/virtual-drive.js';
import { XorrisoDrive } from './xorriso/xorriso-drive.js';

export function createDrive(settings: DeviceSettings, env: DriveEnvironment): OpticalDrive {
  switch (settings.backend) {
    case 'xorriso':
      return new XorrisoDrive(settings, env);
    case 'virtual':
      return new VirtualDrive(settings, env);
    case 'cdrecord':
    case 'growisofs':
      throw new Error(`backend ${settings.backend} is not available yet`);
  }
}
