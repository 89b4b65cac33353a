/** One adapter per `devices[].backend`; each is a MediaDrive with its own programs. */
import { CdrecordDrive } from './cdrecord/cdrecord-drive.js';
import { GrowisofsDrive } from './growisofs/growisofs-drive.js';
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
      return new CdrecordDrive(settings, env);
    case 'growisofs':
      return new GrowisofsDrive(settings, env);
  }
}
