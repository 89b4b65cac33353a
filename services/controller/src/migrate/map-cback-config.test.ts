import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ControllerConfigSchema } from '../config/controller-config.js';
import { mapCedarBackupConfig } from './map-cback-config.js';
import { MigrationError } from './migration-error.js';

const FULL = readFileSync(new URL('./fixtures/cback.conf', import.meta.url), 'utf8');

/** A configuration with only what the reference requires for store, and `store` elements to add. */
function minimal(store = '', extra = ''): string {
  return `<?xml version="1.0"?>
<cb_config>
  <options><starting_day>monday</starting_day><working_dir>/var/tmp/cback</working_dir></options>
  <store>
    <source_dir>/srv/stage</source_dir><media_type>cdrw-80</media_type><target_device>/dev/cdrw</target_device>
    ${store}
  </store>
  ${extra}
</cb_config>`;
}

/** The minimal configuration with one of its required elements given another value. */
function withStore(name: 'source_dir' | 'media_type' | 'target_device', value: string): string {
  return minimal().replace(new RegExp(`<${name}>[^<]*</${name}>`), `<${name}>${value}</${name}>`);
}

function refusal(xml: string): MigrationError {
  try {
    mapCedarBackupConfig(xml, { agentId: 'burner-1', source: 'cback.conf' });
  } catch (error) {
    if (error instanceof MigrationError) return error;
    throw error;
  }
  throw new Error('the configuration was accepted');
}

describe('mapCedarBackupConfig: a full configuration', () => {
  const result = mapCedarBackupConfig(FULL, { agentId: 'office-1', source: 'cback.conf' });

  it('puts paths, owner and the drive in agent.yaml', () => {
    expect(result.agentConfig).toEqual({
      agentId: 'office-1',
      listen: { host: '127.0.0.1', port: 7701 },
      auth: { tokenFile: '/etc/cedar-store/agent.token' },
      stagingRoot: '/opt/backup/stage',
      workingDir: '/opt/backup/tmp',
      backupUser: 'backup',
      backupGroup: 'backup',
      devices: [
        {
          id: 'dvd0',
          backend: 'growisofs',
          path: '/dev/sr0',
          mediaType: 'dvd+rw',
          driveSpeed: 4,
          scsiId: 'ATA:1,0,0',
          noEject: false,
          ejectDelay: 3,
          refreshMediaDelay: 12,
          mountMethod: 'auto',
        },
      ],
    });
  });

  it('puts how store decides in controller.yaml, with the agent it reaches on loopback', () => {
    expect(result.controllerConfig.policy).toEqual({
      startingDay: 'tuesday',
      checkData: true,
      checkMedia: true,
      warnMidnite: true,
      blankBehavior: { mode: 'weekly', factor: 1.3 },
      capacityLimit: { maxPercentage: 95.5 },
    });
    expect(result.controllerConfig.agents).toEqual([
      { id: 'office-1', url: 'ws://127.0.0.1:7701/rpc', tokenFile: '/etc/cedar-store/agent.token' },
    ]);
    expect(ControllerConfigSchema.safeParse(result.controllerConfig).success).toBe(true);
  });

  it('notes every section and option it leaves out', () => {
    const notes = result.notes.join('\n');
    for (const section of ['reference', 'extensions', 'peers', 'collect', 'purge', 'mysql']) {
      expect(notes).toContain(`left out <${section}>`);
    }
    expect(notes).toMatch(/<rcp_command>, <rsh_command>, <override>, <pre_action_hook>/);
    expect(notes).not.toContain('<capacity>');
  });
});

