/**
 * Small measuring tools: run a program and time it, read a process's peak memory and I/O from
 * /proc, watch a directory for bytes written into it, and the statistics the table shows.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { readFile, opendir, lstat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Runs a program to its end; resolves with its exit code, output and wall time in ms. Never rejects on exit codes.
 * `detached`: in a session of its own, as the agent starts its programs (see rawCommit); `onSpawn` hears its pid;
 * `discardStdout`: its output is read and dropped (a line per file of a day).
 */
export function timed(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: options.detached ?? false,
    });
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
    const stdout = [];
    const stderr = [];
    child.stdout.on('data', (chunk) => {
      if (!options.discardStdout) stdout.push(chunk);
    });
    child.stderr.on('data', (chunk) => {
      // Only the tail is kept: xorriso prints a progress line per second for minutes.
      stderr.push(chunk);
      if (stderr.length > 200) stderr.shift();
    });
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({
        code: code ?? 128,
        signal,
        ms: performance.now() - started,
        stdout: Buffer.concat(stdout).toString(),
        stderr: Buffer.concat(stderr).toString(),
      }),
    );
  });
}

export async function procStatus(pid, field) {
  const text = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  return match ? Number(match[1]) * 1024 : null;
}

/** Bytes a process has caused to be written to storage so far (/proc/<pid>/io write_bytes). */
export async function writtenBytes(pid) {
  const text = await readFile(`/proc/${pid}/io`, 'utf8').catch(() => '');
  const match = /^write_bytes:\s+(\d+)/m.exec(text);
  return match ? Number(match[1]) : null;
}

/**
 * CPU time of a process so far, its own and that of the children it waited for (xorriso, for
 * the agent), in ms: /proc/<pid>/stat utime, stime, cutime, cstime (clock ticks of 10 ms).
 * A count the machine's load barely moves, unlike wall time.
 */
export async function cpuTimes(pid = 'self') {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (text === null) return null;
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const ticks = (i) => Number(fields[i - 3]) * 10;
  return { ownMs: ticks(14) + ticks(15), childrenMs: ticks(16) + ticks(17) };
}

/**
 * How long xorriso ran and how long its threads waited for a CPU while runnable, from each
 * thread's /proc/<pid>/task/<tid>/schedstat (run and run-queue wait, in ns), sampled every
 * `everyMs` until stopped: the programs named `name` among the children of `parentPid` (the
 * agent's xorriso), or the process `pid` itself (raw xorriso). A wait far above raw xorriso's
 * means something else held the CPUs while xorriso had work (docs/performance.md#the-write-step-gap).
 * Null where /proc has no schedstat or no children lists.
 */
export function watchSchedstat({ pid, parentPid, name = 'xorriso' }, everyMs = 20) {
  const threads = new Map();
  const lives = new Map();
  const readThreads = (target) => {
    let tids;
    try {
      tids = readdirSync(`/proc/${target}/task`);
    } catch {
      return;
    }
    const now = performance.now();
    const life = lives.get(target) ?? { first: now, last: now };
    life.last = now;
    lives.set(target, life);
    for (const tid of tids) {
      try {
        const [runNs, waitNs] = readFileSync(`/proc/${target}/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
        threads.set(`${target}/${tid}`, { runNs, waitNs });
      } catch {
        // the thread ended between the listing and the read: its last sample stands
      }
    }
  };
  const children = () => {
    const found = [];
    let tids = [];
    try {
      tids = readdirSync(`/proc/${parentPid}/task`);
    } catch {
      return found;
    }
    for (const tid of tids) {
      let list = '';
      try {
        list = readFileSync(`/proc/${parentPid}/task/${tid}/children`, 'utf8');
      } catch {
        continue;
      }
      for (const child of list.split(' ').filter(Boolean)) {
        try {
          if (readFileSync(`/proc/${child}/comm`, 'utf8').trim() === name) found.push(child);
        } catch {
          // already gone
        }
      }
    }
    return found;
  };
  const sample = () => (pid !== undefined ? [pid] : children()).forEach(readThreads);
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      if (threads.size === 0) return null;
      const sum = (key) => [...threads.values()].reduce((total, t) => total + t[key], 0) / 1e6;
      return {
        runMs: sum('runNs'),
        waitMs: sum('waitNs'),
        lifeMs: Math.max(...[...lives.values()].map((life) => life.last - life.first)),
      };
    },
  };
}

/** Total size of the regular files under `dir` (symlinks not followed), leaving out the paths in `exclude`. */
export async function treeBytes(dir, exclude = new Set()) {
  let total = 0;
  const handle = await opendir(dir).catch(() => null);
  if (!handle) return 0;
  for await (const entry of handle) {
    const path = join(dir, entry.name);
    if (exclude.has(path)) continue;
    if (entry.isDirectory()) total += await treeBytes(path, exclude);
    else if (entry.isFile()) total += (await lstat(path).catch(() => ({ size: 0 }))).size;
  }
  return total;
}

/**
 * Samples the bytes under `dir` every `everyMs` until stopped: the largest growth seen and
 * what is left at the end. A temporary image would show up as growth even if deleted before
 * the end. The paths in `exclude` (the agent's operation journal) are counted apart.
 */
export function watchDirectory(dir, exclude = [], everyMs = 50) {
  const skip = new Set(exclude);
  let stopped = false;
  let peak = 0;
  const sampling = (async () => {
    const start = await treeBytes(dir, skip);
    for (;;) {
      peak = Math.max(peak, (await treeBytes(dir, skip)) - start);
      if (stopped) return start;
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  const excludedAtStart = Promise.all(exclude.map((path) => treeBytes(path)));
  return {
    async stop() {
      stopped = true;
      const start = await sampling;
      const before = (await excludedAtStart).reduce((a, b) => a + b, 0);
      const after = (await Promise.all(exclude.map((path) => treeBytes(path)))).reduce((a, b) => a + b, 0);
      return {
        peakBytes: peak,
        leftBytes: Math.max(0, (await treeBytes(dir, skip)) - start),
        excludedBytes: after - before,
      };
    },
  };
}

export function median(values) {
  const sorted = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Nearest-rank percentile of already collected samples. */
export function percentile(values, p) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
