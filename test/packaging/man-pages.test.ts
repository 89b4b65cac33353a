// The man pages as a user reads them: generated from the bins' help at build time, installed by
// `npm run setup` where man finds them, rendered by man without a warning, naming every command
// and option the bins take.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../services/controller/src/cli/program.js';
import { MemoryStream } from '../../services/controller/src/cli/testing/fake-controller.js';
import { AGENT_BIN, buildServices, ROOT, runNodeScript } from '../support/processes.js';

const run = promisify(execFile);
let manDir: string;

beforeAll(async () => {
  await buildServices();
  manDir = join(await mkdtemp(join(tmpdir(), 'cedar-man-')), 'share/man');
  // What npm run setup runs, into a directory of this test's.
  const install = await runNodeScript(join(ROOT, 'scripts/man-pages.mjs'), ['--install', manDir]);
  expect(install.stderr).toBe('');
  expect(install.code).toBe(0);
}, 300_000);

afterAll(async () => {
  await rm(join(manDir, '../..'), { recursive: true, force: true });
});

/** `man NAME` as a user runs it, with the installed pages on man's path; plain text, as in a pipe. */
async function man(name: string): Promise<{ text: string; stderr: string; path: string }> {
  const env = { ...process.env, MANPATH: manDir, MANWIDTH: '200', MAN_KEEP_FORMATTING: '', PAGER: 'cat' };
  const { stdout: path } = await run('man', ['-w', name], { env });
  const { stdout, stderr } = await run('man', ['-l', path.trim()], { env });
  return { text: stdout, stderr, path: path.trim() };
}

/** roff that groff warns about (bad escapes, unknown macros, characters it cannot set). */
async function groffWarnings(path: string): Promise<string> {
  const { stderr } = await run('groff', ['-man', '-Tutf8', '-ww', '-z', path]);
  return stderr;
}

describe('man cedar-store', () => {
  const program = buildProgram({
    stdout: new MemoryStream(),
    stderr: new MemoryStream(),
    env: {},
    serverCommands: { controller: async () => 0, local: async () => 0 },
  });

  it('is installed where man finds it and renders without a warning', async () => {
    const page = await man('cedar-store');
    expect(page.path).toBe(join(manDir, 'man1/cedar-store.1'));
    expect(page.stderr).toBe('');
    expect(await groffWarnings(page.path)).toBe('');
    expect(page.text).toMatch(/^NAME\n\s+cedar-store - /m);
    for (const section of ['SYNOPSIS', 'OPTIONS', 'COMMANDS', 'ENVIRONMENT', 'EXIT STATUS', 'EXAMPLES']) {
      expect(page.text).toMatch(new RegExp(`^${section}$`, 'm'));
    }
  });

  it('has every command with its usage, and every option of each', async () => {
    const { text } = await man('cedar-store');
    for (const command of program.commands.filter((one) => one.name() !== 'help')) {
      expect(text).toMatch(new RegExp(`^ {3}cedar-store ${command.name()}\\b`, 'm'));
      for (const option of command.options) expect(text).toContain(option.long!);
    }
    for (const option of program.options) expect(text).toContain(option.long!);
    expect(text).toContain('CEDAR_STORE_TOKEN_FILE');
  });
});

describe('man cedar-store-agent', () => {
  it('renders without a warning, with every option the agent takes', async () => {
    const page = await man('cedar-store-agent');
    expect(page.path).toBe(join(manDir, 'man1/cedar-store-agent.1'));
    expect(page.stderr).toBe('');
    expect(await groffWarnings(page.path)).toBe('');
    const help = await runNodeScript(AGENT_BIN, ['--help']);
    const options = new Set(help.stdout.match(/--[a-z][a-z-]*/g));
    expect(options.size).toBeGreaterThanOrEqual(3);
    for (const option of options) expect(page.text).toContain(option);
  });
});
