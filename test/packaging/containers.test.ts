// The container files and the compose file cannot be built here (no container engine), so
// what a build would trip over is checked against the repository instead: every COPY source
// exists, npm ci gets every workspace manifest, the runtime runs the bin the package builds,
// the agent image has every program the agent may run, and compose mounts files that exist
// into the places its configurations name.
import { access, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { TOOL_PACKAGES } from '../../services/device-agent/src/process/tools.js';
import {
  copyParts,
  DEPLOY,
  nodeEnvironmentOf,
  nodeFlagsOf,
  readContainerfile,
  ROOT,
  type Instruction,
} from './support/deploy-files.js';

type Service = {
  build: { context: string; dockerfile: string };
  restart?: string;
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  devices?: string[];
  cap_add?: string[];
  volumes: string[];
  secrets?: string[];
};
type Compose = { services: Record<string, Service>; secrets: Record<string, { file: string }> };

const rootManifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] };
const compose = parseYaml(await readFile(join(DEPLOY, 'compose.yaml'), 'utf8')) as Compose;

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

const IMAGES = [
  { file: 'controller.Containerfile', pkg: 'services/controller', bin: 'cedar-store', port: 7700, compiles: true },
  { file: 'agent.Containerfile', pkg: 'services/device-agent', bin: 'cedar-store-agent', port: 7701, compiles: false },
] as const;

/** The `--workspace` values of one command line. */
const workspaceFlags = (command: string): string[] =>
  [...command.matchAll(/--workspace (\S+)/g)].map((m) => m[1]!).sort();

function stages(instructions: Instruction[]): Map<string, Instruction[]> {
  const byStage = new Map<string, Instruction[]>();
  let current: Instruction[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      current = [];
      byStage.set(/ AS (\S+)$/i.exec(instruction.args)?.[1] ?? `stage${byStage.size}`, current);
    }
    current.push(instruction);
  }
  return byStage;
}