describe('mapCedarBackupConfig: what the reference leaves unsaid', () => {
  const result = mapCedarBackupConfig(minimal(), { agentId: 'burner-1' });

  it('takes the reference defaults: cdwriter, flags off, no delays, no blank behaviour', () => {
    expect(result.agentConfig.devices[0]).toEqual({
      id: 'cd0',
      backend: 'cdrecord',
      path: '/dev/cdrw',
      mediaType: 'cdrw-80',
      noEject: false,
      ejectDelay: 0,
      refreshMediaDelay: 0,
      mountMethod: 'auto',
    });
    expect(result.controllerConfig.policy).toEqual({
      startingDay: 'monday',
      checkData: false,
      checkMedia: false,
      warnMidnite: false,
    });
    expect(result.agentConfig).not.toHaveProperty('backupUser');
  });

  it('says which defaults it chose and that checkData is off', () => {
    const notes = result.notes.join('\n');
    expect(notes).toContain('cdwriter assumed');
    expect(notes).toContain('checkData is false');
    expect(notes).toContain('<backup_user>');
  });

  // Cedar Backup store.py _findCorrectDailyDir: `todayPath = os.path.join(config.stage.targetDir, todayDate)`:
  // store reads the days from <stage>/<staging_dir>; only rebuild.py reads `config.store.sourceDir`.
  it('takes <stage>/<staging_dir> as the staging root, and says when <store>/<source_dir> differs', () => {
    const both = mapCedarBackupConfig(minimal('', '<stage><staging_dir>/srv/other</staging_dir></stage>'), {
      agentId: 'a',
    });
    expect(both.agentConfig.stagingRoot).toBe('/srv/other');
    expect(both.rebuildSourceDir).toBe('/srv/stage');
    expect(both.notes.join('\n')).toContain(
      '<store>/<source_dir> (/srv/stage) differs from <stage>/<staging_dir> (/srv/other): the staging root is ' +
        "the staging directory, where the reference's store action reads the days; only its rebuild action read",
    );
    const same = mapCedarBackupConfig(minimal('', '<stage><staging_dir>/srv/stage/</staging_dir></stage>'), {
      agentId: 'a',
    });
    expect(same.agentConfig.stagingRoot).toBe('/srv/stage/');
    expect(same).not.toHaveProperty('rebuildSourceDir');
    expect(same.notes.join('\n')).not.toContain('differs');
  });

  it('falls back on <store>/<source_dir> without a staging directory, saying so, and needs one of them', () => {
    const noStage = mapCedarBackupConfig(minimal(), { agentId: 'a' });
    expect(noStage.agentConfig.stagingRoot).toBe('/srv/stage');
    expect(noStage).not.toHaveProperty('rebuildSourceDir');
    expect(noStage.notes.join('\n')).toContain('no <stage>/<staging_dir>: the staging root is <store>/<source_dir>');
    const neither = minimal().replace('<source_dir>/srv/stage</source_dir>', '');
    expect(refusal(neither).message).toMatch(/missing <stage>\/<staging_dir> \(and no <store>\/<source_dir>/);
  });

  it('accepts a capitalised starting day, saying it was normalised (Cedar Backup 3 refuses it)', () => {
    const result = mapCedarBackupConfig(minimal().replace('>monday<', '>Monday<'), { agentId: 'a' });
    expect(result.controllerConfig.policy.startingDay).toBe('monday');
    expect(result.notes.join('\n')).toContain('<options>/<starting_day> "Monday" was normalised to monday');
    expect(mapCedarBackupConfig(minimal(), { agentId: 'a' }).notes.join('\n')).not.toContain('normalised');
  });

  it('reads y and n as the reference does, a capacity in bytes, and a SCSI id with spaces', () => {
    const result = mapCedarBackupConfig(
      minimal(
        '<check_data>y</check_data><no_eject>y</no_eject><target_scsi_id> 0, 3, 0 </target_scsi_id>',
        '<capacity><min_bytes>1.5 GB</min_bytes></capacity>',
      ),
      { agentId: 'a' },
    );
    expect(result.controllerConfig.policy.checkData).toBe(true);
    expect(result.agentConfig.devices[0]).toMatchObject({ noEject: true, scsiId: '0,3,0' });
    expect(result.controllerConfig.policy.capacityLimit).toEqual({ minBytes: 1.5 * 2 ** 30 });
  });

  it('keeps &amp; in a path as the character it stands for', () => {
    const result = mapCedarBackupConfig(withStore('source_dir', '/srv/R&amp;D/stage'), { agentId: 'a' });
    expect(result.agentConfig.stagingRoot).toBe('/srv/R&D/stage');
  });
});

describe('mapCedarBackupConfig: what it refuses, naming the element and the value', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['an unknown media type', withStore('media_type', 'dvd-ram'), /<store>\/<media_type> is "dvd-ram".*cdr-74/],
    [
      'Blu-ray on a dvdwriter',
      minimal('<device_type>dvdwriter</device_type>').replace('cdrw-80', 'bd-r'),
      /"bd-r" cannot be written by <device_type> dvdwriter: use one of dvd\+r/,
    ],
    [
      'CD media on a dvdwriter',
      minimal('<device_type>dvdwriter</device_type>'),
      /"cdrw-80" cannot be written by <device_type> dvdwriter/,
    ],
    [
      'an unknown device type',
      minimal('<device_type>tapewriter</device_type>'),
      /<store>\/<device_type> is "tapewriter".*cdwriter and dvdwriter/,
    ],
    [
      'a speed that is not a number',
      minimal('<drive_speed>fast</drive_speed>'),
      /<store>\/<drive_speed> is "fast": write a whole number >= 1/,
    ],
    ['a speed of zero', minimal('<drive_speed>0</drive_speed>'), /<drive_speed> is "0"/],
    ['a fractional speed', minimal('<drive_speed>4.5</drive_speed>'), /<drive_speed> is "4.5"/],
    [
      'a negative delay',
      minimal('<eject_delay>-1</eject_delay>'),
      /<store>\/<eject_delay> is "-1": write a whole number >= 0/,
    ],
    [
      'a flag other than Y or N',
      minimal('<check_data>true</check_data>'),
      /<store>\/<check_data> is "true": write Y or N/,
    ],
    // Cedar Backup xmlutil.py readBoolean: `raise ValueError("Boolean values must be one of %s." % VALID_BOOLEAN_VALUES)`.
    [
      'Yes as a flag, as Cedar Backup 3 refuses it',
      minimal('<check_media>Yes</check_media>'),
      /<store>\/<check_media> is "Yes": write Y or N \(Cedar Backup 3 refuses it too: it accepts only Y, y, N or n\)/,
    ],
    [
      'an unknown blank mode',
      minimal('<blank_behavior><mode>monthly</mode><factor>1</factor></blank_behavior>'),
      /<mode> is "monthly": write daily or weekly/,
    ],
    [
      'a factor that is not a number',
      minimal('<blank_behavior><mode>daily</mode><factor>lots</factor></blank_behavior>'),
      /<factor> is "lots"/,
    ],
    [
      'a blank behaviour without a factor',
      minimal('<blank_behavior><mode>daily</mode></blank_behavior>'),
      /missing <store>\/<blank_behavior>\/<factor>/,
    ],
    ['an unknown starting day', minimal().replace('monday', 'funday'), /<options>\/<starting_day> is "funday"/],
    [
      'a relative target device',
      withStore('target_device', 'sr0'),
      /<store>\/<target_device> is "sr0": write an absolute path/,
    ],
    [
      'a SCSI id cdrecord cannot use',
      minimal('<target_scsi_id>IOCompactDiscServices</target_scsi_id>'),
      /<target_scsi_id> is "IOCompactDiscServices"/,
    ],
    [
      'an element it does not know in <store>',
      minimal('<burn_twice>Y</burn_twice>'),
      /<store>\/<burn_twice> is not an element/,
    ],
    [
      'a repeated element',
      minimal('<drive_speed>4</drive_speed><drive_speed>8</drive_speed>'),
      /<store>\/<drive_speed> appears more than once/,
    ],
    [
      'a missing media type',
      minimal().replace('<media_type>cdrw-80</media_type>', ''),
      /missing <store>\/<media_type>/,
    ],
    [
      'a missing working directory',
      minimal().replace('<working_dir>/var/tmp/cback</working_dir>', ''),
      /missing <options>\/<working_dir>/,
    ],
    [
      'two capacity limits',
      minimal('', '<capacity><max_percentage>90</max_percentage><min_bytes>10</min_bytes></capacity>'),
      /both <max_percentage> and <min_bytes>/,
    ],
    [
      'a percentage above 100',
      minimal('', '<capacity><max_percentage>120</max_percentage></capacity>'),
      /<max_percentage> is "120"/,
    ],
  ];

  it.each(cases)('%s', (_name, xml, message) => {
    expect(refusal(xml).message).toMatch(message);
  });

  it('a missing <store> says what it holds', () => {
    const error = refusal('<cb_config><options><starting_day>monday</starting_day></options></cb_config>');
    expect(error.message).toMatch(/missing <store>: it holds the drive/);
    expect(error.element).toBe('store');
  });

  it('malformed XML names the line', () => {
    expect(refusal('<cb_config>\n<store>\n</cb_config>').message).toMatch(/not well-formed XML \(line 3/);
  });

  it('another root element is not a Cedar Backup configuration', () => {
    expect(refusal('<config><store/></config>').message).toMatch(/root element is <config>, expected one <cb_config>/);
  });

  it('a DOCTYPE is refused before any entity could expand', () => {
    const bomb = `<!DOCTYPE cb_config [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>${minimal().replace('<?xml version="1.0"?>', '').replace('/srv/stage', '/srv/&b;')}`;
    expect(refusal(bomb).message).toMatch(/declares a DOCTYPE or ENTITY/);
  });

  it('an agent id with a slash is refused', () => {
    expect(() => mapCedarBackupConfig(minimal(), { agentId: 'a/b' })).toThrow(
      /--agent-id "a\/b" is not a valid agent id/,
    );
  });
});
