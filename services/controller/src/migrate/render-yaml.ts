/**
 * The imported configurations as commented YAML, in the shape of deploy/*.example.yaml, so
 * the files a user gets explain themselves and say which cback.conf element each value came
 * from. Every value goes through the yaml library's quoting; the comments are ours.
 */
import { stringify } from 'yaml';
import type { ImportedAgentConfig, ImportedControllerConfig } from './map-cback-config.js';

/** One YAML scalar, quoted when it needs to be (`yes`, `0755`, `a: b` stay strings). */
function scalar(value: string | number | boolean): string {
  return stringify(value).trimEnd();
}

/** The source file's name as a comment can hold it: a newline in a path must not end the comment. */
function commentSafe(text: string): string {
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  return text.replace(/[\x00-\x1F\x7F]/g, '?');
}

export function renderAgentYaml(config: ImportedAgentConfig, source: string): string {
  const device = config.devices[0];
  const lines = [
    `# cedar-store device agent, imported from ${commentSafe(source)} by cedar-store import-config.`,
    '# Start it with: cedar-store-agent --config /etc/cedar-store/agent.yaml',
    '# Every field is described in deploy/agent.example.yaml.',
    '',
    '# Names this agent to the controller (controller.yaml agents[].id).',
    `agentId: ${scalar(config.agentId)}`,
    '',
    '# Where the WebSocket server listens; loopback while the controller runs on this host.',
    `listen: { host: ${scalar(config.listen.host)}, port: ${config.listen.port} }`,
    '',
    '# The token the controller presents: create this file with mode 0600 (see the steps import-config printed).',
    `auth: { tokenFile: ${scalar(config.auth.tokenFile)} }`,
    '',
    '# <stage>/<staging_dir> (or <store>/<source_dir> without it): one directory per day at <stagingRoot>/YYYY/MM/DD.',
    `stagingRoot: ${scalar(config.stagingRoot)}`,
    '',
    '# <options>/<working_dir>: mount points for verify and temporary images.',
    `workingDir: ${scalar(config.workingDir)}`,
  ];
  if (config.backupUser !== undefined || config.backupGroup !== undefined) {
    lines.push('', '# <options>/<backup_user>, <backup_group>: owner of the cback.store indicators.');
    if (config.backupUser !== undefined) lines.push(`backupUser: ${scalar(config.backupUser)}`);
    if (config.backupGroup !== undefined) lines.push(`backupGroup: ${scalar(config.backupGroup)}`);
  }
  lines.push(
    '',
    'devices:',
    "  # <store>/<device_type>: cdwriter → cdrecord, dvdwriter → growisofs (the reference's way of writing);",
    '  # xorriso writes the same discs in one pass without a temporary image.',
    `  - id: ${scalar(device.id)}`,
    `    backend: ${scalar(device.backend)}`,
    '    # <store>/<target_device>',
    `    path: ${scalar(device.path)}`,
    '    # <store>/<media_type>',
    `    mediaType: ${scalar(device.mediaType)}`,
  );
  if (device.driveSpeed !== undefined)
    lines.push('    # <store>/<drive_speed>', `    driveSpeed: ${device.driveSpeed}`);
  if (device.scsiId !== undefined)
    lines.push("    # <store>/<target_scsi_id>: cdrecord's dev=", `    scsiId: ${scalar(device.scsiId)}`);
  lines.push(
    '    # <store>/<no_eject>, <eject_delay>, <refresh_media_delay> (whole seconds; absent = 0)',
    `    noEject: ${device.noEject}`,
    `    ejectDelay: ${device.ejectDelay}`,
    `    refreshMediaDelay: ${device.refreshMediaDelay}`,
    '    # How verify reads the disc back: mount -t iso9660 when it may, else directly through xorriso.',
    `    mountMethod: ${device.mountMethod}`,
  );
  return `${lines.join('\n')}\n`;
}

export function renderControllerYaml(config: ImportedControllerConfig, source: string): string {
  const agent = config.agents[0];
  const policy = config.policy;
  const lines = [
    `# cedar-store controller, imported from ${commentSafe(source)} by cedar-store import-config.`,
    '# Start it with: cedar-store controller --config /etc/cedar-store/controller.yaml',
    '# Every field is described in deploy/controller.example.yaml.',
    '',
    '# The HTTP API the cedar-store CLI talks to; loopback only.',
    `listen: { host: ${scalar(config.listen.host)}, port: ${config.listen.port} }`,
    '',
    '# The API token (cedar-store store reads it from CEDAR_STORE_TOKEN): create this file with mode 0600.',
    `auth: { tokenFile: ${scalar(config.auth.tokenFile)} }`,
    '',
    '# Run history and the media catalog (SQLite, created on first start).',
    `database: ${scalar(config.database)}`,
    '',
    '# "today" is decided in the host\'s local time, as the reference did; set an IANA zone to fix it.',
    '# timeZone: Europe/Paris',
    '',
    '# The agent on this host; its token file is the one agent.yaml names.',
    'agents:',
    `  - id: ${scalar(agent.id)}`,
    `    url: ${scalar(agent.url)}`,
    `    tokenFile: ${scalar(agent.tokenFile)}`,
    '',
    'policy:',
    '  # <options>/<starting_day>',
    `  startingDay: ${policy.startingDay}`,
    '  # <store>/<check_data>: read every disc back after writing (absent in cback.conf = N)',
    `  checkData: ${policy.checkData}`,
    '  # <store>/<check_media>: refuse rewritable media not labelled by cedar-store initialize',
    `  checkMedia: ${policy.checkMedia}`,
    "  # <store>/<warn_midnite>: warn when store wrote yesterday's or tomorrow's day",
    `  warnMidnite: ${policy.warnMidnite}`,
  ];
  if (policy.blankBehavior) {
    lines.push(
      '  # <store>/<blank_behavior>: a new disc when available / (1 + required) <= factor',
      `  blankBehavior: { mode: ${policy.blankBehavior.mode}, factor: ${policy.blankBehavior.factor} }`,
    );
  } else {
    lines.push('  # no <blank_behavior>: a new disc on the starting day, as the reference did');
  }
  if (policy.capacityLimit) {
    const limit =
      'maxPercentage' in policy.capacityLimit
        ? `{ maxPercentage: ${policy.capacityLimit.maxPercentage} }`
        : `{ minBytes: ${policy.capacityLimit.minBytes} }`;
    lines.push(
      "  # <capacity> (the reference's capacity extension): warn after a store past this limit",
      `  capacityLimit: ${limit}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
