import type { Run, RunEventBody } from '@cedar-store/ports';
import { describe, expect, it } from 'vitest';
import { createReporter } from './reporters.js';

const MiB = 1024 ** 2;

function plain(everyMs = 30_000) {
  const lines: string[] = [];
  let now = Date.parse('2025-02-05T01:30:00.000Z');
  const reporter = createReporter({
    stream: { write: (chunk: string) => lines.push(...chunk.split('\n').filter(Boolean)) },
    mode: 'plain',
    plainProgressEveryMs: everyMs,
    now: () => now,
  });
  return { reporter, lines, advance: (ms: number) => (now += ms) };
}

const run = { id: 'run-1', action: 'store', device: 'burner-1/dvd0', status: 'queued', warnings: [] } as unknown as Run;

describe('plain progress lines', () => {
  it('stamps every line with the time and logs steps, warnings and the end', () => {
    const { reporter, lines } = plain();
    reporter.following(run);
    reporter.event({ type: 'step', step: 'estimate', state: 'finished', durationMs: 1500 });
    reporter.event({ type: 'step', step: 'verify', state: 'skipped', detail: 'checkData is off' });
    reporter.event({ type: 'warning', code: 'CAPACITY', message: 'media utilization is 93%' });
    reporter.event({ type: 'finished', status: 'cancelled' });
    expect(lines).toEqual([
      '2025-02-05T01:30:00Z run run-1: store on burner-1/dvd0, queued',
      '2025-02-05T01:30:00Z estimate: finished in 1.5 s',
      '2025-02-05T01:30:00Z verify: skipped (checkData is off)',
      '2025-02-05T01:30:00Z warning CAPACITY: media utilization is 93%',
      '2025-02-05T01:30:00Z run run-1 cancelled',
    ]);
  });

  it('writes progress at each tenth, with rate and ETA, not at every event', () => {
    const { reporter, lines, advance } = plain();
    for (let done = 0; done <= 100; done += 1) {
      reporter.event({ type: 'progress', phase: 'write', bytesDone: done * MiB, bytesTotal: 100 * MiB });
      advance(100);
    }
    expect(lines).toHaveLength(11);
    expect(lines[5]).toBe('2025-02-05T01:30:05Z write 50% 50.0 MiB of 100 MiB, 10.0 MiB/s, ETA 5.0 s');
    expect(lines[10]).toMatch(/write 100% 100 MiB of 100 MiB/);
  });

  it('writes a line after a while even when a slow write has not reached the next tenth', () => {
    const { reporter, lines, advance } = plain(30_000);
    reporter.event({ type: 'progress', phase: 'write', bytesDone: 0, bytesTotal: 100 * MiB });
    advance(20_000);
    reporter.event({ type: 'progress', phase: 'write', bytesDone: 1 * MiB, bytesTotal: 100 * MiB });
    advance(15_000);
    reporter.event({ type: 'progress', phase: 'write', bytesDone: 2 * MiB, bytesTotal: 100 * MiB });
    expect(lines.map((line) => line.replace(/^\S+ /, '').replace(/,.*/, ''))).toEqual([
      'write 0% 0 B of 100 MiB',
      'write 2% 2.00 MiB of 100 MiB',
    ]);
  });

  it('starts counting again for a new phase', () => {
    const { reporter, lines } = plain();
    reporter.event({ type: 'progress', phase: 'write', bytesDone: 100, bytesTotal: 100 });
    reporter.event({ type: 'progress', phase: 'verify', bytesDone: 0, bytesTotal: 100 });
    expect(lines.map((line) => line.replace(/^\S+ /, '')).slice(-2)).toEqual([
      'write 100% 100 B of 100 B',
      'verify 0% 0 B of 100 B',
    ]);
  });

  it('writes each tenth once, in order, when events jump several tenths (0, 32, 81, 100 %)', () => {
    const { reporter, lines, advance } = plain();
    for (const done of [0, 32, 81, 81, 100]) {
      reporter.event({ type: 'progress', phase: 'write', bytesDone: done * MiB, bytesTotal: 100 * MiB });
      advance(1000);
    }
    expect(lines.map((line) => /write (\d+)%/.exec(line)?.[1])).toEqual([
      '0',
      '10',
      '20',
      '30',
      '40',
      '50',
      '60',
      '70',
      '80',
      '90',
      '100',
    ]);
    expect(lines[3]).toMatch(/write 30% 30\.0 MiB of 100 MiB, 32\.0 MiB\/s/);
  });

  it('gives a verify that ends within a moment its rate, from the times the controller saw', () => {
    const { reporter, lines } = plain();
    const at = (ms: number): string => new Date(Date.parse('2025-02-05T01:30:00.000Z') + ms).toISOString();
    const verify = (bytesDone: number, ms: number) =>
      ({ type: 'progress', phase: 'verify', bytesDone, bytesTotal: 100 * MiB, at: at(ms) }) as RunEventBody;
    // Both events arrive at once (the same client time): the rate comes from their `at`.
    reporter.event(verify(0, 0));
    reporter.event(verify(100 * MiB, 150));
    expect(lines.at(-1)).toMatch(/verify 100% 100 MiB of 100 MiB, 667 MiB\/s, ETA 0 ms$/);
  });

  it('says nothing about steps and progress when quiet', () => {
    const lines: string[] = [];
    const reporter = createReporter({
      stream: { write: (chunk: string) => lines.push(chunk) },
      mode: 'quiet',
      plainProgressEveryMs: 1,
    });
    reporter.following(run);
    reporter.event({ type: 'step', step: 'write', state: 'started' });
    reporter.event({ type: 'progress', phase: 'write', bytesDone: 50, bytesTotal: 100 });
    reporter.event({ type: 'finished', status: 'failed', error: { code: 'X', message: 'y' } });
    reporter.close();
    expect(lines).toEqual([]);
  });

  it('still says each warning once when quiet, so cron mails a crossed midnight', () => {
    const lines: string[] = [];
    const reporter = createReporter({
      stream: { write: (chunk: string) => lines.push(chunk) },
      mode: 'quiet',
      plainProgressEveryMs: 1,
    });
    const warning = { code: 'MIDNIGHT_CROSSED', message: 'midnight was crossed: 2025-02-04 was written' };
    reporter.following(run);
    reporter.event({ type: 'warning', ...warning });
    reporter.polled({ ...run, status: 'succeeded', warnings: [warning] } as unknown as Run);
    reporter.close();
    expect(lines).toEqual(['warning MIDNIGHT_CROSSED: midnight was crossed: 2025-02-04 was written\n']);
  });
});

