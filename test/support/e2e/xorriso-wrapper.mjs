#!/usr/bin/env node
// TEST-ONLY stand-in for `xorriso`, copied into a temp directory put first on an agent's PATH
// by test/support/e2e/burner-wrapper.ts. It runs the real xorriso with the same arguments and
// stdio, and changes nothing unless the test asks for it through files beside it:
// - `hold-writes` present: a write (`-commit`) waits before starting until the file is gone,
//   leaving `held-<pid>` while it waits, so a test can see runs really overlap;
// - `corrupt-next-write` holding a path on the disc: once a write succeeds, one byte in the
//   middle of that file's data on the image is flipped (a silent bad burn), and the file is
//   removed so only one write is damaged.
import { spawn, spawnSync } from 'node:child_process';
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';

const here = dirname(resolve(process.argv[1]));
const args = process.argv.slice(2);
const real = findRealXorriso();
const isWrite = args.includes('-commit');

if (isWrite && existsSync(join(here, 'hold-writes'))) {
  const marker = join(here, `held-${process.pid}`);
  writeFileSync(marker, args.join(' '));
  while (existsSync(join(here, 'hold-writes'))) await new Promise((done) => setTimeout(done, 50));
  rmSync(marker, { force: true });
}

const child = spawn(real, args, { stdio: 'inherit' });
const code = await new Promise((done) => child.on('exit', (exitCode, signal) => done(exitCode ?? (signal ? 1 : 0))));

const armed = join(here, 'corrupt-next-write');
if (code === 0 && isWrite && existsSync(armed)) {
  const path = readFileSync(armed, 'utf8').trim();
  rmSync(armed);
  flipByte(imageOf(args), path);
}
process.exit(code);

function findRealXorriso() {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir || resolve(dir) === here) continue;
    const candidate = join(dir, 'xorriso');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  process.stderr.write('xorriso-wrapper: no real xorriso on PATH\n');
  process.exit(127);
}

/** The image a write went to: the `stdio:` target of `-dev` or `-outdev`. */
function imageOf(argv) {
  const index = argv.findIndex((arg) => arg === '-dev' || arg === '-outdev');
  const target = argv[index + 1] ?? '';
  if (!target.startsWith('stdio:')) throw new Error(`xorriso-wrapper: not an image write: ${argv.join(' ')}`);
  return target.slice('stdio:'.length);
}

function flipByte(image, path) {
  const result = spawnSync(real, ['-indev', `stdio:${image}`, '-find', `/${path}`, '-exec', 'report_lba'], {
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: 'C' },
  });
  const report = `${result.stdout}\n${result.stderr}`;
  const match = /File data lba:\s*\d+\s*,\s*(\d+)\s*,\s*\d+\s*,\s*(\d+)/.exec(report);
  if (!match) throw new Error(`xorriso-wrapper: no data extent for ${path} on ${image}`);
  const offset = Number(match[1]) * 2048 + Math.floor(Number(match[2]) / 2);
  const fd = openSync(image, 'r+');
  try {
    const byte = Buffer.alloc(1);
    readSync(fd, byte, 0, 1, offset);
    byte[0] ^= 0xff;
    writeSync(fd, byte, 0, 1, offset);
  } finally {
    closeSync(fd);
  }
}
