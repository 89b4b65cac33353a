// Every configuration deploy/ ships loads through the real loaders, so none can rot: the
// files are found by walking deploy/, so a new example is covered without a new test.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControllerConfigSchema, loadControllerConfig } from '@cedar-store/controller';
import { loadAgentConfig } from '@cedar-store/device-agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '../../services/device-agent/src/config/agent-config.js';
import { DEPLOY, deployConfigs, relocateHostFiles, TEST_TOKEN, type DeployConfig } from './support/deploy-files.js';
import { fieldsNotMentioned, schemaFields } from './support/schema-fields.js';

const configs = await deployConfigs();
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'cedar-examples-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** The configuration as the target host would have it: its token and CA files created, 0600 tokens. */
async function onHost(config: DeployConfig): Promise<string> {
  return (await relocateHostFiles(config.path, await mkdtemp(join(scratch, 'host-')))).path;
}

// No token from the environment: the token must come from what the file names.
const loadAgent = async (config: DeployConfig) => loadAgentConfig(await onHost(config), {});
const loadController = async (config: DeployConfig) => loadControllerConfig(await onHost(config), {});
const load = (config: DeployConfig) => (config.kind === 'agent' ? loadAgent(config) : loadController(config));
const named = (name: string) => configs.find((config) => config.name === name)!;

describe('every configuration under deploy/', () => {
  it('finds the examples and the compose configurations', () => {
    expect(configs.map((config) => config.name)).toEqual(
      expect.arrayContaining([
        'deploy/agent.example.yaml',
        'deploy/controller.example.yaml',
        'deploy/compose-config/agent.yaml',
        'deploy/compose-config/controller.yaml',
      ]),
    );
  });

  it.each(configs.map((config) => [config.name, config] as const))(
    '%s loads through the real loader',
    async (_, config) => {
      const loaded = await load(config);
      expect(loaded.token).toBe(TEST_TOKEN);
    },
  );
});

describe('the examples comment every field of the current schemas', () => {
  it('agent.example.yaml names every agent.yaml field', async () => {
    const text = await readFile(join(DEPLOY, 'agent.example.yaml'), 'utf8');
    expect(schemaFields(AgentConfigSchema)).toContain('devices.mountMethod');
    expect(fieldsNotMentioned(AgentConfigSchema, text)).toEqual([]);
  });

  it('controller.example.yaml names every controller.yaml field', async () => {
    const text = await readFile(join(DEPLOY, 'controller.example.yaml'), 'utf8');
    expect(schemaFields(ControllerConfigSchema)).toContain('policy.capacityLimit.minBytes');
    expect(fieldsNotMentioned(ControllerConfigSchema, text)).toEqual([]);
  });

  it('a field the example forgot is found', () => {
    expect(fieldsNotMentioned(AgentConfigSchema, 'agentId: x\nlisten: { host: a, port: 1 }')).toContain('stagingRoot');
  });
});

describe('what the examples say', () => {
  it('agent.example.yaml: a real drive and a virtual archive', async () => {
    const config = await loadAgent(named('deploy/agent.example.yaml'));
    expect(config.agentId).toBe('burner-1');
    expect(config.devices.map((device) => `${device.id}:${device.backend}:${device.mediaType}`)).toEqual([
      'dvd0:xorriso:dvd+rw',
      'archive:virtual:dvd+rw',
    ]);
    expect(config.devices[0]).toMatchObject({ driveSpeed: 4, scsiId: 'ATA:1,0,0', mountMethod: 'auto' });
  });

  it('controller.example.yaml: one agent, the reference policy, an override', async () => {
    const config = await loadController(named('deploy/controller.example.yaml'));
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 7700 });
    expect(config.agents.map((agent) => agent.id)).toEqual(['burner-1']);
    expect(config.policy).toMatchObject({ startingDay: 'monday', checkData: true, blankBehavior: { mode: 'weekly' } });
    expect(config.devices).toEqual({ 'burner-1/dvd0': { checkMedia: true } });
  });

  it('the commented "defaults shown" lines of agent.example.yaml are valid and are the defaults', async () => {
    const example = named('deploy/agent.example.yaml');
    const text = await readFile(example.path, 'utf8');
    const commented = [...text.matchAll(/^# ((limits|timeouts): \{.*\})$/gm)].map((match) => match[1]!);
    expect(commented.map((line) => line.slice(0, line.indexOf(':')))).toEqual(['limits', 'timeouts']);
    const uncommentedPath = join(await mkdtemp(join(scratch, 'defaults-')), 'agent.example.yaml');
    let uncommented = text;
    for (const line of commented) uncommented = uncommented.replace(`# ${line}`, line);
    await writeFile(uncommentedPath, uncommented);
    const asShipped = await loadAgent(example);
    const withDefaultsWritten = await loadAgent({ ...example, path: uncommentedPath });
    expect(withDefaultsWritten).toEqual(asShipped);
  });
});
