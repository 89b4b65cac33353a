/**
 * cdrecord and growisofs for the contract suite, where no burner exists: each fake writes a
 * disc file the way the real program writes a disc, with the real mkisofs building every image,
 * and answers status questions as the recorded programs do (their recordings are in
 * services/device-agent/src/{cdrecord,growisofs}/fixtures). The disc file reads like the disc:
 * each new session's volume descriptors are copied to sector 16, as a drive reading the last
 * session (or growisofs growing a DVD+RW) would present it.
 *
 * - cdrecord: `-prcap` prints the recorded capabilities (reads multi-session); `-msinfo` prints
 *   `start,next` of the last session, or fails as on a blank disc; `blank=fast` empties the
 *   disc; `-data <image>` writes the image at the next writable address, after the CD lead-ins
 *   (11 400 sectors after the first session, 6 900 after each later one).
 * - growisofs: `-Z <disc>=/dev/zero` empties the disc; `-Z`/`-M` run mkisofs with the options
 *   given and write at 0 or at the next 32 KiB block; `-dry-run -M` prints the recorded
 *   "Executing 'mkisofs -C … seek=N'" line, or fails as on a blank disc.
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const FIXTURES = new URL('../../services/device-agent/src/', import.meta.url);

/** What both fakes share: the disc file, its state, and placing an image on it. */
const COMMON = String.raw`
import { closeSync, existsSync, openSync, readFileSync, readSync, rmSync, writeFileSync, writeSync, fstatSync, mkdtempSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
const SECTOR = 2048;
const stateFile = disc + '.state';
const args = process.argv.slice(2);
const state = () => (existsSync(stateFile) ? JSON.parse(readFileSync(stateFile, 'utf8')) : null);
const save = (value) => writeFileSync(stateFile, JSON.stringify(value));
const blank = () => { rmSync(stateFile, { force: true }); writeFileSync(disc, ''); };
/** Copies the image onto the disc at sector 'at'; returns its size in sectors. */
function place(image, at) {
  const data = readFileSync(image);
  const fd = openSync(disc, existsSync(disc) ? 'r+' : 'w+');
  try {
    writeSync(fd, data, 0, data.length, at * SECTOR);
    if (at > 0) {
      // The new session's volume descriptors, up to the set terminator (type 255), to sector 16.
      for (let sector = 16; (sector + 1) * SECTOR <= data.length; sector++) {
        writeSync(fd, data, sector * SECTOR, SECTOR, sector * SECTOR);
        if (data[sector * SECTOR] === 255) break;
      }
    }
  } finally {
    closeSync(fd);
  }
  return Math.ceil(data.length / SECTOR);
}
/** Runs the real mkisofs (the fakes come first on the path, the host's programs after). */
function mkisofs(options) {
  const dir = mkdtempSync(join(tmpdir(), 'fake-burner-'));
  const image = join(dir, 'image.iso');
  const result = spawnSync('mkisofs', ['-o', image, ...options], { encoding: 'utf8' });
  if (result.status !== 0) { process.stderr.write(result.stderr); process.exit(result.status ?? 1); }
  return { image, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
`;

const CDRECORD = (prcap: string) => String.raw`
if (args.includes('-prcap')) { process.stdout.write(${JSON.stringify(prcap)}); process.exit(0); }
if (args.includes('-msinfo')) {
  const s = state();
  if (!s) { process.stderr.write('wodim: Cannot read session offset. Cannot read first writable address.\n'); process.exit(255); }
  process.stdout.write(s.start + ',' + s.next + '\n');
  process.exit(0);
}
if (args.includes('blank=fast')) { blank(); process.exit(0); }
const data = args.indexOf('-data');
if (data >= 0) {
  const s = state();
  const at = s ? s.next : 0;
  const sectors = place(args[data + 1], at);
  save({ start: at, next: at + sectors + (at === 0 ? 11400 : 6900) });
  const mb = Math.max(1, Math.ceil((sectors * SECTOR) / 2 ** 20));
  process.stdout.write('Track 01: ' + mb + ' of ' + mb + ' MB written (fifo 100%) [buf 100%]  1.0x.\n');
  process.exit(0);
}
process.stderr.write('fake cdrecord: unexpected arguments ' + args.join(' ') + '\n');
process.exit(1);
`;

const GROWISOFS = String.raw`
const at = args.findIndex((arg) => arg === '-Z' || arg === '-M');
const target = args[at + 1] ?? '';
const options = args.slice(at + 2);
if (target.endsWith('=/dev/zero')) { blank(); process.exit(0); }
const s = state();
if (args[at] === '-M' && !s) {
  process.stderr.write(':-( ' + disc + ': no previous session found, use -Z\n');
  process.exit(1);
}
const continuing = args[at] === '-M' ? ['-C', s.start + ',' + s.next, '-M', disc] : [];
if (args.includes('-dry-run')) {
  process.stdout.write("Executing 'mkisofs " + [...continuing.slice(0, 2), '-M', '/dev/fd/3', ...options].join(' ') +
    ' | builtin_dd of=' + disc + ' obs=32k seek=' + s.next / 16 + "'\n");
  process.exit(0);
}
if (args[at] === '-Z') blank();
const where = args[at] === '-M' ? s.next : 0;
const built = mkisofs([...continuing, ...options]);
const sectors = place(built.image, where);
built.cleanup();
save({ start: where, next: where + Math.ceil(sectors / 16) * 16 });
const bytes = sectors * SECTOR;
process.stdout.write(' ' + bytes + '/' + bytes + ' (100.0%) @1.0x, remaining 0:00 RBU 100.0% UBU 100.0%\n');
process.exit(0);
`;

/** Writes `cdrecord` and `growisofs` into `binDir`; put it first on the search path, the host's after. */
export async function installFakeBurners(binDir: string, disc: string): Promise<{ searchPath: string }> {
  await mkdir(binDir, { recursive: true });
  const prcap = await readFile(new URL('cdrecord/fixtures/cdrecord-prcap.txt', FIXTURES), 'utf8');
  const header = `#!${process.execPath}\nconst disc = ${JSON.stringify(disc)};\n${COMMON}`;
  for (const [name, body] of [
    ['cdrecord', CDRECORD(prcap)],
    ['growisofs', GROWISOFS],
  ] as const) {
    const path = join(binDir, name);
    await writeFile(path, `${header}\n${body}`);
    await chmod(path, 0o755);
  }
  return { searchPath: `${binDir}:${process.env.PATH ?? '/usr/bin:/bin'}` };
}

/** Where the last session on a fake burner's disc starts, or null when the disc is blank. */
export async function lastSessionStart(disc: string): Promise<number | null> {
  const text = await readFile(`${disc}.state`, 'utf8').catch(() => null);
  return text === null ? null : (JSON.parse(text) as { start: number }).start;
}
