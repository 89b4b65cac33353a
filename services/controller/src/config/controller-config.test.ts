import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadControllerConfig, resolveControllerConfig } from './controller-config.js';

const TOKEN = 'an-api-token-of-24-chars';
const AGENT_TOKEN = 'an-agent-token-24-chars!';
const NO_ENV = {};

function document(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    auth: { token: TOKEN },
    database: '/var/lib/cedar-store/controller.db',
    agents: [{ id: 'burner-1', url: 'ws://127.0.0.1:7701/rpc', token: AGENT_TOKEN }],
    ...overrides,
  };
}

async function rejection(doc: unknown, env: NodeJS.ProcessEnv = NO_ENV): Promise<string> {
  const error = await resolveControllerConfig(doc, 'controller.yaml', env).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).message;
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cedar-controller-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a valid controller.yaml', () => {
  it('gets the documented defaults: loopback on 7700, no policy overrides', async () => {
    const config = await resolveControllerConfig(document(), 'controller.yaml', NO_ENV);
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 7700 });
    expect(config.token).toBe(TOKEN);
    expect(config.agents).toEqual([{ id: 'burner-1', url: 'ws://127.0.0.1:7701/rpc', token: AGENT_TOKEN }]);
    expect(config.policy).toEqual({});
    expect(config.devices).toEqual({});
    expect(config.timeZone).toBeUndefined();
  });

  it('takes CEDAR_STORE_TOKEN over the file', async () => {
    const config = await resolveControllerConfig(document(), 'controller.yaml', {
      CEDAR_STORE_TOKEN: 'the-environment-token-wins',
    });
    expect(config.token).toBe('the-environment-token-wins');
  });

  it('reads policy, per-device overrides, time zone and tokens from 0600 files', async () => {
    const apiFile = join(dir, 'api.token');
    const agentFile = join(dir, 'agent.token');
    await writeFile(apiFile, `${TOKEN}\n`, { mode: 0o600 });
    await writeFile(agentFile, `${AGENT_TOKEN}\n`, { mode: 0o600 });
    const path = join(dir, 'controller.yaml');
    await writeFile(
      path,
      [
        `auth: { tokenFile: ${apiFile} }`,
        `database: ${join(dir, 'controller.db')}`,
        'timeZone: Europe/Paris',
        'agents:',
        `  - { id: burner-1, url: "ws://127.0.0.1:7701/rpc", tokenFile: ${agentFile} }`,
        'policy:',
        '  startingDay: sunday',
        '  blankBehavior: { mode: weekly, factor: 1.3 }',
        '  capacityLimit: { maxPercentage: 90 }',
        'devices:',
        '  burner-1/dvd0: { checkMedia: true }',
        '',
      ].join('\n'),
    );
    const config = await loadControllerConfig(path, NO_ENV);
    expect(config.token).toBe(TOKEN);
    expect(config.agents[0]!.token).toBe(AGENT_TOKEN);
    expect(config.timeZone).toBe('Europe/Paris');
    expect(config.policy).toEqual({
      startingDay: 'sunday',
      blankBehavior: { mode: 'weekly', factor: 1.3 },
      capacityLimit: { maxPercentage: 90 },
    });
    expect(config.devices).toEqual({ 'burner-1/dvd0': { checkMedia: true } });
  });
});

describe('a broken controller.yaml is refused naming the field', () => {
  it.each([
    ['an unknown field', document({ databse: '/x' }), 'databse'],
    ['a relative database path', document({ database: 'var/controller.db' }), 'database: must be an absolute path'],
    ['an unknown time zone', document({ timeZone: 'Mars/Olympus' }), 'timeZone: must be an IANA time zone'],
    [
      'an http agent url',
      document({ agents: [{ id: 'a', url: 'http://h:1/rpc', token: AGENT_TOKEN }] }),
      'agents.0.url',
    ],
    ['an agent without token', document({ agents: [{ id: 'a', url: 'ws://h:1/rpc' }] }), 'needs token or tokenFile'],
    [
      'two agents with one id',
      document({
        agents: [
          { id: 'a', url: 'ws://h:1/rpc', token: AGENT_TOKEN },
          { id: 'a', url: 'ws://h:2/rpc', token: AGENT_TOKEN },
        ],
      }),
      'agents.1.id: must be unique',
    ],
    ['an override for an unknown agent', document({ devices: { 'burner-9/dvd0': {} } }), 'burner-9'],
    ['a bad starting day', document({ policy: { startingDay: 'someday' } }), 'policy.startingDay'],
    ['no agents', document({ agents: [] }), 'agents'],
  ])('%s', async (_name, doc, expected) => {
    expect(await rejection(doc)).toContain(expected);
  });

  it('refuses a configuration without any API token', async () => {
    expect(await rejection(document({ auth: {} }))).toContain('CEDAR_STORE_TOKEN');
  });

  it('refuses a token file other users can read, saying how to fix it', async () => {
    const file = join(dir, 'api.token');
    await writeFile(file, TOKEN);
    await chmod(file, 0o644);
    expect(await rejection(document({ auth: { tokenFile: file } }))).toContain(`chmod 600 ${file}`);
  });

  it('says which file it cannot read', async () => {
    await expect(loadControllerConfig(join(dir, 'missing.yaml'), NO_ENV)).rejects.toThrow(/missing\.yaml: ENOENT/);
  });

  it('reports YAML syntax errors', async () => {
    const path = join(dir, 'bad.yaml');
    await writeFile(path, 'agents: [\n');
    await expect(loadControllerConfig(path, NO_ENV)).rejects.toThrow(/not valid YAML/);
  });
});

describe('tokens must be presentable as a bearer token', () => {
  it('refuses a token with a space, wherever it comes from', async () => {
    expect(await rejection(document({ auth: { token: 'two words in one token' } }))).toContain(
      'must not contain spaces',
    );
    expect(await rejection(document(), { CEDAR_STORE_TOKEN: 'an environment token with spaces' })).toContain(
      'must not contain spaces',
    );
    const file = join(dir, 'agent.token');
    await writeFile(file, 'first-line-of-a-token\nsecond-line-of-it\n', { mode: 0o600 });
    expect(
      await rejection(document({ agents: [{ id: 'burner-1', url: 'ws://127.0.0.1:7701/rpc', tokenFile: file }] })),
    ).toContain('the token of agent burner-1 must not contain spaces');
  });
});
