/**
 * `cedar-store import-config`: the reference tool's cback.conf → agent.yaml + controller.yaml.
 *
 * The reference keeps one host's store settings in `<options>` and `<store>`; cedar-store
 * splits them between the agent on the burner host (paths, the drive and how to drive it)
 * and the controller (how store decides: starting day, checks, blanking). Anything that
 * would change behaviour if guessed (an unknown media or device type, a speed that is not a
 * number, a flag that is neither Y nor N) is refused with the element and what to do; the
 * sections cedar-store has no use for (collect, purge, extensions…) are noted and left out.
 */
import { MEDIA_TYPES, WEEKDAYS, mediaDefinition, type MediaType, type Weekday } from '@cedar-store/domain';
import { IdSchema, type AgentConfigDocument, type DeviceConfig } from '@cedar-store/ports';
import { ControllerConfigSchema } from '../config/controller-config.js';
import { readCedarBackupXml, type XmlElement } from './cback-xml.js';
import {
  absolutePath,
  checkElements,
  flag,
  optionalSection,
  optionalText,
  requiredSection,
  requiredText,
  seconds,
  wholeNumber,
} from './cback-values.js';
import { MigrationError } from './migration-error.js';

/** Where the generated files expect what the reference's configuration does not say. */
export const IMPORT_DEFAULTS = {
  agentListen: { host: '127.0.0.1', port: 7701 },
  agentTokenFile: '/etc/cedar-store/agent.token',
  controllerListen: { host: '127.0.0.1', port: 7700 },
  apiTokenFile: '/etc/cedar-store/api.token',
  database: '/var/lib/cedar-store/controller.db',
} as const;

/**
 * One agent.yaml `devices[]` entry (its schema is shared with the agent, libs/ports), as the
 * reference's writers map: cdrecord or growisofs, every setting written out, verify on `auto`.
 */
export type ImportedDevice = DeviceConfig & { backend: 'cdrecord' | 'growisofs'; mountMethod: 'auto' };

/** agent.yaml as a document (docs/configuration.md#agentyaml): the agent's schema, one device, a token file. */
export type ImportedAgentConfig = Pick<
  AgentConfigDocument,
  'agentId' | 'stagingRoot' | 'workingDir' | 'backupUser' | 'backupGroup'
> & {
  listen: Required<NonNullable<AgentConfigDocument['listen']>>;
  auth: Required<Pick<NonNullable<AgentConfigDocument['auth']>, 'tokenFile'>>;
  devices: [ImportedDevice];
};

export type ImportedPolicy = {
  startingDay: Weekday;
  checkData: boolean;
  checkMedia: boolean;
  warnMidnite: boolean;
  blankBehavior?: { mode: 'daily' | 'weekly'; factor: number };
  capacityLimit?: { maxPercentage: number } | { minBytes: number };
};

/** controller.yaml as a document (docs/configuration.md#controlleryaml). */
export type ImportedControllerConfig = {
  listen: { host: string; port: number };
  auth: { tokenFile: string };
  database: string;
  agents: [{ id: string; url: string; tokenFile: string }];
  policy: ImportedPolicy;
};

export type ImportResult = {
  agentConfig: ImportedAgentConfig;
  controllerConfig: ImportedControllerConfig;
  /** What a user should know: what was left out, which default was chosen and why. */
  notes: string[];
  /**
   * `<store>/<source_dir>` when it is not the staging root: the reference's rebuild read it,
   * while cedar-store's store and rebuild both read the one staging root.
   */
  rebuildSourceDir?: string;
};

export type ImportOptions = { agentId: string; source?: string };

/** `<store>/<device_type>`: the reference's two writer types, and the backend that drives each its way. */
const DEVICE_TYPES = {
  cdwriter: { family: 'cd', backend: 'cdrecord', deviceId: 'cd0' },
  dvdwriter: { family: 'dvd', backend: 'growisofs', deviceId: 'dvd0' },
} as const;
type DeviceType = keyof typeof DEVICE_TYPES;

