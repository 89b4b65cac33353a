/** store, verify, rebuild and initialize through the whole CLI, against the fake controller. */
import type { Run } from '@cedar-store/ports';
import { describe, expect, it } from 'vitest';
import { cli, DEVICE, fake, withToken } from './testing/fake-controller.js';

describe('store', () => {
  it('waits for the run, logs its steps on stderr and prints a summary: exit 0 when it succeeded', async () => {
    const server = await fake();
    const result = await cli(['store', ...withToken(server.url)]);
    expect(result.code).toBe(0);
    expect(server.requests[0]).toMatchObject({ method: 'POST', path: '/api/v1/runs', body: { action: 'store' } });
    expect(result.stderr).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ run run-1: store on burner-1\/dvd0, queued$/m);
    expect(result.stderr).toMatch(/Z select: started$/m);
    expect(result.stderr).toMatch(/Z select: finished in 12 ms$/m);
    expect(result.stderr).toMatch(/Z warning MIDNIGHT_CROSSED: midnight was crossed/m);
    expect(result.stderr).toMatch(/Z write 0% 0 B of 1\.02 GiB/m);
    expect(result.stderr).toMatch(/Z write 50% 522 MiB of 1\.02 GiB/m);
    expect(result.stderr).toMatch(/Z write: finished in 2m 40s$/m);
    expect(result.stderr).toMatch(/Z run run-1 succeeded$/m);
    expect(result.stdout).toContain('Run run-1: store on burner-1/dvd0, succeeded');
    expect(result.stdout).toContain('Days        2025-02-04 (today is 2025-02-05, midnight crossed)');
    expect(result.stdout).toContain("rule yesterday: today's staging day was not ready");
    expect(result.stdout).toContain('Disc        new disc');
    expect(result.stdout).toContain('rule factor: available / (1 + required) = 1.08 <= blank factor 1.3');
    expect(result.stdout).toContain('available 1.10 GiB, required 1.02 GiB');
    expect(result.stdout).toContain('label "CEDAR BACKUP 04-FEB-2025"');
    expect(result.stdout).toContain('ok: 1234 files, 1.02 GiB compared (fuseiso)');
    expect(result.stdout).toContain('MIDNIGHT_CROSSED: midnight was crossed');
    expect(result.stdout).not.toContain('\u001b');
  });

  it('exits 1 when the run failed, with the error code and message on stderr', async () => {
    const server = await fake({ outcome: 'failed' });
    const result = await cli(['store', ...withToken(server.url)]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^WRITE_FAILED: xorriso failed: SCSI error on write$/m);
    expect(result.stderr).toMatch(/Z write: failed after 2\.0 s \(WRITE_FAILED\)$/m);
    expect(result.stderr).toMatch(/Z run run-1 failed$/m);
    // The error's message once, on stderr; the summary names its code.
    expect(result.stderr.match(/xorriso failed/g)).toHaveLength(1);
    expect(result.stdout).toMatch(/^ {2}Error {7}WRITE_FAILED$/m);
    expect(result.stdout).not.toContain('xorriso failed');
  });

  it('--json prints only the final run on stdout, for a success and for a failure', async () => {
    for (const outcome of ['succeeded', 'failed'] as const) {
      const server = await fake({ outcome });
      const result = await cli(['store', '--json', ...withToken(server.url)]);
      expect(result.code).toBe(outcome === 'succeeded' ? 0 : 1);
      expect(result.stdout.endsWith('\n')).toBe(true);
      expect(result.stdout.trim().split('\n')).toHaveLength(1);
      const run = JSON.parse(result.stdout) as Run;
      expect(run).toMatchObject({ id: 'run-1', status: outcome, action: 'store' });
      if (outcome === 'failed') expect(result.stderr.match(/WRITE_FAILED: xorriso failed/g)).toHaveLength(1);
    }
  });

  it('sends --device, --full and --today', async () => {
    const server = await fake();
    const result = await cli([
      'store',
      '--device',
      'burner-1/dvd0',
      '--full',
      '--today',
      '2024-02-29',
      '--quiet',
      ...withToken(server.url),
    ]);
    expect(result.code).toBe(0);
    expect(server.requests[0]!.body).toEqual({
      action: 'store',
      device: 'burner-1/dvd0',
      full: true,
      today: '2024-02-29',
    });
    // --quiet leaves only the run's warning, which cron should mail.
    expect(result.stderr).toBe('warning MIDNIGHT_CROSSED: midnight was crossed: 2025-02-04 was written\n');
  });

  it('--dry-run asks store and rebuild for a plan; the other actions have none', async () => {
    const server = await fake();
    expect((await cli(['store', '--dry-run', '--quiet', ...withToken(server.url)])).code).toBe(0);
    expect((await cli(['rebuild', '--dry-run', '--quiet', ...withToken(server.url)])).code).toBe(0);
    expect(server.requests.filter((r) => r.method === 'POST').map((r) => r.body)).toEqual([
      { action: 'store', dryRun: true },
      { action: 'rebuild', dryRun: true },
    ]);
    const refused = await cli(['initialize', '--dry-run', ...withToken(server.url)]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--dry-run');
  });

  it('--no-wait prints the queued run id and how to follow it, and does not wait', async () => {
    const server = await fake();
    const plain = await cli(['store', '--no-wait', ...withToken(server.url)]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toBe('run-1\n');
    expect(plain.stderr).toContain('cedar-store runs run-1 --follow');
    const json = await cli(['rebuild', '--no-wait', '--json', ...withToken(server.url)]);
    expect(JSON.parse(json.stdout)).toMatchObject({ id: 'run-2', action: 'rebuild', status: 'queued' });
    expect(server.eventRequests).toHaveLength(0);
  });

  it('resumes a dropped event stream with Last-Event-ID and shows every event once', async () => {
    const server = await fake({ dropAfter: 5 });
    const result = await cli(['store', ...withToken(server.url)]);
    expect(result.code).toBe(0);
    expect(server.eventRequests).toHaveLength(2);
    expect(server.eventRequests[0]!.headers['last-event-id']).toBeUndefined();
    expect(server.eventRequests[1]!.headers['last-event-id']).toBe('5');
    expect(result.stderr).toContain('event stream lost');
    expect(result.stderr.match(/write: started/g)).toHaveLength(1);
    expect(result.stderr.match(/select: finished/g)).toHaveLength(1);
    expect(result.stderr).toMatch(/Z run run-1 succeeded$/m);
  });

  it('reconnects a stream that went silent, resuming after the last event', async () => {
    const server = await fake({ stallAfter: 4 });
    const result = await cli(['store', ...withToken(server.url)], {}, { settings: { streamIdleTimeoutMs: 100 } });
    expect(result.code).toBe(0);
    expect(server.eventRequests.map((request) => request.headers['last-event-id'])).toEqual([undefined, '4']);
    expect(result.stderr).toContain('event stream lost (no data for 100 ms)');
    expect(result.stderr.match(/write: started/g)).toHaveLength(1);
  });

  it('reads the run when the stream ends without its finished event', async () => {
    const server = await fake({ omitFinished: true, outcome: 'failed' });
    const result = await cli(['store', ...withToken(server.url)]);
    expect(result.code).toBe(1);
    expect(server.eventRequests).toHaveLength(1);
    expect(result.stderr).toMatch(/Z run run-1: failed$/m);
    expect(result.stderr).toMatch(/^WRITE_FAILED: xorriso failed: SCSI error on write$/m);
  });

  it('gives up with exit 3 when the controller goes away mid-run and stays away', async () => {
    const server = await fake({ goAwayAfter: 3 });
    const result = await cli(['store', '--json', ...withToken(server.url)]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`cannot reach the controller at ${server.url}`);
    expect(result.stderr).toContain('it may still be running: see `cedar-store runs`');
    // --json: the error, not a run, is the one line on stdout.
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: 'CONTROLLER_UNREACHABLE' } });
  });

  it('follows the run by polling when the controller has no event stream', async () => {
    const server = await fake({ noEvents: true });
    const result = await cli(['store', '--json', ...withToken(server.url)]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'succeeded' });
    expect(result.stderr).toContain('following the run by reading it');
  });

  it('draws a progress bar on a terminal, on stderr only', async () => {
    const server = await fake({ eventDelayMs: 5 });
    const result = await cli(['store', ...withToken(server.url)], {}, { stderrTTY: true });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/write +\[[█░]+\] \d+% \| [\d.]+ \w+ of 1\.02 GiB/);
    expect(result.stderr).toContain('select: finished in 12 ms');
    expect(result.stdout).not.toContain('\u001b');
  });
});

