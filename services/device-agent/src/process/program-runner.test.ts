import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProgramRunner } from './program-runner.js';
import type { Tool } from './tools.js';

const MIB = 1024 * 1024;
const hostPath = process.env.PATH ?? '/usr/bin:/bin';

/** True while `pid` is a live process; a zombie nobody has reaped yet counts as gone. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${String(pid)}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('ProgramRunner', () => {
  let dir: string;
  let runner: ProgramRunner;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cedar-runner-'));
    runner = new ProgramRunner({ searchPath: dir });
  });
  afterEach(async () => {
    delete process.env.CEDAR_AGENT_TOKEN;
    await rm(dir, { recursive: true, force: true });
  });

  /** Installs a fake `tool` running `body`; the host's PATH is set inside, after any `before` lines. */
  async function fake(tool: Tool, body: string, before = ''): Promise<void> {
    const path = join(dir, tool);
    await writeFile(path, `#!/bin/sh\n${before}\nPATH='${hostPath}'\n${body}\n`);
    await chmod(path, 0o755);
  }

  it('gives a program PATH and LC_ALL=C, never the agent token', async () => {
    process.env.CEDAR_AGENT_TOKEN = 'secret-token-4f1c';
    await fake('eject', '', 'export -p');
    const result = await runner.run('eject', []);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).not.toContain('secret-token-4f1c');
    expect(result.stdout).not.toContain('CEDAR_AGENT_TOKEN');
    expect(result.stdout).toContain(`PATH='${dir}'`);
    expect(result.stdout).toContain(`LC_ALL='C'`);
  });

  it('lets a program print 5 MiB, far past the output limit, keeping its first and last lines', async () => {
    await fake('growisofs', `echo 'seek=0'\nyes 'filler line of progress' | head -n 220000\necho 'LAST LINE'`);
    runner = new ProgramRunner({ searchPath: dir, maxOutputBytes: 2 * MIB });
    const lines: string[] = [];
    const result = await runner.run('growisofs', [], { onLine: (line) => lines.push(line) });
    expect(result.exitCode).toBe(0);
    expect(result.stdout.startsWith('seek=0\n')).toBe(true);
    expect(result.stdout.endsWith('LAST LINE\n')).toBe(true);
    expect(result.stdout).toMatch(/\n\[… \d+ bytes omitted …\]\n/);
    expect(result.stdout.length).toBeLessThan(2 * MIB + 100);
    expect(lines.at(-1)).toBe('LAST LINE');
  });

  it('hears lines ended by \\r, \\n and \\r\\n on both streams', async () => {
    await fake('xorriso', `printf 'one\\rtwo\\r\\nthree\\nfour'\nprintf 'oops\\n' >&2`);
    const heard: string[] = [];
    const result = await runner.run('xorriso', [], { onLine: (line, stream) => heard.push(`${stream}:${line}`) });
    expect(heard.filter((line) => line.startsWith('stdout:'))).toEqual([
      'stdout:one',
      'stdout:two',
      'stdout:three',
      'stdout:four',
    ]);
    expect(heard).toContain('stderr:oops');
    expect(result).toMatchObject({ stdout: 'one\rtwo\r\nthree\nfour', stderr: 'oops\n', command: 'xorriso' });
  });

  it('stops a program past its time limit together with the helpers it started', async () => {
    const pidFile = join(dir, 'helper.pid');
    await fake('fuseiso', `sleep 30 >/dev/null 2>&1 &\necho $! > '${pidFile}'\nexec sleep 30`);
    const started = Date.now();
    await expect(runner.run('fuseiso', [], { timeoutMs: 300 })).rejects.toMatchObject({
      code: 'INTERNAL',
      message: 'fuseiso hung: it ran longer than 300 ms and was stopped with every process it started',
    });
    expect(Date.now() - started).toBeLessThan(5000);
    const helper = Number(await readFile(pidFile, 'utf8'));
    await sleep(200);
    expect(isRunning(helper)).toBe(false);
  });

  it('stops a hung write at the configured write limit and says which program, how long and what to do', async () => {
    await fake('xorriso', 'exec sleep 30');
    runner = new ProgramRunner({ searchPath: dir, timeouts: { write: 1000 } });
    const failure = runner.run('xorriso', ['-commit'], { timeout: 'write' });
    await expect(failure).rejects.toMatchObject({
      code: 'WRITE_FAILED',
      details: { tool: 'xorriso', timeout: 'write' },
    });
    await expect(failure).rejects.toThrow(
      /^xorriso hung: it ran longer than 1 s, the write time limit \(timeouts\.write in agent\.yaml\), and was stopped .*Nothing was marked stored/,
    );
  });

  it('gives a hung mount for verify VERIFY_FAILED, and leaves calls of other kinds to their own limits', async () => {
    await fake('fuseiso', 'exec sleep 30');
    await fake('eject', 'sleep 1; echo done');
    runner = new ProgramRunner({ searchPath: dir, timeouts: { mount: 300 } });
    await expect(runner.run('fuseiso', [], { timeout: 'mount' })).rejects.toMatchObject({
      code: 'VERIFY_FAILED',
      message: expect.stringContaining('timeouts.mount'),
    });
    expect(await runner.run('eject', [], { timeout: 'eject' })).toMatchObject({ exitCode: 0, stdout: 'done\n' });
  });

  it('kills a program that ignores SIGTERM once the grace period is over', async () => {
    await fake('eject', `trap '' TERM\nsleep 30 &\nwait`);
    runner = new ProgramRunner({ searchPath: dir, killGraceMs: 200 });
    await expect(runner.run('eject', [], { timeoutMs: 200 })).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('reports a program killed by a signal with 128 + the signal number', async () => {
    await fake('mount', 'kill -TERM $$');
    expect((await runner.run('mount', [])).exitCode).toBe(128 + 15);
  });

  it('names the Debian package of a program that is not installed', async () => {
    await expect(runner.run('cdrecord', ['-scanbus'])).rejects.toMatchObject({
      code: 'TOOL_MISSING',
      message: expect.stringContaining('apt-get install wodim'),
    });
  });
});
