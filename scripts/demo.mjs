// npm run demo: the whole product once, the way a user would drive it. Starts
// `cedar-store local` (agent + controller + a virtual dvd+rw under ./var), stages sample data
// for today when today's directory is absent, runs a store with verify through the CLI,
// prints the disc's table of contents read back by xorriso, stops the stack and exits with
// the store's exit code. Run `npm run build` first (npm run setup does).
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'services/controller/dist/bin.js');
const dir = resolve(process.env.CEDAR_DEMO_DIR ?? join(root, 'var'));

if (!existsSync(cli)) {
  console.error('demo: the project is not built yet: run npm run setup (or npm run build) first');
  process.exit(2);
}

/** Today's date on this host, as the controller decides it by default (host local time). */
function today() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return {
    stamp: `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`,
    parts: [String(now.getFullYear()), pad(now.getMonth() + 1), pad(now.getDate())],
  };
}

async function stageSampleDay(dayDir) {
  await mkdir(join(dayDir, 'etc'), { recursive: true });
  await mkdir(join(dayDir, 'home', 'projects'), { recursive: true });
  await writeFile(join(dayDir, 'README.txt'), `Sample backup staged by npm run demo on ${new Date().toISOString()}\n`);
  await writeFile(join(dayDir, 'etc', 'hosts'), '127.0.0.1 localhost\n');
  for (let i = 1; i <= 20; i += 1) {
    await writeFile(join(dayDir, 'home', 'projects', `notes-${i}.txt`), `note ${i}\n`.repeat(50 * i));
  }
  await writeFile(join(dayDir, 'home', 'archive.bin'), randomBytes(8 * 1024 * 1024));
  // Staging finished: the day may be written (cback.stage is what store looks for).
  await writeFile(join(dayDir, 'cback.stage'), '');
}

/**
 * Starts `cedar-store local` on a free port. Its banner (how to reach it, "Ctrl-C stops it")
 * is about a stack that stays, which this one does not: it is held back, and shown only when
 * the stack fails to start. What the stack says after that (stopping, stopped) is passed on.
 */
function startStack() {
  const child = spawn(process.execPath, [cli, 'local', '--dir', dir, '--port', '0'], {
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  const lines = createInterface({ input: child.stderr });
  const banner = [];
  let url;
  let bannerEnded = false;
  return new Promise((resolveUrl, reject) => {
    child.once('exit', (code) => {
      if (bannerEnded) return;
      process.stderr.write(banner.map((line) => `${line}\n`).join(''));
      reject(new Error(`cedar-store local exited with ${code} before it was ready`));
    });
    lines.on('line', (line) => {
      if (bannerEnded) return void process.stderr.write(`${line}\n`);
      banner.push(line);
      // Its controller line gives the address; the command to try ends the banner.
      url ??= /^\s+controller\s+(http:\/\/\S+)/.exec(line)?.[1];
      if (url && /^\s+npx cedar-store store$/.test(line)) {
        bannerEnded = true;
        console.error(`demo: a local stack on ${url} for this demo only, state in ${dir}`);
        resolveUrl({ child, url });
      }
    });
  });
}

function runCli(args, env) {
  return new Promise((resolveCode) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: 'inherit', env });
    child.once('exit', (code) => resolveCode(code ?? 1));
  });
}

const { stamp, parts } = today();
const dayDir = join(dir, 'staging', ...parts);
await mkdir(join(dir, 'staging'), { recursive: true });
if (existsSync(dayDir)) {
  console.error(`demo: ${dayDir} exists already; using it as it is`);
} else {
  await stageSampleDay(dayDir);
  console.error(`demo: staged sample data for ${stamp} in ${dayDir}`);
}

const { child, url } = await startStack();
let code = 1;
try {
  const token = (await readFile(join(dir, 'api.token'), 'utf8')).trim();
  const env = { ...process.env, CEDAR_STORE_URL: url, CEDAR_STORE_TOKEN: token };
  // A second demo on the same day finds today stored already: a full store writes it again on a new disc.
  const full = existsSync(join(dayDir, 'cback.store'));
  console.error(`\ndemo: cedar-store store${full ? ' --full' : ''} (verify is on by default)\n`);
  code = await runCli(['store', ...(full ? ['--full'] : [])], env);
  const disc = join(dir, 'media', 'dvd0.iso');
  if (existsSync(disc)) {
    console.log(`\nThe disc (${disc}) read back by xorriso:\n`);
    const toc = spawnSync(
      'xorriso',
      ['-indev', `stdio:${disc}`, '-toc', '-find', `/${parts.join('/')}`, '-type', 'f'],
      {
        encoding: 'utf8',
      },
    );
    console.log(`${toc.stdout}`.trim());
  }
} finally {
  // The stack may be gone already (its agent died): then there is nothing to wait for.
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
    child.kill('SIGINT');
    await exited;
  }
}
// The demo's stack is gone: say how to start one that stays, not the address of this one.
const defaultDir = resolve(root, 'var') === dir;
console.error(
  [
    '',
    "demo: the demo's stack has stopped. To keep one running, with the controller at http://127.0.0.1:7700:",
    defaultDir ? '  npm start' : `  npx cedar-store local --dir ${dir}`,
    'then, in another terminal (npx cedar-store --help lists the commands):',
    `  export CEDAR_STORE_TOKEN=$(cat ${defaultDir ? 'var/api.token' : join(dir, 'api.token')})`,
    '  npx cedar-store media',
  ].join('\n'),
);
process.exit(code);
