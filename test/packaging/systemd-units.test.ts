// The systemd units agree with the example configurations they are documented with: what the
// services write is writable (and nothing else), the hardening the deployment promises is
// there, and ExecStart runs the bins the packages build.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { cli, fake, TOKEN } from '../../services/controller/src/cli/testing/fake-controller.js';
import {
  DEPLOY,
  isWithin,
  nodeEnvironmentOf,
  nodeFlagsOf,
  readUnit,
  ROOT,
  unitPaths,
  unitValue,
  type Unit,
} from './support/deploy-files.js';

type AgentExample = {
  stagingRoot: string;
  workingDir: string;
  restoreRoot?: string;
  devices: Array<{ backend?: string; path: string }>;
};
type ControllerExample = { database: string };

const agentExample = parseYaml(await readFile(join(DEPLOY, 'agent.example.yaml'), 'utf8')) as AgentExample;
const controllerExample = parseYaml(
  await readFile(join(DEPLOY, 'controller.example.yaml'), 'utf8'),
) as ControllerExample;
const agentUnit = await readUnit('cedar-store-agent.service');
const controllerUnit = await readUnit('cedar-store-controller.service');

const FUSEISO_DROP_IN = 'agent-fuseiso.conf';

/** Where the README installs the repository. */
const INSTALL_DIR = '/opt/cedar-store';

function writable(unit: Unit): string[] {
  return unitPaths(unit, 'Service', 'ReadWritePaths');
}

function covered(path: string, unit: Unit): boolean {
  return writable(unit).some((dir) => isWithin(path, dir));
}

describe('the services may write what their example configurations name, and only that', () => {
  it('the agent: stagingRoot, workingDir, restoreRoot and the directory of every virtual image', () => {
    const needed = [
      agentExample.stagingRoot,
      agentExample.workingDir,
      agentExample.restoreRoot ?? join(agentExample.workingDir, 'restore'),
      ...agentExample.devices.filter((device) => device.backend === 'virtual').map((device) => dirname(device.path)),
    ];
    expect(needed.filter((path) => !covered(path, agentUnit))).toEqual([]);
    // Nothing beyond them: every writable path is one of those or inside one.
    expect(writable(agentUnit).filter((dir) => !needed.some((path) => isWithin(dir, path)))).toEqual([]);
  });

  it("the controller: the database's directory (SQLite writes -wal and -shm beside it)", () => {
    const databaseDir = dirname(controllerExample.database);
    expect(covered(databaseDir, controllerUnit)).toBe(true);
    expect(writable(controllerUnit).filter((dir) => !isWithin(dir, databaseDir))).toEqual([]);
  });

  it('the agent may open every drive of its example; the fuseiso drop-in adds /dev/fuse', async () => {
    const allowed = (unit: Unit) => (unit.Service?.DeviceAllow ?? []).map((value) => value.split(/\s+/)[0]);
    const drives = agentExample.devices.filter((device) => device.backend !== 'virtual').map((device) => device.path);
    expect(drives.filter((path) => !allowed(agentUnit).includes(path))).toEqual([]);
    expect(allowed(agentUnit)).not.toContain('/dev/fuse');
    expect(allowed(await readUnit(FUSEISO_DROP_IN))).toEqual(['/dev/fuse']);
    expect(unitValue(agentUnit, 'Service', 'DevicePolicy')).toBe('closed');
    // PrivateDevices=yes would hide the drive whatever DeviceAllow says.
    expect(unitValue(agentUnit, 'Service', 'PrivateDevices')).not.toBe('yes');
  });
});

describe('hardening and restarts (issue 5: dedicated user, ProtectSystem=strict, NoNewPrivileges)', () => {
  it.each([
    ['cedar-store-controller.service', controllerUnit],
    ['cedar-store-agent.service', agentUnit],
  ])('%s', (_name, unit) => {
    const service = (key: string) => unitValue(unit, 'Service', key);
    expect(service('User')).toMatch(/^(?!root$)[a-z][a-z0-9-]*$/);
    expect(service('ProtectSystem')).toBe('strict');
    expect(service('NoNewPrivileges')).toBe('yes');
    expect(service('Restart')).toBe('on-failure');
    expect(service('ProtectHome')).toBe('yes');
    expect(service('PrivateTmp')).toBe('yes');
    // A configuration mistake exits 2: restarting would only loop.
    expect(service('RestartPreventExitStatus')).toBe('2');
    expect(unitValue(unit, 'Install', 'WantedBy')).toBe('multi-user.target');
  });

  it('a stopped or crashed agent never takes its burner with it (the journal picks the burn up)', () => {
    expect(unitValue(agentUnit, 'Service', 'KillMode')).toBe('process');
  });

  it('the agent is in the groups owning the drive and the staging days, with CAP_CHOWN only', async () => {
    expect(unitValue(agentUnit, 'Service', 'SupplementaryGroups')?.split(/\s+/).sort()).toEqual(['backup', 'cdrom']);
    expect(unitValue(agentUnit, 'Service', 'CapabilityBoundingSet')).toBe('CAP_CHOWN');
    expect(unitValue(agentUnit, 'Service', 'AmbientCapabilities')).toBe('CAP_CHOWN');
    // Mounting is the drop-in's business only.
    expect(unitValue(agentUnit, 'Service', 'SystemCallFilter')).toBe('@system-service');
    const dropIn = await readUnit(FUSEISO_DROP_IN);
    expect(unitValue(dropIn, 'Service', 'AmbientCapabilities')).toBe('CAP_SYS_ADMIN');
    expect(unitValue(dropIn, 'Service', 'SystemCallFilter')).toBe('@mount');
    expect(unitValue(controllerUnit, 'Service', 'CapabilityBoundingSet')).toBe('');
  });
});

