// The example configurations in deploy/ load through the real loaders, so they cannot rot.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ControllerConfigSchema } from '@cedar-store/controller';
import { loadAgentConfig } from '@cedar-store/device-agent';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

const deploy = (name: string): string => fileURLToPath(new URL(`../../deploy/${name}`, import.meta.url));

describe('example configurations', () => {
  it('agent.example.yaml is a valid agent configuration', async () => {
    const config = await loadAgentConfig(deploy('agent.example.yaml'), {
      CEDAR_AGENT_TOKEN: 'a-token-long-enough-1234',
    });
    expect(config.agentId).toBe('burner-1');
    expect(config.devices.map((device) => `${device.id}:${device.backend}:${device.mediaType}`)).toEqual([
      'dvd0:xorriso:dvd+rw',
      'archive:virtual:dvd+rw',
    ]);
    expect(config.devices[0]).toMatchObject({ driveSpeed: 4, scsiId: 'ATA:1,0,0', mountMethod: 'auto' });
  });

  it('controller.example.yaml is a valid controller configuration', async () => {
    // Its token files live on a real host, so the schema is checked on the document itself.
    const document: unknown = parseYaml(await readFile(deploy('controller.example.yaml'), 'utf8'));
    const config = ControllerConfigSchema.parse(document);
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 7700 });
    expect(config.agents.map((agent) => agent.id)).toEqual(['burner-1']);
    expect(config.policy).toMatchObject({ startingDay: 'monday', checkData: true, blankBehavior: { mode: 'weekly' } });
    expect(config.devices).toEqual({ 'burner-1/dvd0': { checkMedia: true } });
  });
});
