// importConfig as the command runs it, on the sample cback.conf edited so that its store
// action's staging directory and its rebuild action's source directory differ.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { importConfig } from './import-config.js';

const SAMPLE = new URL('./fixtures/cback.conf', import.meta.url);

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function importSample(edit: (xml: string) => string) {
  const dir = await mkdtemp(join(tmpdir(), 'cedar-import-config-'));
  dirs.push(dir);
  const cbackConf = join(dir, 'cback.conf');
  await writeFile(cbackConf, edit(await readFile(SAMPLE, 'utf8')));
  const outDir = join(dir, 'out');
  const outcome = await importConfig({ cbackConf, outDir, force: false, agentId: 'office-1' });
  const agentYaml = parseYaml(await readFile(join(outDir, 'agent.yaml'), 'utf8')) as { stagingRoot: string };
  return { outcome, agentYaml };
}

describe('importConfig with a <store><source_dir> other than <stage><staging_dir>', () => {
  // Cedar Backup store.py: `todayPath = os.path.join(config.stage.targetDir, todayDate)`;
  // rebuild.py: `stageDir = pathJoin(config.store.sourceDir, dateSuffix)`.
  it('writes the staging directory as stagingRoot and says in the next steps what rebuild read', async () => {
    const { outcome, agentYaml } = await importSample((xml) =>
      xml.replace('<source_dir>/opt/backup/stage</source_dir>', '<source_dir>/srv/rebuild-from</source_dir>'),
    );
    expect(agentYaml.stagingRoot).toBe('/opt/backup/stage');
    expect(outcome.notes.join('\n')).toContain(
      '<store>/<source_dir> (/srv/rebuild-from) differs from <stage>/<staging_dir> (/opt/backup/stage)',
    );
    const next = outcome.nextSteps.join('\n');
    expect(next).toContain("6. The reference's rebuild read <store>/<source_dir> (/srv/rebuild-from)");
    expect(next).toContain("cedar-store's store and rebuild both read stagingRoot");
  });

  it('adds no such step when both name the same directory', async () => {
    const { outcome, agentYaml } = await importSample((xml) => xml);
    expect(agentYaml.stagingRoot).toBe('/opt/backup/stage');
    expect(outcome.nextSteps.join('\n')).not.toContain('source_dir');
  });
});
