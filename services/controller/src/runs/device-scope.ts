import type { DayStamp } from '@cedar-store/domain';
import {
  TOKENS,
  type Clock,
  type DeviceDirectory,
  type DevicePolicy,
  type MediaDrive,
  type PolicySource,
  type StagingArea,
} from '@cedar-store/ports';
import { inject, injectable } from 'inversify';
import { TrackedDrive } from '../recovery/tracked-drive.js';
import type { RunContext } from './run-context.js';

/** What a run works with: its device's ports, that device's policy, and the day it calls today. */
export type DeviceScope = { staging: StagingArea; drive: MediaDrive; policy: DevicePolicy; today: DayStamp };

@injectable()
export class DeviceScopes {
  constructor(
    @inject(TOKENS.DeviceDirectory) private readonly devices: DeviceDirectory,
    @inject(TOKENS.PolicySource) private readonly policies: PolicySource,
    @inject(TOKENS.Clock) private readonly clock: Clock,
  ) {}

  /** Throws DEVICE_UNKNOWN for a device that is not configured. */
  for(ctx: RunContext): DeviceScope {
    return {
      staging: this.devices.staging(ctx.device),
      drive: new TrackedDrive(this.devices.drive(ctx.device), ctx),
      policy: this.policies.forDevice(ctx.device),
      // An explicit today (catch-up runs, tests) wins over the clock in the configured zone.
      today: ctx.run.options.today ?? this.clock.today(this.policies.timeZone),
    };
  }
}
