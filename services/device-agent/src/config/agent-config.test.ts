import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadAgentConfig, programTimeoutsMs, resolveAgentConfig } from './agent-config.js';

const TOKEN = 'a-token-of-twenty-chars';
const NO_ENV = {};

function minimalConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    agentId: 'burner-1',
    listen: {},
    auth: { token: TOKEN },
    stagingRoot: '/opt/backup/stage',
    workingDir: '/var/lib/cedar-store/work',
    devices: [{ id: 'dvd0', path: '/dev/sr0', mediaType: 'dvd+rw' }],
    ...overrides,
  };
}

function withDevice(device: Record<string, unknown>): Record<string, unknown> {
  return minimalConfig({ devices: [{ id: 'dvd0', path: '/dev/sr0', mediaType: 'dvd+rw', ...device }] });
}

/** The ConfigError `resolveAgentConfig` rejects with. */
async function rejection(document: unknown, env: NodeJS.ProcessEnv = NO_ENV): Promise<ConfigError> {
  const error = await resolveAgentConfig(document, 'agent.yaml', env).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('a valid configuration', () => {
  it('gets the documented defaults', async () => {
    const config = await resolveAgentConfig(minimalConfig(), 'agent.yaml', NO_ENV);
    expect(config.agentId).toBe('burner-1');
    expect(config.token).toBe(TOKEN);
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 7701 });
    expect(config.devices).toEqual([
      {
        id: 'dvd0',
        backend: 'xorriso',
        path: '/dev/sr0',
        mediaType: 'dvd+rw',
        noEject: false,
        ejectDelay: 0,
        refreshMediaDelay: 0,
        mountMethod: 'auto',
      },
    ]);
    expect(config.limits).toEqual({
      maxFrameBytes: 256 * 1024,
      maxInFlightPerConnection: 32,
      heartbeatSeconds: 30,
      maxConnections: 16,
      handshakeTimeoutSeconds: 10,
    });
    expect(config).not.toHaveProperty('auth');
    // Hours for a write or blank: no real burn may ever be cut short.
    expect(config.timeouts).toEqual({
      status: 120,
      estimate: 1800,
      write: 36_000,
      blank: 9000,
      mount: 60,
      eject: 120,
    });
  });

  it('restores under <workingDir>/restore unless restoreRoot says where', async () => {
    expect((await resolveAgentConfig(minimalConfig(), 'agent.yaml', NO_ENV)).restoreRoot).toBe(
      '/var/lib/cedar-store/work/restore',
    );
    const given = await resolveAgentConfig(minimalConfig({ restoreRoot: '/srv/restore' }), 'agent.yaml', NO_ENV);
    expect(given.restoreRoot).toBe('/srv/restore');
    expect((await rejection(minimalConfig({ restoreRoot: 'restore' }))).message).toMatch(/restoreRoot.*absolute path/);
  });

  it('keeps the time limits it was given and fills in the others', async () => {
    const config = await resolveAgentConfig(
      minimalConfig({ timeouts: { write: 7200, mount: 30 } }),
      'agent.yaml',
      NO_ENV,
    );
    expect(config.timeouts).toMatchObject({ write: 7200, mount: 30, blank: 9000, status: 120 });
    expect(programTimeoutsMs(config.timeouts)).toMatchObject({ write: 7_200_000, mount: 30_000, blank: 9_000_000 });
  });

  it('takes the token from CEDAR_AGENT_TOKEN with an empty auth section, as the README does', async () => {
    const config = await resolveAgentConfig(minimalConfig({ auth: {} }), 'agent.yaml', { CEDAR_AGENT_TOKEN: TOKEN });
    expect(config.token).toBe(TOKEN);
  });

  it('keeps the listen port when only the host is given', async () => {
    const config = await resolveAgentConfig(minimalConfig({ listen: { host: '0.0.0.0' } }), 'agent.yaml', NO_ENV);
    expect(config.listen).toEqual({ host: '0.0.0.0', port: 7701 });
  });

  it('keeps the settings it was given', async () => {
    const config = await resolveAgentConfig(
      withDevice({
        backend: 'virtual',
        driveSpeed: 4,
        scsiId: 'ATA:1,0,0',
        noEject: true,
        ejectDelay: 3,
        refreshMediaDelay: 5,
        mountMethod: 'fuseiso',
      }),
      'agent.yaml',
      NO_ENV,
    );
    expect(config.devices[0]).toMatchObject({
      backend: 'virtual',
      driveSpeed: 4,
      scsiId: 'ATA:1,0,0',
      noEject: true,
      ejectDelay: 3,
      refreshMediaDelay: 5,
      mountMethod: 'fuseiso',
    });
  });

  it.each(['ATA:1,0,0', '0,0,0'])('accepts the SCSI id %s', async (scsiId) => {
    const config = await resolveAgentConfig(withDevice({ scsiId }), 'agent.yaml', NO_ENV);
    expect(config.devices[0]?.scsiId).toBe(scsiId);
  });
});