describe.each(IMAGES)('$file', ({ file, pkg, bin, port, compiles }) => {
  it('copies only sources that exist in the repository (the build context is its root)', async () => {
    const copies = (await readContainerfile(file)).filter((i) => i.keyword === 'COPY').map((i) => copyParts(i.args));
    const fromContext = copies.filter((copy) => copy.from === undefined).flatMap((copy) => copy.sources);
    expect(fromContext.length).toBeGreaterThan(10);
    const missing: string[] = [];
    for (const source of fromContext) if (!(await exists(join(ROOT, source)))) missing.push(source);
    expect(missing).toEqual([]);
  });

  it('gives npm ci every workspace manifest package-lock.json names, and builds before pruning', async () => {
    const build = stages(await readContainerfile(file)).get('build')!;
    const copied = build.filter((i) => i.keyword === 'COPY').flatMap((i) => copyParts(i.args).sources);
    expect(copied).toEqual(expect.arrayContaining(['package.json', 'package-lock.json']));
    const missing = rootManifest.workspaces.filter((workspace) => !copied.includes(`${workspace}/package.json`));
    expect(missing).toEqual([]);
    const runs = build.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    const order = ['npm ci --workspace', `npx tsc -b ${pkg}`, 'npm ci --omit=dev'].map((command) =>
      runs.findIndex((run) => run.startsWith(command)),
    );
    expect(order.every((index) => index >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    // better-sqlite3 compiles its addon when no prebuilt binary fits; only the controller has it.
    expect(runs.some((run) => /apt-get install .*python3 make g\+\+/.test(run))).toBe(compiles);
  });

  it("installs and builds only the service's own workspaces, never the other service's", async () => {
    const build = stages(await readContainerfile(file)).get('build')!;
    const runs = build.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    const installs = runs.filter((run) => run.startsWith('npm ci'));
    expect(installs).toHaveLength(2);
    for (const install of installs) expect(workspaceFlags(install)).toEqual(['libs/domain', 'libs/ports', pkg].sort());
    const other = IMAGES.find((image) => image.pkg !== pkg)!.pkg;
    const sources = build.filter((i) => i.keyword === 'COPY').flatMap((i) => copyParts(i.args).sources);
    expect(sources.filter((source) => source.startsWith(`${other}/`) && !source.endsWith('package.json'))).toEqual([]);
  });

  it('runs on Node.js 22 LTS by default', async () => {
    const args = (await readContainerfile(file)).filter((i) => i.keyword === 'ARG').map((i) => i.args);
    expect(args).toContain('NODE_VERSION=22');
  });

  it('checks its own health on /healthz at the port it exposes', async () => {
    const runtime = stages(await readContainerfile(file)).get('runtime')!;
    expect(runtime.find((i) => i.keyword === 'EXPOSE')?.args).toBe(String(port));
    const check = runtime.find((i) => i.keyword === 'HEALTHCHECK')?.args ?? '';
    expect(check).toContain(`http://127.0.0.1:${port}/healthz`);
  });

  it('runs, as a non-root user, the bin the package builds, with the packages it imports', async () => {
    const runtime = stages(await readContainerfile(file)).get('runtime')!;
    const user = runtime.filter((i) => i.keyword === 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    const manifest = JSON.parse(await readFile(join(ROOT, pkg, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
      dependencies: Record<string, string>;
    };
    const entrypoint = JSON.parse(runtime.find((i) => i.keyword === 'ENTRYPOINT')!.args) as string[];
    expect(entrypoint).toEqual([
      'node',
      ...(await nodeFlagsOf(join(ROOT, pkg))),
      join('/opt/cedar-store', pkg, manifest.bin[bin]!),
    ]);
    // With the environment the bin's first line sets before node.
    const env = Object.fromEntries(
      runtime.filter((i) => i.keyword === 'ENV').map((i) => i.args.split(/[=\s]/, 2) as [string, string]),
    );
    expect(env).toMatchObject(await nodeEnvironmentOf(join(ROOT, pkg)));
    // The workspace packages it depends on (and itself) are copied compiled, beside node_modules.
    const copied = runtime.filter((i) => i.keyword === 'COPY').flatMap((i) => copyParts(i.args).sources);
    const workspaces = Object.keys(manifest.dependencies)
      .filter((name) => name.startsWith('@cedar-store/'))
      .map((name) => `libs/${name.slice('@cedar-store/'.length)}`);
    for (const workspace of [...workspaces, pkg]) {
      expect(copied).toEqual(expect.arrayContaining([`/src/${workspace}/package.json`, `/src/${workspace}/dist`]));
    }
    expect(copied).toContain('/src/node_modules');
  });
});

describe('agent.Containerfile', () => {
  it('installs the Debian package of every program the agent runs', async () => {
    const runtime = stages(await readContainerfile('agent.Containerfile')).get('runtime')!;
    const installed = runtime
      .filter((i) => i.keyword === 'RUN')
      .flatMap((i) =>
        [...i.args.matchAll(/apt-get install ((?:-\S+\s+)*)([^&]+)/g)].flatMap((m) => m[2]!.trim().split(/\s+/)),
      );
    // mount (util-linux) is part of every Debian base image.
    const needed = [...new Set(Object.values(TOOL_PACKAGES))].filter((name) => name !== 'mount');
    expect(needed.filter((name) => !installed.includes(name))).toEqual([]);
  });
});

describe('the build context', () => {
  it('leaves out dependencies, builds, git history and secrets (.containerignore, .dockerignore)', async () => {
    for (const name of ['.containerignore', '.dockerignore']) {
      const lines = (await readFile(join(ROOT, name), 'utf8')).split('\n').map((line) => line.trim());
      expect(lines, name).toEqual(expect.arrayContaining(['.git', '**/node_modules', '**/dist', 'deploy/secrets']));
    }
  });
});

describe('compose.yaml', () => {
  it('restarts a crashed service a few times, not for ever, and starts the controller once the agent is healthy', () => {
    for (const service of Object.values(compose.services)) expect(service.restart).toMatch(/^on-failure:[1-5]$/);
    expect(compose.services.controller!.depends_on).toEqual({ agent: { condition: 'service_healthy' } });
  });

  it('builds each image from the repository root with a Containerfile that exists', async () => {
    for (const service of Object.values(compose.services)) {
      const context = join(DEPLOY, service.build.context);
      expect(context).toBe(ROOT.replace(/\/$/, ''));
      expect(await exists(join(context, service.build.dockerfile))).toBe(true);
    }
  });

  it('mounts configuration files that exist, and secret files it tells the user to create', async () => {
    const binds = Object.values(compose.services)
      .flatMap((service) => service.volumes)
      .map((volume) => volume.split(':')[0]!)
      .filter((source) => source.startsWith('./') || source.startsWith('../'));
    expect(binds.length).toBeGreaterThanOrEqual(2);
    for (const source of binds) expect(await exists(join(DEPLOY, source)), source).toBe(true);
    // Tokens are never shipped: the secrets directory is ignored by git.
    const ignored = await readFile(join(DEPLOY, '.gitignore'), 'utf8');
    for (const secret of Object.values(compose.secrets)) {
      expect(secret.file.startsWith('./secrets/')).toBe(true);
      expect(ignored).toMatch(/^\/secrets\/$/m);
    }
  });

  it('publishes the controller on loopback only and the agent not at all', () => {
    expect(compose.services.controller!.ports).toEqual(['127.0.0.1:7700:7700']);
    expect(compose.services.agent!.ports).toBeUndefined();
  });

  it("gives each service's configuration what it names: token secrets, volumes, devices, the agent's address", async () => {
    const mounted = (service: Service, target: string) =>
      service.volumes.find((volume) => volume.split(':')[1] === target)?.split(':')[0];
    const agentService = compose.services.agent!;
    const controllerService = compose.services.controller!;
    const agent = parseYaml(
      await readFile(join(DEPLOY, mounted(agentService, '/etc/cedar-store/agent.yaml')!), 'utf8'),
    ) as {
      auth: { tokenFile: string };
      listen: { port: number };
      stagingRoot: string;
      workingDir: string;
      devices: Array<{ path: string; mountMethod?: string }>;
    };
    const controller = parseYaml(
      await readFile(join(DEPLOY, mounted(controllerService, '/etc/cedar-store/controller.yaml')!), 'utf8'),
    ) as { auth: { tokenFile: string }; database: string; agents: Array<{ url: string; tokenFile: string }> };

    const secretPaths = (service: Service) => (service.secrets ?? []).map((name) => `/run/secrets/${name}`);
    expect(secretPaths(agentService)).toContain(agent.auth.tokenFile);
    expect(secretPaths(controllerService)).toEqual(
      expect.arrayContaining([controller.auth.tokenFile, ...controller.agents.map((a) => a.tokenFile)]),
    );
    expect(mounted(agentService, agent.stagingRoot)).toBeDefined();
    expect(mounted(agentService, agent.workingDir)).toBeDefined();
    expect(mounted(controllerService, dirname(controller.database))).toBeDefined();
    for (const device of agent.devices) expect(agentService.devices).toContain(`${device.path}:${device.path}`);
    // FUSE and mounting rights exactly when a device verifies through a mount: least privilege otherwise.
    const mounts = agent.devices.some((device) => device.mountMethod === 'fuseiso' || device.mountMethod === 'mount');
    expect(agentService.devices?.includes('/dev/fuse:/dev/fuse') ?? false).toBe(mounts);
    expect(agentService.cap_add ?? []).toEqual(mounts ? ['SYS_ADMIN'] : []);
    expect(controller.agents.map((a) => a.url)).toEqual([`ws://agent:${agent.listen.port}/rpc`]);
  });
});
