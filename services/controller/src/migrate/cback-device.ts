/**
 * The drive of `cedar-store import-config`: the reference's `<store>` writer type, device, media
 * type and drive settings as one agent.yaml `devices[]` entry.
 */
import { MEDIA_TYPES, mediaDefinition, type MediaType } from '@cedar-store/domain';
import type { DeviceConfig } from '@cedar-store/ports';
import type { XmlElement } from './cback-xml.js';
import { absolutePath, flag, optionalText, requiredText, seconds, wholeNumber } from './cback-values.js';
import { MigrationError } from './migration-error.js';

/**
 * One agent.yaml `devices[]` entry (its schema is shared with the agent, libs/ports), as the
 * reference's writers map: cdrecord or growisofs, every setting written out, verify on `auto`.
 */
export type ImportedDevice = DeviceConfig & { backend: 'cdrecord' | 'growisofs'; mountMethod: 'auto' };

/** `<store>/<device_type>`: the reference's two writer types, and the backend that drives each its way. */
const DEVICE_TYPES = {
  cdwriter: { family: 'cd', backend: 'cdrecord', deviceId: 'cd0' },
  dvdwriter: { family: 'dvd', backend: 'growisofs', deviceId: 'dvd0' },
} as const;
type DeviceType = keyof typeof DEVICE_TYPES;

/** The device entry, with a note of the backend chosen (and of the writer type assumed when none was given). */
export function mapDevice(store: XmlElement, notes: string[]): ImportedDevice {
  const deviceTypeText = optionalText(store, 'store/device_type');
  if (deviceTypeText === undefined) notes.push('no <store>/<device_type>: cdwriter assumed, as the reference does');
  const deviceType = (deviceTypeText ?? 'cdwriter') as DeviceType;
  if (!(deviceType in DEVICE_TYPES)) {
    throw new MigrationError(
      `<store>/<device_type> is "${deviceTypeText}": cedar-store knows cdwriter and dvdwriter; write one of them ` +
        '(or configure the device in agent.yaml by hand)',
      'store/device_type',
    );
  }
  const type = DEVICE_TYPES[deviceType];
  const mediaType = mapMediaType(requiredText(store, 'store/media_type'), deviceType);
  const path = absolutePath(requiredText(store, 'store/target_device'), 'store/target_device');
  const scsiId = optionalText(store, 'store/target_scsi_id');
  const driveSpeed = optionalText(store, 'store/drive_speed');
  notes.push(
    `the device is "${type.deviceId}" with the ${type.backend} backend, which writes as the reference's ` +
      `${deviceType} did; backend: xorriso writes the same discs in one pass without a temporary image`,
  );
  return {
    id: type.deviceId,
    backend: type.backend,
    path,
    mediaType,
    ...(driveSpeed !== undefined ? { driveSpeed: wholeNumber(driveSpeed, 'store/drive_speed', 1) } : {}),
    ...(scsiId !== undefined ? { scsiId: mapScsiId(scsiId) } : {}),
    noEject: flag(store, 'store/no_eject', false),
    ejectDelay: seconds(store, 'store/eject_delay'),
    refreshMediaDelay: seconds(store, 'store/refresh_media_delay'),
    mountMethod: 'auto',
  };
}

function mapMediaType(value: string, deviceType: DeviceType): MediaType {
  if (!(MEDIA_TYPES as readonly string[]).includes(value)) {
    throw new MigrationError(
      `<store>/<media_type> is "${value}", which cedar-store does not know: write one of ${MEDIA_TYPES.join(', ')}`,
      'store/media_type',
    );
  }
  const mediaType = value as MediaType;
  const family = DEVICE_TYPES[deviceType].family;
  if (mediaDefinition(mediaType).family !== family) {
    const fitting = MEDIA_TYPES.filter((type) => mediaDefinition(type).family === family);
    throw new MigrationError(
      `<store>/<media_type> "${value}" cannot be written by <device_type> ${deviceType}: use one of ` +
        `${fitting.join(', ')}, or change <device_type>`,
      'store/media_type',
    );
  }
  return mediaType;
}

/** cdrecord's `dev=`: `[method:]bus,target,lun`; the reference allowed spaces around the commas. */
function mapScsiId(value: string): string {
  const compact = value.replace(/\s+/g, '');
  if (!/^([A-Za-z][A-Za-z0-9]*:)?\d+,\d+,\d+$/.test(compact)) {
    throw new MigrationError(
      `<store>/<target_scsi_id> is "${value}": cedar-store needs [method:]bus,target,lun (e.g. ATA:1,0,0 or 0,0,0); ` +
        'fix it or remove the element to let cdrecord use <target_device>',
      'store/target_scsi_id',
    );
  }
  return compact;
}