const MAPPED_OPTIONS = ['starting_day', 'working_dir', 'backup_user', 'backup_group'];
/** Options that steer the reference's remote peers and hooks: nothing of cedar-store's. */
const IGNORED_OPTIONS = [
  'rcp_command',
  'rsh_command',
  'cback_command',
  'managed_actions',
  'override',
  'pre_action_hook',
  'post_action_hook',
];
const STORE_ELEMENTS = [
  'source_dir',
  'media_type',
  'device_type',
  'target_device',
  'target_scsi_id',
  'drive_speed',
  'check_data',
  'check_media',
  'warn_midnite',
  'no_eject',
  'refresh_media_delay',
  'eject_delay',
  'blank_behavior',
];
/** Top-level sections read here; every other one is noted as left out. */
const MAPPED_SECTIONS = new Set(['options', 'store', 'stage', 'capacity']);

export function mapCedarBackupConfig(xml: string, options: ImportOptions): ImportResult {
  const source = options.source ?? 'the configuration';
  if (!IdSchema.safeParse(options.agentId).success) {
    throw new MigrationError(
      `--agent-id "${options.agentId}" is not a valid agent id: use letters, digits, ".", "_" or "-" (e.g. burner-1)`,
    );
  }
  const root = readCedarBackupXml(xml, source);
  const notes: string[] = [];
  for (const name of Object.keys(root)) {
    if (!MAPPED_SECTIONS.has(name)) notes.push(leftOutSection(name));
  }

  const opts = requiredSection(root, 'options', 'the starting day and the working directory');
  checkElements(opts, 'options', [...MAPPED_OPTIONS, ...IGNORED_OPTIONS]);
  const ignoredOptions = IGNORED_OPTIONS.filter((name) => name in opts);
  if (ignoredOptions.length > 0) {
    notes.push(
      `left out <options> ${ignoredOptions.map((name) => `<${name}>`).join(', ')}: they steer the reference's ` +
        'peers, commands and hooks, which cedar-store does not have',
    );
  }
  const store = requiredSection(root, 'store', 'the drive, the media and how store decides');
  checkElements(store, 'store', STORE_ELEMENTS);

  const { stagingRoot, rebuildSourceDir } = mapStagingRoot(root, store, notes);
  const workingDir = absolutePath(requiredText(opts, 'options/working_dir'), 'options/working_dir');
  const backupUser = optionalText(opts, 'options/backup_user');
  const backupGroup = optionalText(opts, 'options/backup_group');
  if (backupUser === undefined || backupGroup === undefined) {
    notes.push(
      'no <backup_user> or <backup_group> in <options>: the store indicators will belong to the user running ' +
        'the agent for what is missing',
    );
  }

  const device = mapDevice(store, notes);
  const policy = mapPolicy(opts, store, root, notes);

  const agentConfig: ImportedAgentConfig = {
    agentId: options.agentId,
    listen: { ...IMPORT_DEFAULTS.agentListen },
    auth: { tokenFile: IMPORT_DEFAULTS.agentTokenFile },
    stagingRoot,
    workingDir,
    ...(backupUser !== undefined ? { backupUser } : {}),
    ...(backupGroup !== undefined ? { backupGroup } : {}),
    devices: [device],
  };
  const controllerConfig: ImportedControllerConfig = {
    listen: { ...IMPORT_DEFAULTS.controllerListen },
    auth: { tokenFile: IMPORT_DEFAULTS.apiTokenFile },
    database: IMPORT_DEFAULTS.database,
    agents: [
      {
        id: options.agentId,
        url: `ws://${IMPORT_DEFAULTS.agentListen.host}:${IMPORT_DEFAULTS.agentListen.port}/rpc`,
        tokenFile: IMPORT_DEFAULTS.agentTokenFile,
      },
    ],
    policy,
  };
  // The controller's own schema is at hand: a mapping that produced something it refuses is a bug here.
  ControllerConfigSchema.parse(controllerConfig);
  return { agentConfig, controllerConfig, notes, ...(rebuildSourceDir !== undefined ? { rebuildSourceDir } : {}) };
}

