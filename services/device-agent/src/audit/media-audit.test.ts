// media.audit on a real agent with a virtual device: a day written by the real xorriso is read
// back whole, its records paged with manifest.read in the catalog's order, with the disc's label
// and sessions; a blank disc is refused.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
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
let staged: string;

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'cedar-media-audit-'));
  const stagingRoot = join(base, 'stage');
  staged = join(stagingRoot, ...DAY.split('-'));
  await mkdir(join(staged, 'docs'), { recursive: true });
  await writeFile(join(staged, 'notes.txt'), 'night of the 24th\n');
  await writeFile(join(staged, 'docs', 'big.bin'), Buffer.alloc(2 * 1024 * 1024 + 3, 7));
  await writeFile(join(staged, 'cback.stage'), '');
  const config = await resolveAgentConfig(
    {
      agentId: 'auditor',
      listen: { host: '127.0.0.1', port: 0 },
      auth: { token: 'audit-test-token-0123456789' },
      stagingRoot,
      workingDir: join(base, 'work'),
      devices: [{ id: 'dvd0', backend: 'virtual', path: join(base, 'disc.iso'), mediaType: 'dvd+rw' }],
    },
    'audit test config',
    {},
  );
  const container = await createAgentContainer(config, pino({ level: 'silent' }));
  services = container.get<AgentServices>(AGENT_TOKENS.Services);
  const handlers = createHandlers(services);
  call = (method, params) => invoke(handlers, method, params, () => undefined);
});

afterEach(async () => {
  services?.journal?.close();
  services = undefined;
  await rm(base, { recursive: true, force: true });
});

describe('media.audit', { timeout: 60_000 }, () => {
  it('reads every file of the disc and records its hash for manifest.read, sorted by path', async () => {
    await call('media.write', { device: 'dvd0', days: [DAY], label: LABEL, newDisc: true, opId: 'a:write' });
    const result = await call('media.audit', { device: 'dvd0', opId: 'a:audit' });
    expect(result).toEqual({
      label: LABEL,
      sessions: 1,
      files: 3,
      bytes: 18 + 2 * 1024 * 1024 + 3,
      unreadable: [],
      unreadableCount: 0,
      skipped: 0,
      md5: {
        verdict: 'absent',
        words: 'Not a single file with MD5 checksum was found. (There is no MD5 checksum array loaded.)',
      },
    });

    const page = (await call('manifest.read', { opId: 'a:audit', cursor: 0, maxRecords: 100 })) as {
      records: { path: string; sha256: string }[];
      nextCursor: number | null;
    };
    const { stdout } = await execa('sh', ['-c', 'find . -type f | LC_ALL=C sort | xargs sha256sum'], { cwd: staged });
    expect(page.records.map((record) => `${record.sha256}  ./${record.path.slice(11)}`).join('\n')).toBe(stdout);
    expect(page.nextCursor).toBeNull();
    // The journal keeps the outcome for a controller that lost track of it, valid on the wire.
    expect(await call('operations.get', { opIds: ['a:audit'] })).toMatchObject({
      operations: [{ opId: 'a:audit', method: 'media.audit', state: 'succeeded', result: { files: 3, sessions: 1 } }],
    });
  });

  it('refuses a blank disc: there is nothing to audit', async () => {
    await writeFile(join(base, 'disc.iso'), '');
    await expect(call('media.audit', { device: 'dvd0', opId: 'a:blank' })).rejects.toMatchObject({
      code: 'VERIFY_FAILED',
      message: expect.stringMatching(/is blank: there is nothing to audit/),
    });
  });
});