describe('the terminal bar', () => {
  it('draws the phase and bytes, and leaves a line written under it on a line of its own', () => {
    let screen = '';
    const reporter = createReporter({
      stream: { write: (chunk: string) => (screen += chunk), isTTY: true, columns: 120 },
      mode: 'tty',
      plainProgressEveryMs: 30_000,
    });
    try {
      reporter.event({ type: 'progress', phase: 'write', bytesDone: 25 * MiB, bytesTotal: 100 * MiB });
      expect(screen).toMatch(/write +\[[░█]+\] \d+% \| 25\.0 MiB of 100 MiB/);
      reporter.event({ type: 'warning', code: 'CAPACITY', message: 'media utilization is 93%' });
      expect(screen).toMatch(/\nwarning CAPACITY: media utilization is 93%\n$/);
    } finally {
      reporter.close();
    }
  });

  it('shows the rate and ETA of a verify that ended within a moment', () => {
    let screen = '';
    const reporter = createReporter({
      stream: { write: (chunk: string) => (screen += chunk), isTTY: true, columns: 160 },
      mode: 'tty',
      plainProgressEveryMs: 30_000,
    });
    const at = (ms: number): string => new Date(Date.parse('2025-02-05T01:30:00.000Z') + ms).toISOString();
    try {
      const event = { type: 'progress', phase: 'verify', bytesTotal: 100 * MiB } as const;
      reporter.event({ ...event, bytesDone: 1 * MiB, at: at(0) } as RunEventBody);
      reporter.event({ ...event, bytesDone: 100 * MiB, at: at(150) } as RunEventBody);
    } finally {
      reporter.close();
    }
    expect(screen).toMatch(/verify +\[[░█]+\] 100% \| 100 MiB of 100 MiB \| 660 MiB\/s \| ETA 0 ms/);
  });
});
