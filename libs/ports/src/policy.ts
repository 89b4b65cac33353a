import type { BlankBehavior, CapacityLimit, Weekday } from '@cedar-store/domain';

/** How store and rebuild behave on one device (controller.yaml `policy` plus overrides). */
export type DevicePolicy = {
  startingDay: Weekday;
  checkData: boolean;
  checkMedia: boolean;
  warnMidnite: boolean;
  blankBehavior?: BlankBehavior;
  capacityLimit?: CapacityLimit;
};

export interface PolicySource {
  /** The zone in which "today" is decided; host local time when undefined. */
  readonly timeZone: string | undefined;
  forDevice(device: string): DevicePolicy;
}
