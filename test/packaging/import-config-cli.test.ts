// `cedar-store import-config` as a user runs it: the built bin on a realistic cback.conf,
// its output loaded by the real loaders of both services.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadControllerConfig } from '@cedar-store/controller';
import { loadAgentConfig } from '@cedar-store/device-agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServices, CLI_BIN, ROOT, runNodeScript } from '../support/processes.js';
import { relocateHostFiles, TEST_TOKEN } from './support/deploy-files.js';

const SAMPLE = join(ROOT, 'services/controller/src/migrate/fixtures/cback.conf');
const REPORT_PACKAGES = join(ROOT, 'test/packaging/fixtures/report-packages.mjs');
let scratch: string;

beforeAll(async () => {
  await buildServices();
  scratch = await mkdtemp(join(tmpdir(), 'cedar-import-cli-'));
}, 300_000);
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const importConfig = (...args: string[]) => runNodeScript(CLI_BIN, ['import-config', ...args], { NO_COLOR: '1' });

async function outDir(): Promise<string> {
  return mkdtemp(join(scratch, 'out-'));
}

/** The npm packages a command resolves, by name (`fast-xml-parser`, `@scope/name`). */
async function packagesLoadedBy(args: string[]): Promise<Set<string>> {
  const result = await runNodeScript('--import', [REPORT_PACKAGES, CLI_BIN, ...args]);
  const names = [...result.stderr.matchAll(/^loaded-package .*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//gm)];
  return new Set(names.map((match) => match[1]!));
}

describe('cedar-store import-config', () => {
  it("is loaded only when it runs: --help loads neither the XML parser nor the service's modules", async () => {
    const help = await packagesLoadedBy(['--help']);
    expect(help).toContain('commander');
    for (const heavy of ['fast-xml-parser', 'express', 'better-sqlite3']) expect(help).not.toContain(heavy);
    const run = await packagesLoadedBy(['import-config', SAMPLE, '--out-dir', await outDir(), '--agent-id', 'a']);
    expect(run).toContain('fast-xml-parser');
  });

  it('--help explains it with an example', async () => {
    const result = await importConfig('--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: cedar-store import-config [options] <cback.conf>');
    expect(result.stdout).toContain('--out-dir <dir>');
    expect(result.stdout).toContain('--force');
    expect(result.stdout).toContain('--agent-id <id>');
    expect(result.stdout).toContain('cedar-store import-config /etc/cback.conf --out-dir');
    const main = await runNodeScript(CLI_BIN, ['--help']);
    expect(main.stdout).toMatch(/^ {2}import-config\b/m);
  });

  it('writes agent.yaml and controller.yaml that the services load, equal to the sample', async () => {
    const dir = await outDir();
    const result = await importConfig(SAMPLE, '--out-dir', dir, '--agent-id', 'office-1');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`wrote ${join(dir, 'agent.yaml')}\nwrote ${join(dir, 'controller.yaml')}`);
    expect(result.stdout).toContain('left out <collect>');
    expect(result.stdout).toContain('left out <purge>');
    expect(result.stdout).toContain('chmod 600 /etc/cedar-store/api.token');
    expect(result.stdout).toContain('systemctl enable --now cedar-store-agent cedar-store-controller');
    expect((await readdir(dir)).sort()).toEqual(['agent.yaml', 'controller.yaml']);

    const agentFile = await relocateHostFiles(join(dir, 'agent.yaml'), await mkdtemp(join(scratch, 'host-')));
    const agent = await loadAgentConfig(agentFile.path, {});
    expect(agent).toMatchObject({
      agentId: 'office-1',
      token: TEST_TOKEN,
      stagingRoot: '/opt/backup/stage',
      workingDir: '/opt/backup/tmp',
      backupUser: 'backup',
      backupGroup: 'backup',
    });
    expect(agent.devices).toEqual([
      expect.objectContaining({
        id: 'dvd0',
        backend: 'growisofs',
        path: '/dev/sr0',
        mediaType: 'dvd+rw',
        driveSpeed: 4,
        scsiId: 'ATA:1,0,0',
        noEject: false,
        ejectDelay: 3,
        refreshMediaDelay: 12,
      }),
    ]);
    const controllerFile = await relocateHostFiles(join(dir, 'controller.yaml'), await mkdtemp(join(scratch, 'host-')));
    const controller = await loadControllerConfig(controllerFile.path, {});
    expect(controller.agents.map((a) => [a.id, a.url])).toEqual([['office-1', 'ws://127.0.0.1:7701/rpc']]);
    expect(controller.policy).toEqual({
      startingDay: 'tuesday',
      checkData: true,
      checkMedia: true,
      warnMidnite: true,
      blankBehavior: { mode: 'weekly', factor: 1.3 },
      capacityLimit: { maxPercentage: 95.5 },
    });
    // The files explain themselves.
    expect(await readFile(join(dir, 'agent.yaml'), 'utf8')).toContain('# <store>/<target_device>');
  });

  it('refuses to overwrite without --force (exit 2, nothing written), and replaces both with it', async () => {
    const dir = await outDir();
    await writeFile(join(dir, 'controller.yaml'), '# mine\n');
    const refused = await importConfig(SAMPLE, '--out-dir', dir, '--agent-id', 'office-1');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${join(dir, 'controller.yaml')} already exists: nothing was written`);
    expect(refused.stderr).toContain('--force');
    expect(await readdir(dir)).toEqual(['controller.yaml']);
    expect(await readFile(join(dir, 'controller.yaml'), 'utf8')).toBe('# mine\n');

    const forced = await importConfig(SAMPLE, '--out-dir', dir, '--agent-id', 'office-1', '--force');
    expect(forced.code).toBe(0);
    expect(await readFile(join(dir, 'controller.yaml'), 'utf8')).toContain('startingDay: tuesday');
    expect((await readdir(dir)).sort()).toEqual(['agent.yaml', 'controller.yaml']);
  });

  it('an element it cannot map exits 2 naming it and its value, and writes nothing', async () => {
    const dir = await outDir();
    const broken = join(scratch, 'bluray.conf');
    await writeFile(
      broken,
      (await readFile(SAMPLE, 'utf8')).replace('<media_type>dvd+rw</media_type>', '<media_type>hd-dvd</media_type>'),
    );
    const result = await importConfig(broken, '--out-dir', dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /<store>\/<media_type> is "hd-dvd", which cedar-store does not know: write one of cdr-74/,
    );
    expect(result.stdout).toBe('');
    expect(await readdir(dir)).toEqual([]);
  });

  // Cedar Backup store.py reads `os.path.join(config.stage.targetDir, todayDate)`; only rebuild.py reads
  // `config.store.sourceDir`: the staging directory is the staging root, and a differing one is said.
  it('takes <stage><staging_dir> as stagingRoot and prints what the other <source_dir> means', async () => {
    const dir = await outDir();
    const split = join(scratch, 'split-dirs.conf');
    await writeFile(
      split,
      (await readFile(SAMPLE, 'utf8')).replace(
        '<source_dir>/opt/backup/stage</source_dir>',
        '<source_dir>/srv/rebuild-from</source_dir>',
      ),
    );
    const result = await importConfig(split, '--out-dir', dir, '--agent-id', 'office-1');
    expect(result.code).toBe(0);
    expect(await readFile(join(dir, 'agent.yaml'), 'utf8')).toMatch(/^stagingRoot: \/opt\/backup\/stage$/m);
    expect(result.stdout).toContain(
      '<store>/<source_dir> (/srv/rebuild-from) differs from <stage>/<staging_dir> (/opt/backup/stage)',
    );
    expect(result.stdout).toContain("6. The reference's rebuild read <store>/<source_dir> (/srv/rebuild-from)");
  });

  it('a missing file exits 2 and says what to give', async () => {
    const result = await importConfig(join(scratch, 'nope.conf'), '--out-dir', await outDir());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('ENOENT');
    expect(result.stderr).toContain('give the path of cback.conf');
  });

  it('names the agent after this host when --agent-id is not given, and says so', async () => {
    const dir = await outDir();
    const result = await importConfig(SAMPLE, '--out-dir', dir);
    expect(result.code).toBe(0);
    const expected =
      hostname()
        .split('.')[0]!
        .replace(/[^A-Za-z0-9._-]/g, '-')
        .replace(/^[^A-Za-z0-9]+/, '') || 'burner-1';
    expect(await readFile(join(dir, 'agent.yaml'), 'utf8')).toContain(`agentId: ${expected}`);
    expect(result.stderr).toContain('--agent-id chooses another');
  });
});
