// The example configurations in deploy/ load through the real loaders, so they cannot rot.
import { fileURLToPath } from 'node:url';
import { loadAgentConfig } from '@cedar-store/device-agent';
import { describe, expect, it } from 'vitest';

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
});
