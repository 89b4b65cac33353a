/**
 * `cedar-store import-config`: the reference tool's cback.conf → agent.yaml + controller.yaml.
 *
 * The reference keeps one host's store settings in `<options>` and `<store>`; cedar-store
 * splits them between the agent on the burner host (paths, the drive and how to drive it)
 * and the controller (how store decides: starting day, checks, blanking). Anything that
 * would change behaviour if guessed (an unknown media or device type, a speed that is not a
 * number, a flag that is neither Y nor N) is refused with the element and what to do; the
 * sections cedar-store has no use for (collect, purge, extensions…) are noted and left out.
 * The device (cback-device.ts) and the policy (cback-policy.ts) are mapped in modules of their own.
 */
import { IdSchema, type AgentConfigDocument } from '@cedar-store/ports';
import { ControllerConfigSchema } from '../config/controller-config.js';
import { mapDevice, type ImportedDevice } from './cback-device.js';
import { mapPolicy, type ImportedPolicy } from './cback-policy.js';
import { readCedarBackupXml, type XmlElement } from './cback-xml.js';
import {
  absolutePath,
  checkElements,
  optionalSection,
  optionalText,
  requiredSection,
  requiredText,
} from './cback-values.js';
import { MigrationError } from './migration-error.js';

export type { ImportedDevice, ImportedPolicy };

/** Where the generated files expect what the reference's configuration does not say. */
export const IMPORT_DEFAULTS = {
  agentListen: { host: '127.0.0.1', port: 7701 },
  agentTokenFile: '/etc/cedar-store/agent.token',
  controllerListen: { host: '127.0.0.1', port: 7700 },
  apiTokenFile: '/etc/cedar-store/api.token',
  database: '/var/lib/cedar-store/controller.db',
} as const;

/** agent.yaml as a document (docs/configuration.md#agentyaml): the agent's schema, one device, a token file. */
export type ImportedAgentConfig = Pick<
  AgentConfigDocument,
  'agentId' | 'stagingRoot' | 'workingDir' | 'backupUser' | 'backupGroup'
> & {
  listen: Required<NonNullable<AgentConfigDocument['listen']>>;
  auth: Required<Pick<NonNullable<AgentConfigDocument['auth']>, 'tokenFile'>>;
  devices: [ImportedDevice];
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
