/** `cedar-store restore` through the whole CLI, against the fake controller. */
import { describe, expect, it } from 'vitest';
import { cli, fake, withToken } from './testing/fake-controller.js';

describe('restore', () => {
  it('sends the day, the globs, the target and --force, then follows the run', async () => {
    const server = await fake();
    const result = await cli([
      'restore',
      '--day',
      '2026-11-25',
      '--path',
      'docs/**',
      '--path',
      '*.conf',
      '--to',
      'nov25',
      '--force',
      ...withToken(server.url),
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(server.requests[0]).toMatchObject({
      method: 'POST',
      path: '/api/v1/runs',
      body: { action: 'restore', day: '2026-11-25', paths: ['docs/**', '*.conf'], target: 'nov25', force: true },
    });
  });

  it('leaves out what was not given', async () => {
    const server = await fake();
    await cli(['restore', '--day', '2026-11-25', '--to', 'nov25', ...withToken(server.url)]);
    expect(server.requests[0]?.body).toEqual({ action: 'restore', day: '2026-11-25', target: 'nov25' });
  });

  it('refuses a 33rd glob before sending anything', async () => {
    const server = await fake();
    const globs = Array.from({ length: 33 }, (_, i) => ['--path', `f${i}`]).flat();
    const result = await cli(['restore', '--day', '2026-11-25', '--to', 'x', ...globs, ...withToken(server.url)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('at most 32 --path globs');
    expect(server.requests).toHaveLength(0);
  });
});
