// media.restore on a real agent with a virtual device: a day written by the real xorriso comes
// back byte-identical (as plain sha256sum sees it) with every file's hash recorded for
// manifest.read, and another disc in the drive is WRONG_DISC with nothing written.
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AGENT_TOKENS, createAgentContainer } from '../agent.js';
import { resolveAgentConfig } from '../config/agent-config.js';
import { createHandlers, invoke, type AgentServices } from '../server/rpc-handlers.js';

const DAY = '2026-11-24';
const LABEL = 'CEDAR BACKUP 24-NOV-2026';

let base: string;
let services: AgentServices | undefined;
let call: (method: string, params: unknown) => Promise<unknown>;
let restoreRoot: string;
let staged: string;

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'cedar-media-restore-'));
  const stagingRoot = join(base, 'stage');
  staged = join(stagingRoot, ...DAY.split('-'));
  await mkdir(join(staged, 'docs'), { recursive: true });
  await writeFile(join(staged, 'notes.txt'), 'night of the 24th\n');
  await writeFile(join(staged, 'docs', 'big.bin'), Buffer.alloc(2 * 1024 * 1024 + 3, 7));
  await writeFile(join(staged, 'cback.stage'), '');
  restoreRoot = join(base, 'restore');
  const config = await resolveAgentConfig(
    {
      agentId: 'restorer',
      listen: { host: '127.0.0.1', port: 0 },
      auth: { token: 'restore-test-token-0123456789' },
      stagingRoot,
      workingDir: join(base, 'work'),
      restoreRoot,
      devices: [{ id: 'dvd0', backend: 'virtual', path: join(base, 'disc.iso'), mediaType: 'dvd+rw' }],
    },
    'restore test config',
    {},
  );
  const container = await createAgentContainer(config, pino({ level: 'silent' }));
  services = container.get<AgentServices>(AGENT_TOKENS.Services);
  const handlers = createHandlers(services);
  call = (method, params) => invoke(handlers, method, params, () => undefined);
  await call('media.write', { device: 'dvd0', days: [DAY], label: LABEL, newDisc: true, opId: 'r:write' });
});

afterEach(async () => {
  services?.journal?.close();
  services = undefined;
  await rm(base, { recursive: true, force: true });
});

async function sums(root: string): Promise<string> {
  const { stdout } = await execa('sh', ['-c', 'find . -type f -print0 | sort -z | xargs -0 sha256sum'], {
    cwd: root,
  });
  return stdout;
}

const request = (overrides: Record<string, unknown> = {}) => ({
  device: 'dvd0',
  day: DAY,
  disc: { label: LABEL, session: 1, id: 4 },
  target: 'nov24',
  opId: 'r:restore',
  ...overrides,
});

describe('media.restore', { timeout: 60_000 }, () => {
  it('restores the day byte-identical under restoreRoot and records each file’s hash', async () => {
    const result = await call('media.restore', request());
    const target = join(restoreRoot, 'nov24');
    expect(result).toMatchObject({ target, files: 3, bytes: 18 + 2 * 1024 * 1024 + 3, refusedCount: 0 });
    expect(await sums(join(target, '2026/11/24'))).toBe(await sums(staged));

    const page = (await call('manifest.read', { opId: 'r:restore', cursor: 0, maxRecords: 100 })) as {
      records: { path: string; sha256: string }[];
    };
    const { stdout } = await execa('sha256sum', ['notes.txt'], { cwd: staged });
    expect(page.records).toContainEqual(
      expect.objectContaining({ path: '2026/11/24/notes.txt', sha256: stdout.split(' ')[0] }),
    );
    expect(page.records).toHaveLength(3);
  });

  it('refuses another disc with WRONG_DISC naming the one to insert, writing nothing', async () => {
    await expect(
      call('media.restore', request({ disc: { label: 'CEDAR BACKUP 01-DEC-2026', session: 1, id: 9 } })),
    ).rejects.toMatchObject({
      code: 'WRONG_DISC',
      message: expect.stringMatching(/insert the disc 9 labelled "CEDAR BACKUP 01-DEC-2026"/),
    });
    await expect(call('media.restore', request({ disc: { label: LABEL, session: 2 } }))).rejects.toMatchObject({
      code: 'WRONG_DISC',
    });
    expect(await readdir(restoreRoot).catch(() => [])).toEqual([]);
    // Not even an empty record of hashes.
    expect(await readdir(join(base, 'work'))).not.toContain('manifests');
  });

  it('refuses a target that is not one plain name, and a non-empty one without force', async () => {
    for (const target of ['../x', 'a/b', '..']) {
      await expect(call('media.restore', request({ target }))).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    }
    await call('media.restore', request());
    await expect(call('media.restore', request({ opId: 'r:again' }))).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      message: expect.stringMatching(/not empty/),
    });
    expect(await call('media.restore', request({ opId: 'r:forced', force: true }))).toMatchObject({ files: 3 });
    expect(await readdir(base)).not.toContain('x');
  });
});
