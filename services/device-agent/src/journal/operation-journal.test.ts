import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CedarStoreError } from '@cedar-store/domain';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OperationJournal } from './operation-journal.js';
import { isGroupAlive } from './process-groups.js';

let dir: string;
const journals: OperationJournal[] = [];

function open(options: Parameters<typeof OperationJournal.open>[1] = {}): OperationJournal {
  const journal = OperationJournal.open(dir, { watchIntervalMs: 50, ...options });
  journals.push(journal);
  return journal;
}

/** A program in its own process group, as the program runner starts burners. */
async function detachedSleeper(): Promise<{ pid: number; stop: () => Promise<void> }> {
  const child = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
  await once(child, 'spawn');
  return {
    pid: child.pid!,
    stop: async () => {
      process.kill(-child.pid!, 'SIGKILL');
      await once(child, 'exit');
    },
  };
}

/** The pid of a program in its own process group that has already exited. */
async function endedProgram(): Promise<number> {
  const child = spawn('true', [], { detached: true, stdio: 'ignore' });
  await once(child, 'exit');
  return child.pid!;
}

/** The process groups an entry on disk remembers, as a restarted agent will read them. */
async function groupsOnDisk(opId: string): Promise<number[]> {
  const entry = JSON.parse(await readFile(join(dir, `${opId}.json`), 'utf8')) as { groups: Array<{ pgid: number }> };
  return entry.groups.map((group) => group.pgid);
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}

beforeEach(async () => {
  dir = join(await mkdtemp(join(tmpdir(), 'cedar-journal-')), 'journal');
});

afterEach(async () => {
  for (const journal of journals.splice(0)) journal.close();
  await rm(join(dir, '..'), { recursive: true, force: true });
});