/**
 * The reference's store action reads the days from `<stage>/<staging_dir>` (its
 * `config.stage.targetDir`); only its rebuild action reads `<store>/<source_dir>`. cedar-store
 * has one staging root for both, so it is the staging directory, and a source directory that
 * differs is said. Without a staging directory, the source directory is all there is.
 */
function mapStagingRoot(
  root: XmlElement,
  store: XmlElement,
  notes: string[],
): { stagingRoot: string; rebuildSourceDir?: string } {
  const stage = optionalSection(root, 'stage');
  const stagingDir = stage ? optionalText(stage, 'stage/staging_dir') : undefined;
  const sourceDir = optionalText(store, 'store/source_dir');
  if (stage) {
    const others = Object.keys(stage).filter((name) => name !== 'staging_dir');
    if (others.length > 0) {
      notes.push(`left out <stage> ${others.map((name) => `<${name}>`).join(', ')}: staging stays the reference's job`);
    }
  }
  if (stagingDir === undefined) {
    if (sourceDir === undefined) {
      throw new MigrationError(
        'missing <stage>/<staging_dir> (and no <store>/<source_dir> to fall back on): add the staging directory ' +
          "the reference's store action reads the days from, e.g. <stage><staging_dir>/opt/backup/stage</staging_dir></stage>",
        'stage/staging_dir',
      );
    }
    notes.push(
      `no <stage>/<staging_dir>: the staging root is <store>/<source_dir> (${sourceDir}), which the reference's ` +
        'rebuild action read (its store action reads <stage>/<staging_dir>)',
    );
    return { stagingRoot: absolutePath(sourceDir, 'store/source_dir') };
  }
  const stagingRoot = absolutePath(stagingDir, 'stage/staging_dir');
  if (sourceDir === undefined || sourceDir.replace(/\/+$/, '') === stagingDir.replace(/\/+$/, '')) {
    return { stagingRoot };
  }
  notes.push(
    `<store>/<source_dir> (${sourceDir}) differs from <stage>/<staging_dir> (${stagingDir}): the staging root is ` +
      "the staging directory, where the reference's store action reads the days; only its rebuild action read " +
      '<source_dir>. cedar-store reads one staging root for store and rebuild (see the last step below)',
  );
  return { stagingRoot, rebuildSourceDir: sourceDir };
}

