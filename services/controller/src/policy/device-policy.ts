import type { DevicePolicy, PolicySource } from '@cedar-store/ports';

/**
 * Safe defaults: verify every disc (a silent bad burn is the failure this tool exists to
 * catch), warn when midnight was crossed, weeks start on Monday, and leave the media check
 * to sites that initialize their discs.
 */
export const DEFAULT_POLICY: DevicePolicy = {
  startingDay: 'monday',
  checkData: true,
  checkMedia: false,
  warnMidnite: true,
};

export type PolicyConfig = {
  timeZone?: string;
  policy?: Partial<DevicePolicy>;
  devices?: Record<string, Partial<DevicePolicy>>;
};

export function resolvePolicy(...layers: Array<Partial<DevicePolicy> | undefined>): DevicePolicy {
  const resolved: DevicePolicy = { ...DEFAULT_POLICY };
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer ?? {})) {
      if (value !== undefined) Object.assign(resolved, { [key]: value });
    }
  }
  return resolved;
}

/** The controller.yaml policy: defaults for every device, then each device's overrides. */
export class StaticPolicySource implements PolicySource {
  readonly timeZone: string | undefined;

  constructor(private readonly config: PolicyConfig = {}) {
    this.timeZone = config.timeZone;
  }

  forDevice(device: string): DevicePolicy {
    return resolvePolicy(this.config.policy, this.config.devices?.[device]);
  }
}
