// The built dashboard as the controller serves it: small (under 100 KB of JavaScript gzipped),
// with no inline script or style for the Content-Security-Policy to forbid, and none of the
// server's code in it (wire types come in as types only, so zod stays out).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = join(here, '../../..');
let out: string;

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'cedar-dashboard-'));
  // The bundle takes the shared words from libs/ports/dist: build the libraries first.
  await promisify(execFile)(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'libs/ports'], {
    cwd: ROOT,
  });
  await promisify(execFile)(process.execPath, [join(here, '../build.mjs'), out], { cwd: ROOT });
}, 120_000);

afterAll(async () => {
  if (out) await rm(out, { recursive: true, force: true });
});

describe('the built dashboard', () => {
  it('is under 100 KB of JavaScript gzipped', async () => {
    const scripts = (await readdir(join(out, 'assets'))).filter((name) => name.endsWith('.js'));
    expect(scripts).toEqual(['app.js']);
    const gzipped = gzipSync(await readFile(join(out, 'assets/app.js')), { level: 9 }).length;
    expect(gzipped).toBeGreaterThan(1000);
    expect(gzipped).toBeLessThan(100 * 1024);
  });

  it('has no inline script or style, and loads only its own files', async () => {
    const html = await readFile(join(out, 'index.html'), 'utf8');
    const scripts = [...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)];
    expect(scripts).toHaveLength(1);
    expect(scripts[0]![0]).toContain('src="/assets/app.js"');
    expect(scripts[0]![1]).toBe('');
    expect(html).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=/i);
    expect([...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1])).toEqual([
      '/assets/icon.svg',
      '/assets/app.css',
      '/assets/app.js',
    ]);
  });

  it('carries no eval and none of the server-side libraries', async () => {
    const js = await readFile(join(out, 'assets/app.js'), 'utf8');
    expect(js).not.toMatch(/\beval\(|new Function\(/);
    expect(js).not.toMatch(/\bzod\b|ZodError|better-sqlite3|node:/);
    // The CLI's words are in it: the page says what the CLI says.
    expect(js).toContain("today's staging day is staged and not yet stored");
  });
});