function mapDevice(store: XmlElement, notes: string[]): ImportedDevice {
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

function mapPolicy(opts: XmlElement, store: XmlElement, root: XmlElement, notes: string[]): ImportedPolicy {
  const startingDay = requiredText(opts, 'options/starting_day');
  const weekday = startingDay.toLowerCase();
  if (!(WEEKDAYS as readonly string[]).includes(weekday)) {
    throw new MigrationError(
      `<options>/<starting_day> is "${startingDay}": write a weekday in full (${WEEKDAYS.join(', ')})`,
      'options/starting_day',
    );
  }
  if (weekday !== startingDay) {
    notes.push(
      `<options>/<starting_day> "${startingDay}" was normalised to ${weekday}: Cedar Backup 3 accepts only the ` +
        'lower-case day names and refuses this file; write it in lower case there too',
    );
  }
  const checkData = flag(store, 'store/check_data', false);
  if (!checkData) {
    notes.push(
      'checkData is false, as <check_data> said (or the reference defaults to when it is absent): discs are not read ' +
        'back after writing. cedar-store recommends true.',
    );
  }
  const blankBehavior = mapBlankBehavior(store);
  const capacityLimit = mapCapacity(root);
  return {
    startingDay: weekday as Weekday,
    checkData,
    checkMedia: flag(store, 'store/check_media', false),
    warnMidnite: flag(store, 'store/warn_midnite', false),
    ...(blankBehavior ? { blankBehavior } : {}),
    ...(capacityLimit ? { capacityLimit } : {}),
  };
}

function mapBlankBehavior(store: XmlElement): ImportedPolicy['blankBehavior'] {
  const section = optionalSection(store, 'blank_behavior', 'store/blank_behavior');
  if (section === undefined) return undefined;
  checkElements(section, 'store/blank_behavior', ['mode', 'factor']);
  const mode = requiredText(section, 'store/blank_behavior/mode');
  if (mode !== 'daily' && mode !== 'weekly') {
    throw new MigrationError(
      `<store>/<blank_behavior>/<mode> is "${mode}": write daily or weekly`,
      'store/blank_behavior/mode',
    );
  }
  const factorText = requiredText(section, 'store/blank_behavior/factor');
  if (!/^\d+(\.\d+)?$|^\.\d+$/.test(factorText)) {
    throw new MigrationError(
      `<store>/<blank_behavior>/<factor> is "${factorText}": write a number >= 0 such as 1.3`,
      'store/blank_behavior/factor',
    );
  }
  return { mode, factor: Number(factorText) };
}

/** The reference's capacity extension (`<capacity>`) is the same check as cedar-store's capacityLimit. */
function mapCapacity(root: XmlElement): ImportedPolicy['capacityLimit'] {
  const section = optionalSection(root, 'capacity');
  if (section === undefined) return undefined;
  checkElements(section, 'capacity', ['max_percentage', 'min_bytes']);
  const percentage = optionalText(section, 'capacity/max_percentage');
  const minBytes = optionalText(section, 'capacity/min_bytes');
  if (percentage !== undefined && minBytes !== undefined) {
    throw new MigrationError(
      '<capacity> has both <max_percentage> and <min_bytes>: cedar-store checks one limit; keep one of them',
      'capacity',
    );
  }
  if (percentage !== undefined) {
    const value = /^\d+(\.\d+)?$/.test(percentage) ? Number(percentage) : NaN;
    if (!(value >= 0 && value <= 100)) {
      throw new MigrationError(
        `<capacity>/<max_percentage> is "${percentage}": write a percentage from 0 to 100 such as 95.5`,
        'capacity/max_percentage',
      );
    }
    return { maxPercentage: value };
  }
  if (minBytes !== undefined) return { minBytes: byteQuantity(minBytes) };
  return undefined;
}

const BYTE_UNITS: Record<string, number> = { '': 1, B: 1, BYTES: 1, KB: 2 ** 10, MB: 2 ** 20, GB: 2 ** 30 };

/** `500 MB`, `1.5 GB` or a plain byte count; the reference's units are powers of 1024. */
function byteQuantity(value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([A-Za-z]*)$/.exec(value);
  const unit = BYTE_UNITS[match?.[2]?.toUpperCase() ?? 'none'];
  if (!match || unit === undefined) {
    throw new MigrationError(
      `<capacity>/<min_bytes> is "${value}": write a number of bytes, optionally with KB, MB or GB (e.g. 500 MB)`,
      'capacity/min_bytes',
    );
  }
  return Math.round(Number(match[1]) * unit);
}

function leftOutSection(name: string): string {
  switch (name) {
    case 'reference':
      return 'left out <reference>: a description of the file, nothing to carry over';
    case 'extensions':
      return 'left out <extensions>: cedar-store runs no extension actions (the capacity check is policy.capacityLimit)';
    case 'collect':
    case 'purge':
    case 'peers':
      return (
        `left out <${name}>: the ${name === 'peers' ? 'peer list' : `${name} action`} stays the reference's job; ` +
        'cedar-store only stores staged days'
      );
    default:
      return `left out <${name}>: cedar-store has no use for this section`;
  }
}
