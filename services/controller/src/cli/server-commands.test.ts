/** controller and local: the CLI hands them to the server commands it is given. */
import { describe, expect, it } from 'vitest';
import type { CliEnvironment } from './environment.js';
import { runCli } from './run-cli.js';
import { MemoryStream } from './testing/fake-controller.js';

describe('server commands', () => {
  it('controller and local call the callbacks and return their exit status', async () => {
    const calls: unknown[] = [];
    const env: CliEnvironment = {
      stdout: new MemoryStream(),
      stderr: new MemoryStream(),
      env: {},
      serverCommands: {
        controller: async (options) => {
          calls.push(['controller', options]);
          return 0;
        },
        local: async (options) => {
          calls.push(['local', options]);
          return 5;
        },
      },
    };
    expect(await runCli(['controller', '--config', 'controller.yaml'], env)).toBe(0);
    expect(await runCli(['local'], env)).toBe(5);
    expect(await runCli(['local', '--dir', '/tmp/x', '--port', '7800'], env)).toBe(5);
    expect(await runCli(['controller'], env)).toBe(2);
    expect(await runCli(['local', '--port', 'http'], env)).toBe(2);
    expect(calls).toEqual([
      ['controller', { config: 'controller.yaml' }],
      ['local', { dir: './var' }],
      ['local', { dir: '/tmp/x', port: 7800 }],
    ]);
  });
});