describe('ExecStart runs what the build produces', () => {
  async function binOf(pkg: string): Promise<Record<string, string>> {
    const manifest = JSON.parse(await readFile(join(ROOT, pkg, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
    };
    return manifest.bin;
  }

  it.each([
    [
      'cedar-store-controller.service',
      'services/controller',
      'cedar-store',
      / controller --config \/etc\/cedar-store\/controller\.yaml$/,
    ],
    [
      'cedar-store-agent.service',
      'services/device-agent',
      'cedar-store-agent',
      / --config \/etc\/cedar-store\/agent\.yaml$/,
    ],
    ['cedar-store-nightly.service', 'services/controller', 'cedar-store', / store --json$/],
  ])('%s starts the %s bin', async (name, pkg, bin, args) => {
    const unit = await readUnit(name);
    const execStart = unitValue(unit, 'Service', 'ExecStart')!;
    const script = (await binOf(pkg))[bin]!.replace(/^\.\//, '');
    // With the node flags the bin's first line runs it with.
    const flags = await nodeFlagsOf(join(ROOT, pkg));
    expect(execStart.startsWith(`/usr/bin/node ${[...flags, join(INSTALL_DIR, pkg, script)].join(' ')} `)).toBe(true);
    expect(execStart).toMatch(args);
    // And with the environment it sets before node.
    expect(unitEnvironment(unit, '/run/credentials')).toMatchObject(await nodeEnvironmentOf(join(ROOT, pkg)));
  });
});

/** Environment= of a unit as the service sees it, with %d (its credentials directory) filled in. */
function unitEnvironment(unit: Unit, credentialsDir: string): Record<string, string> {
  const pairs = (unit.Service?.Environment ?? []).map((value) => {
    const eq = value.indexOf('=');
    return [value.slice(0, eq), value.slice(eq + 1).replaceAll('%d', credentialsDir)] as const;
  });
  return Object.fromEntries(pairs);
}

describe('the nightly store', () => {
  it("is a oneshot given the controller's token file as a credential, never the token itself", async () => {
    const unit = await readUnit('cedar-store-nightly.service');
    expect(unitValue(unit, 'Service', 'Type')).toBe('oneshot');
    expect(unitValue(unit, 'Service', 'NoNewPrivileges')).toBe('yes');
    expect(unitValue(unit, 'Service', 'ProtectSystem')).toBe('strict');
    // The credential is the file the controller reads its own token from.
    const controllerAuth = (controllerExample as ControllerExample & { auth: { tokenFile: string } }).auth;
    const [name, source] = unitValue(unit, 'Service', 'LoadCredential')!.split(':');
    expect(source).toBe(controllerAuth.tokenFile);
    const environment = unitEnvironment(unit, '/run/credentials/cedar-store-nightly.service');
    expect(environment.CEDAR_STORE_TOKEN_FILE).toBe(`/run/credentials/cedar-store-nightly.service/${name}`);
    expect(environment.CEDAR_STORE_TOKEN).toBeUndefined();
    expect(unit.Service?.EnvironmentFile).toBeUndefined();
  });

  it('its CLI stores with the credential as systemd hands it over (a copy only the service user can read)', async () => {
    const unit = await readUnit('cedar-store-nightly.service');
    const credentials = await mkdtemp(join(tmpdir(), 'cedar-credentials-'));
    try {
      const [name] = unitValue(unit, 'Service', 'LoadCredential')!.split(':');
      await writeFile(join(credentials, name!), `${TOKEN}\n`, { mode: 0o400 });
      const server = await fake();
      const args = unitValue(unit, 'Service', 'ExecStart')!.split(/\s+/).slice(2);
      // A drop-in pointing CEDAR_STORE_URL at this test's controller.
      const result = await cli(args, { ...unitEnvironment(unit, credentials), CEDAR_STORE_URL: server.url });
      expect(result.stderr).not.toContain('error');
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ action: 'store', status: 'succeeded' });
      expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    } finally {
      await rm(credentials, { recursive: true, force: true });
    }
  });

  it('is started every night by the timer, catching up a missed night', async () => {
    const timer = await readUnit('cedar-store-nightly.timer');
    expect(unitValue(timer, 'Timer', 'OnCalendar')).toMatch(/^\*-\*-\* \d{2}:\d{2}(:\d{2})?$/);
    expect(unitValue(timer, 'Timer', 'Persistent')).toBe('true');
    expect(unitValue(timer, 'Timer', 'RandomizedDelaySec')).toMatch(/^\d+(min|m|s)?$/);
    expect(unitValue(timer, 'Timer', 'Unit')).toBe('cedar-store-nightly.service');
    expect(unitValue(timer, 'Install', 'WantedBy')).toBe('timers.target');
  });
});