describe('a broken rule is reported with the field and the rule', () => {
  it.each([
    ['driveSpeed 0', withDevice({ driveSpeed: 0 }), 'devices.0.driveSpeed', 'must be >= 1'],
    ['driveSpeed 1.5', withDevice({ driveSpeed: 1.5 }), 'devices.0.driveSpeed', 'must be a whole number'],
    ['ejectDelay -1', withDevice({ ejectDelay: -1 }), 'devices.0.ejectDelay', 'must be >= 0'],
    ['scsiId ATA:1,0', withDevice({ scsiId: 'ATA:1,0' }), 'devices.0.scsiId', 'must be [method:]bus,target,lun'],
    ['a relative stagingRoot', minimalConfig({ stagingRoot: 'stage' }), 'stagingRoot', 'must be an absolute path'],
    ['an unknown mediaType', withDevice({ mediaType: 'floppy' }), 'devices.0.mediaType', 'dvd+rw'],
    ['an unknown backend', withDevice({ backend: 'dd' }), 'devices.0.backend', 'xorriso'],
    ['an unknown field', minimalConfig({ stagingDir: '/opt/stage' }), 'stagingDir', 'Unrecognized key'],
    ['timeouts.write 0', minimalConfig({ timeouts: { write: 0 } }), 'timeouts.write', 'must be >= 1 second'],
    ['timeouts.blank 2.5', minimalConfig({ timeouts: { blank: 2.5 } }), 'timeouts.blank', 'whole number of seconds'],
    ['timeouts.status a year', minimalConfig({ timeouts: { status: 31_536_000 } }), 'timeouts.status', 'a week'],
    ['an unknown timeout', minimalConfig({ timeouts: { verify: 60 } }), 'timeouts', 'Unrecognized key'],
  ])('%s', async (_name, document, field, rule) => {
    const error = await rejection(document);
    expect(error.message).toContain('agent.yaml is not valid');
    expect(error.message).toContain(`${field}`);
    expect(error.message).toContain(rule);
  });

  it('an unknown field inside a device', async () => {
    const error = await rejection(withDevice({ speed: 4 }));
    expect(error.message).toMatch(/devices\.0.*speed/);
  });

  it('two devices with the same id', async () => {
    const device = { id: 'dvd0', path: '/dev/sr0', mediaType: 'dvd+rw' };
    const error = await rejection(minimalConfig({ devices: [device, { ...device, path: '/dev/sr1' }] }));
    expect(error.message).toContain('devices.1.id: must be unique');
  });

  it('no token at all', async () => {
    const error = await rejection(minimalConfig({ auth: {} }));
    expect(error.message).toMatch(/no token/);
    expect(error.message).toContain('CEDAR_AGENT_TOKEN');
  });

  it('a token shorter than 16 characters from the environment', async () => {
    const error = await rejection(minimalConfig({ auth: {} }), { CEDAR_AGENT_TOKEN: 'short' });
    expect(error.message).toContain('at least 16 characters');
  });

  it('a token with a space, which no Authorization header could carry', async () => {
    expect((await rejection(minimalConfig({ auth: { token: 'two words in one token' } }))).message).toContain(
      'must not contain spaces',
    );
    expect(
      (await rejection(minimalConfig({ auth: {} }), { CEDAR_AGENT_TOKEN: 'an environment token with spaces' })).message,
    ).toContain('must not contain spaces');
  });
});

