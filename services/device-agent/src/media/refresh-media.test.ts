import { describe, expect, it } from 'vitest';
import type { ProgramResult, ProgramRunner } from '../process/program-runner.js';
import { lastLines } from '../process/last-lines.js';
import { refreshMedia } from './refresh-media.js';

type Event = { run: string[] } | { waitMs: number };

/** A runner that records what it is asked to run; `fail` picks the exit code of each call. */
function recorder(fail: (args: readonly string[]) => ProgramResult | null = () => null) {
  const events: Event[] = [];
  const runner = {
    run: async (tool: string, args: readonly string[]): Promise<ProgramResult> => {
      events.push({ run: [tool, ...args] });
      return fail(args) ?? { exitCode: 0, stdout: '', stderr: '', command: [tool, ...args].join(' ') };
    },
  } as unknown as ProgramRunner;
  const wait = async (ms: number): Promise<void> => {
    events.push({ waitMs: ms });
  };
  return { events, runner, wait };
}

describe('refreshMedia', () => {
  it('runs eject, eject -t and eject -i off, waiting the delays in milliseconds', async () => {
    const { events, runner, wait } = recorder();
    await refreshMedia(runner, '/dev/sr0', { noEject: false, ejectDelay: 2, refreshMediaDelay: 4 }, wait);
    expect(events).toEqual([
      { run: ['eject', '/dev/sr0'] },
      { waitMs: 2000 },
      { run: ['eject', '-t', '/dev/sr0'] },
      { run: ['eject', '-i', 'off', '/dev/sr0'] },
      { waitMs: 4000 },
    ]);
  });

  it('runs nothing with noEject', async () => {
    const { events, runner, wait } = recorder();
    await refreshMedia(runner, '/dev/sr0', { noEject: true, ejectDelay: 2, refreshMediaDelay: 4 }, wait);
    expect(events).toEqual([]);
  });

  it('fails with WRITE_FAILED when the tray will not close, naming the command and its message', async () => {
    const { events, runner, wait } = recorder((args) =>
      args[0] === '-t'
        ? { exitCode: 1, stdout: '', stderr: 'eject: CD-ROM tray close command failed\n', command: 'eject -t /dev/sr0' }
        : null,
    );
    const error = await refreshMedia(runner, '/dev/sr0', { noEject: false, ejectDelay: 0, refreshMediaDelay: 0 }, wait)
      .then(() => null)
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'WRITE_FAILED' });
    expect((error as Error).message).toContain('eject -t /dev/sr0');
    expect((error as Error).message).toContain('tray close command failed');
    expect((error as Error).message).toContain('verify');
    // The tray is not unlocked after a failed close: the run stops at the failure.
    expect(events).toEqual([{ run: ['eject', '/dev/sr0'] }, { run: ['eject', '-t', '/dev/sr0'] }]);
  });
});

describe('lastLines', () => {
  it('keeps the last three non-empty lines, or says there was no message', () => {
    expect(lastLines('a\n\nb\nc\nd\n')).toBe('b | c | d');
    expect(lastLines('  \n')).toBe('no message');
  });
});
