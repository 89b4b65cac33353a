// After a build, plain node imports @cedar-store/domain and finds the public API of
// docs/design.md#the-domain; the domain declares no dependencies.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

const DESIGN_EXPORTS = [
  'selectStoreDays',
  'selectRebuildDays',
  'isStartOfWeek',
  'blankingNeedsMeasurement',
  'decideNewDisc',
  'mediaDefinition',
  'calculateCapacity',
  'checkFits',
  'buildMediaLabel',
  'checkMediaState',
  'compareTrees',
  'capacityWarning',
];

describe('the built domain package', () => {
  it('is importable by plain node with the public API', { timeout: 60_000 }, async () => {
    await run(process.execPath, [`${root}/node_modules/typescript/bin/tsc`, '-b', 'libs/domain'], { cwd: root });
    const script = "import('@cedar-store/domain').then((m) => console.log(JSON.stringify(Object.keys(m))))";
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: root });
    const exported = JSON.parse(stdout) as string[];
    expect(exported).toEqual(expect.arrayContaining(DESIGN_EXPORTS));

    const label = "import('@cedar-store/domain').then((m) => console.log(m.buildMediaLabel('2005-02-05')))";
    expect((await run(process.execPath, ['--input-type=module', '-e', label], { cwd: root })).stdout.trim()).toBe(
      'CEDAR BACKUP 05-FEB-2005',
    );
  });

  it('declares no dependencies', () => {
    const manifest = JSON.parse(readFileSync(`${root}/libs/domain/package.json`, 'utf8')) as Record<string, unknown>;
    expect(manifest.dependencies).toBeUndefined();
    expect(manifest.peerDependencies).toBeUndefined();
  });
});