describe('verify, rebuild, initialize', () => {
  it('verify sends the days of repeated and comma-listed --day options', async () => {
    const server = await fake();
    const result = await cli([
      'verify',
      '--day',
      '2025-02-03,2025-02-04',
      '--day',
      '2025-02-05',
      '--day',
      '2025-02-03',
      '--quiet',
      ...withToken(server.url),
    ]);
    expect(result.code).toBe(0);
    expect(server.requests[0]!.body).toEqual({ action: 'verify', days: ['2025-02-03', '2025-02-04', '2025-02-05'] });
  });

  it('verify without --day is a usage error', async () => {
    const server = await fake();
    const result = await cli(['verify', ...withToken(server.url)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("required option '--day <YYYY-MM-DD>' not specified");
    expect(server.requests).toHaveLength(0);
  });

  it('rebuild and initialize submit their action', async () => {
    const server = await fake();
    expect((await cli(['rebuild', '--today', '2025-02-03', '-q', ...withToken(server.url)])).code).toBe(0);
    expect((await cli(['initialize', '--device', DEVICE, '-q', ...withToken(server.url)])).code).toBe(0);
    expect(server.requests.filter((r) => r.method === 'POST').map((r) => r.body)).toEqual([
      { action: 'rebuild', today: '2025-02-03' },
      { action: 'initialize', device: DEVICE },
    ]);
  });
});