describe('operation journal', () => {
  it('records an operation as running before it starts and keeps its result on disk', async () => {
    const journal = open();
    const opId = journal.begin({ method: 'media.write', device: 'dvd0', opId: 'run-1:write' });
    expect(opId).toBe('run-1:write');
    const onDisk = JSON.parse(await readFile(join(dir, 'run-1:write.json'), 'utf8')) as { state: string };
    expect(onDisk.state).toBe('running');

    await journal.run(opId, async () => ({ bytesWritten: 4096, sessions: 1 }));
    const [record] = open().get(['run-1:write']);
    expect(record).toMatchObject({ state: 'succeeded', result: { bytesWritten: 4096, sessions: 1 } });
    expect(record!.finishedAt).toBeDefined();
  });

  it('keeps a failure with its code, and leaves out ids it never saw', async () => {
    const journal = open();
    const opId = journal.begin({ method: 'media.verify', device: 'dvd0', opId: 'run-2:verify' });
    await expect(
      journal.run(opId, () => Promise.reject(new CedarStoreError('WRITE_FAILED', 'xorriso exited 5'))),
    ).rejects.toThrow('xorriso exited 5');
    expect(journal.get(['run-2:verify', 'never:write'])).toEqual([
      expect.objectContaining({
        opId: 'run-2:verify',
        state: 'failed',
        error: { code: 'WRITE_FAILED', message: 'xorriso exited 5' },
      }),
    ]);
  });

  it('refuses an operation id used before, so a repeated request never writes twice', () => {
    const journal = open();
    journal.begin({ method: 'media.write', device: 'dvd0', opId: 'run-3:write' });
    expect(() => journal.begin({ method: 'media.write', device: 'dvd0', opId: 'run-3:write' })).toThrow(
      /already started/,
    );
  });

  it('journals an operation without an id under a local one', () => {
    const opId = open().begin({ method: 'media.blank', device: 'dvd0' });
    expect(opId).toMatch(/^local-\d+-[0-9a-f]{8}$/);
  });

  it('turns an operation a killed agent left running into unknown when its program is gone', async () => {
    const sleeper = await detachedSleeper();
    const first = open();
    first.begin({ method: 'media.write', device: 'dvd0', opId: 'run-4:write' });
    first.recordProgram('run-4:write', sleeper.pid);
    await sleeper.stop();
    expect(isGroupAlive({ pgid: sleeper.pid })).toBe(false);

    const restarted = open();
    expect(restarted.get(['run-4:write'])[0]).toMatchObject({ state: 'unknown', error: { code: 'AGENT_LOST' } });
    expect(() => restarted.refuseHeldDevice('dvd0')).not.toThrow();
  });

  it('keeps the device busy while the program a killed agent left still runs, then settles it unknown', async () => {
    const sleeper = await detachedSleeper();
    try {
      const first = open();
      first.begin({ method: 'media.write', device: 'dvd0', opId: 'run-5:write' });
      first.recordProgram('run-5:write', sleeper.pid);

      const restarted = open();
      expect(restarted.get(['run-5:write'])[0]!.state).toBe('running');
      expect(() => restarted.refuseHeldDevice('dvd0')).toThrow(/earlier media\.write .*still running/);
      expect(() => restarted.begin({ method: 'media.blank', device: 'dvd0' })).toThrow(
        expect.objectContaining({ code: 'DEVICE_BUSY' }),
      );
      // Another device is not held.
      expect(() => restarted.refuseHeldDevice('cd0')).not.toThrow();

      await sleeper.stop();
      await until(() => restarted.get(['run-5:write'])[0]!.state !== 'running');
      expect(restarted.get(['run-5:write'])[0]!.state).toBe('unknown');
      expect(() => restarted.begin({ method: 'media.write', device: 'dvd0', opId: 'run-6:write' })).not.toThrow();
    } finally {
      await sleeper.stop().catch(() => undefined);
    }
  });

  it('does not hold a device for a verify left running (it only reads; its fuseiso may linger)', async () => {
    const sleeper = await detachedSleeper();
    try {
      const first = open();
      first.begin({ method: 'media.verify', device: 'dvd0', opId: 'run-7:verify' });
      first.recordProgram('run-7:verify', sleeper.pid);
      const restarted = open();
      expect(restarted.get(['run-7:verify'])[0]!.state).toBe('unknown');
      expect(() => restarted.refuseHeldDevice('dvd0')).not.toThrow();
    } finally {
      await sleeper.stop();
    }
  });

  it('stays bounded: the oldest finished entries are pruned', async () => {
    let tick = Date.parse('2026-11-26T00:00:00Z');
    const journal = open({ maxFinishedEntries: 3, now: () => new Date((tick += 1000)) });
    for (let i = 1; i <= 6; i++) {
      const opId = journal.begin({ method: 'media.write', device: 'dvd0', opId: `run-${i}:write` });
      await journal.run(opId, async () => ({ bytesWritten: i, sessions: 1 }));
    }
    expect((await readdir(dir)).sort()).toEqual(['run-4:write.json', 'run-5:write.json', 'run-6:write.json']);
    expect(journal.get(['run-1:write', 'run-6:write']).map((r) => r.opId)).toEqual(['run-6:write']);
  });

  it('keeps at most 100 differences of a failed verify, still failing', async () => {
    const journal = open();
    const opId = journal.begin({ method: 'media.verify', device: 'dvd0', opId: 'run-11:verify' });
    const mismatches = Array.from({ length: 150 }, (_, i) => ({ path: `2026/11/26/f${i}`, kind: 'content' as const }));
    await journal.run(opId, async () => ({
      ok: false,
      method: 'fuseiso' as const,
      filesCompared: 150,
      bytesCompared: 1,
      mismatches,
    }));
    const [record] = open().get([opId]);
    expect(record?.result).toMatchObject({ ok: false, mismatches: mismatches.slice(0, 100) });
  });

  it('drops a temporary file a crash left and an unreadable entry, keeping the others', async () => {
    const journal = open();
    const opId = journal.begin({ method: 'media.write', device: 'dvd0', opId: 'run-8:write' });
    await journal.run(opId, async () => ({ bytesWritten: 1, sessions: 1 }));
    await writeFile(join(dir, 'run-9:write.json.tmp'), '{"half');
    await writeFile(join(dir, 'run-10:write.json'), 'not json');
    const restarted = open();
    expect(restarted.get(['run-8:write'])).toHaveLength(1);
    expect(await readdir(dir)).toEqual(['run-8:write.json']);
  });

  describe('a program told by its device', () => {
    it('is recorded under the operation running on that device, not another device’s', async () => {
      const dvdBurner = await detachedSleeper();
      const cdBurner = await detachedSleeper();
      try {
        const first = open();
        first.begin({ method: 'media.write', device: 'dvd0', opId: 'run-20:write' });
        first.begin({ method: 'media.blank', device: 'cd0', opId: 'run-21:blank' });
        first.recordProgramOn('cd0', cdBurner.pid);
        first.recordProgramOn('dvd0', dvdBurner.pid);
        expect(await groupsOnDisk('run-20:write')).toEqual([dvdBurner.pid]);
        expect(await groupsOnDisk('run-21:blank')).toEqual([cdBurner.pid]);
        await dvdBurner.stop();

        // Only the cd0 burner outlives the agent: cd0 stays busy, dvd0 is free.
        const restarted = open();
        expect(restarted.get(['run-20:write'])[0]!.state).toBe('unknown');
        expect(restarted.get(['run-21:blank'])[0]!.state).toBe('running');
        expect(() => restarted.refuseHeldDevice('cd0')).toThrow(/earlier media\.blank \(operation run-21:blank/);
        expect(() => restarted.refuseHeldDevice('dvd0')).not.toThrow();
      } finally {
        await cdBurner.stop();
        await dvdBurner.stop().catch(() => undefined);
      }
    });

    it('goes to the first operation begun on the device, the one its guard let run', async () => {
      const burner = await detachedSleeper();
      try {
        const first = open();
        first.begin({ method: 'media.write', device: 'dvd0', opId: 'run-22:write' });
        // A second operation on the same device, journaled and about to be refused as busy.
        first.begin({ method: 'media.blank', device: 'dvd0', opId: 'run-23:blank' });
        first.recordProgramOn('dvd0', burner.pid);

        const restarted = open();
        expect(restarted.get(['run-22:write'])[0]!.state).toBe('running');
        expect(restarted.get(['run-23:blank'])[0]!.state).toBe('unknown');
      } finally {
        await burner.stop();
      }
    });

    it('is recorded nowhere when nothing runs on the device, nor under a finished operation', async () => {
      const stray = await detachedSleeper();
      try {
        const first = open();
        const opId = first.begin({ method: 'media.write', device: 'dvd0', opId: 'run-24:write' });
        await first.run(opId, async () => ({ bytesWritten: 1, sessions: 1 }));
        first.recordProgramOn('dvd0', stray.pid);
        first.recordProgramOn('cd0', stray.pid);

        const restarted = open();
        expect(restarted.get([opId])[0]!.state).toBe('succeeded');
        expect(() => restarted.refuseHeldDevice('dvd0')).not.toThrow();
        expect(() => restarted.refuseHeldDevice('cd0')).not.toThrow();
      } finally {
        await stray.stop();
      }
    });

    it('keeps the burner when many short reads on the device followed it', async () => {
      const burner = await detachedSleeper();
      try {
        const first = open();
        first.begin({ method: 'media.write', device: 'dvd0', opId: 'run-25:write' });
        first.recordProgramOn('dvd0', burner.pid);
        // Status reads while the burn runs, each over before the next: more than an entry keeps.
        for (let i = 0; i < 20; i++) first.recordProgramOn('dvd0', await endedProgram());

        const restarted = open();
        expect(restarted.get(['run-25:write'])[0]!.state).toBe('running');
        expect(() => restarted.refuseHeldDevice('dvd0')).toThrow(/still running/);
      } finally {
        await burner.stop();
      }
    });
  });
});
