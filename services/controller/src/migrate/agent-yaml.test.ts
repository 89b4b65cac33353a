// import-config writes agent.yaml with the agent's own schema (libs/ports): what it writes, the
// agent accepts as it is, defaults and all, for the reference's CD and DVD writers alike.
import { readFileSync } from 'node:fs';
import { AgentConfigSchema } from '@cedar-store/ports';
import { describe, expect, it } from 'vitest';
import { mapCedarBackupConfig } from './map-cback-config.js';

const FULL = readFileSync(new URL('./fixtures/cback.conf', import.meta.url), 'utf8');

describe('the agent.yaml import-config writes', () => {
  it.each([
    ['the full reference configuration (a DVD writer)', FULL],
    [
      'a CD writer',
      FULL.replace(/<device_type>[^<]*<\/device_type>/, '<device_type>cdwriter</device_type>').replace(
        /<media_type>[^<]*<\/media_type>/,
        '<media_type>cdrw-80</media_type>',
      ),
    ],
  ])('is a valid agent.yaml: %s', (_, xml) => {
    const { agentConfig } = mapCedarBackupConfig(xml, { agentId: 'burner-1', source: 'cback.conf' });
    const parsed = AgentConfigSchema.safeParse(agentConfig);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    expect(parsed.data?.devices[0]).toMatchObject(agentConfig.devices[0]);
  });
});