describe('the token', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cedar-config-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('CEDAR_AGENT_TOKEN overrides auth.token', async () => {
    const config = await resolveAgentConfig(minimalConfig(), 'agent.yaml', {
      CEDAR_AGENT_TOKEN: ' from-the-environment-1234 \n',
    });
    expect(config.token).toBe('from-the-environment-1234');
  });

  it('is read from a tokenFile of mode 0600, trimmed', async () => {
    const tokenFile = join(dir, 'agent.token');
    await writeFile(tokenFile, `  ${TOKEN}\n`);
    await chmod(tokenFile, 0o600);
    const config = await resolveAgentConfig(minimalConfig({ auth: { tokenFile } }), 'agent.yaml', NO_ENV);
    expect(config.token).toBe(TOKEN);
  });

  it('is refused from a tokenFile other users can read, telling to chmod 600', async () => {
    const tokenFile = join(dir, 'agent.token');
    await writeFile(tokenFile, TOKEN);
    await chmod(tokenFile, 0o644);
    const error = await rejection(minimalConfig({ auth: { tokenFile } }));
    expect(error.message).toContain(tokenFile);
    expect(error.message).toContain('mode 644');
    expect(error.message).toContain(`chmod 600 ${tokenFile}`);
  });

  it('reports a tokenFile that does not exist', async () => {
    const tokenFile = join(dir, 'missing.token');
    const error = await rejection(minimalConfig({ auth: { tokenFile } }));
    expect(error.message).toContain(tokenFile);
    expect(error.message).toContain('ENOENT');
  });
});

describe('loadAgentConfig', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cedar-config-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a YAML file', async () => {
    const path = join(dir, 'agent.yaml');
    await writeFile(
      path,
      [
        'agentId: burner-1',
        'listen: { host: 0.0.0.0 }',
        `auth: { token: "${TOKEN}" }`,
        'stagingRoot: /opt/backup/stage',
        'workingDir: /var/lib/cedar-store/work',
        'devices:',
        '  - { id: dvd0, backend: xorriso, path: /dev/sr0, mediaType: dvd+rw, driveSpeed: 4, scsiId: "ATA:1,0,0" }',
        '',
      ].join('\n'),
    );
    const config = await loadAgentConfig(path, NO_ENV);
    expect(config.listen).toEqual({ host: '0.0.0.0', port: 7701 });
    expect(config.devices[0]).toMatchObject({ id: 'dvd0', driveSpeed: 4, scsiId: 'ATA:1,0,0' });
  });

  it('names the file when its YAML is invalid', async () => {
    const path = join(dir, 'agent.yaml');
    await writeFile(path, 'agentId: burner-1\ndevices: [ { id: dvd0\n');
    const error = await loadAgentConfig(path, NO_ENV).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(`${path} is not valid YAML`);
  });

  it('names the file when it is missing', async () => {
    const path = join(dir, 'missing.yaml');
    const error = await loadAgentConfig(path, NO_ENV).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toContain('ENOENT');
  });

  it('names the file when a rule is broken', async () => {
    const path = join(dir, 'agent.yaml');
    await writeFile(path, 'agentId: burner-1\n');
    const error = await loadAgentConfig(path, NO_ENV).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(`${path} is not valid`);
    expect((error as Error).message).toContain('stagingRoot');
  });
});

describe('tls files', () => {
  let dir: string;
  let pair: { cert: string; key: string };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cedar-config-tls-'));
    // A throwaway key pair made by openssl, the same way a user would make one.
    pair = { cert: join(dir, 'agent.crt'), key: join(dir, 'agent.key') };
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      pair.key,
      '-out',
      pair.cert,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
    ]);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('accepts a readable certificate and key', async () => {
    const config = await resolveAgentConfig(
      minimalConfig({ tls: { certFile: pair.cert, keyFile: pair.key } }),
      'agent.yaml',
      NO_ENV,
    );
    expect(config.tls).toEqual({ certFile: pair.cert, keyFile: pair.key });
  });

  it('refuses a missing certificate naming the setting, so start-up fails with exit 2 and not a crash', async () => {
    const missing = join(dir, 'nope.crt');
    const error = await rejection(minimalConfig({ tls: { certFile: missing, keyFile: pair.key } }));
    expect(error.message).toBe(`agent.yaml: tls.certFile ${missing} cannot be read (ENOENT)`);
  });

  it('refuses swapped files: the key given as the certificate, the certificate as the key', async () => {
    const swapped = await rejection(minimalConfig({ tls: { certFile: pair.key, keyFile: pair.key } }));
    expect(swapped.message).toContain(`tls.certFile ${pair.key} holds no PEM certificate`);
    const noKey = await rejection(minimalConfig({ tls: { certFile: pair.cert, keyFile: pair.cert } }));
    expect(noKey.message).toContain(`tls.keyFile ${pair.cert} holds no PEM private key`);
  });
});
