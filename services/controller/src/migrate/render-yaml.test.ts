import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ControllerConfigSchema } from '../config/controller-config.js';
import { mapCedarBackupConfig, type ImportedAgentConfig } from './map-cback-config.js';
import { renderAgentYaml, renderControllerYaml } from './render-yaml.js';

const FULL = readFileSync(new URL('./fixtures/cback.conf', import.meta.url), 'utf8');

describe('the imported YAML', () => {
  const { agentConfig, controllerConfig } = mapCedarBackupConfig(FULL, { agentId: 'office-1' });

  it('reads back as exactly the mapped configuration', () => {
    expect(parse(renderAgentYaml(agentConfig, 'cback.conf'))).toEqual(agentConfig);
    const controller: unknown = parse(renderControllerYaml(controllerConfig, 'cback.conf'));
    expect(controller).toEqual(controllerConfig);
    expect(ControllerConfigSchema.safeParse(controller).success).toBe(true);
  });

  it('says which cback.conf element each value came from', () => {
    const agent = renderAgentYaml(agentConfig, 'cback.conf');
    expect(agent).toMatch(/# <stage>\/<staging_dir>.*\nstagingRoot: \/opt\/backup\/stage/);
    expect(agent).toMatch(/# <store>\/<target_scsi_id>.*\n {4}scsiId: ATA:1,0,0/);
    const controller = renderControllerYaml(controllerConfig, 'cback.conf');
    expect(controller).toMatch(/# <options>\/<starting_day>\n {2}startingDay: tuesday/);
    expect(controller).toMatch(/# <capacity>.*\n {2}capacityLimit: \{ maxPercentage: 95.5 \}/);
  });

  it('quotes values YAML would otherwise read as something else', () => {
    const odd: ImportedAgentConfig = {
      ...agentConfig,
      stagingRoot: '/srv/stage: #1',
      workingDir: "/srv/it's here",
      backupUser: 'yes',
      backupGroup: '0755',
    };
    const text = renderAgentYaml(odd, 'weird\nname.conf');
    expect(parse(text)).toEqual(odd);
    expect(text.split('\n')[0]).toBe(
      '# cedar-store device agent, imported from weird?name.conf by cedar-store import-config.',
    );
  });
});
