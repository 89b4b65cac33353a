/**
 * Runs the external programs (xorriso, cdrecord, growisofs, eject, mount…) with argument
 * arrays through execa — never a shell — and turns the two failures every caller shares into
 * coded errors: a program that is not installed (TOOL_MISSING, naming the Debian package) and
 * one that runs past its time limit (its whole process group is stopped, helpers included).
 */
import { constants } from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import { CedarStoreError, ToolMissingError } from '@cedar-store/domain';
import { execa } from 'execa';
import { PROGRAM_TIMEOUTS_MS, type ProgramTimeouts, type TimeoutKind } from './limits.js';
import { ProgramTimeoutError } from './program-timeout.js';
import { debianPackageOf, type Tool } from './tools.js';

export type ProgramResult = { exitCode: number; stdout: string; stderr: string; command: string };

export type RunOptions = {
  /** Called with each line the program prints on stdout or stderr, as it prints it (progress). */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Which time limit applies (agent.yaml `timeouts`); the error then names it and says what to do. */
  timeout?: TimeoutKind;
  /** An explicit limit instead of the configured one; neither waits for ever. */
  timeoutMs?: number;
  cwd?: string;
};

export type ProgramRunnerOptions = {
  /** PATH used to find the programs; the host's PATH when absent (tests point it at fake programs). */
  searchPath?: string;
  /** Told each program's pid (its own process group's id) as it starts: the operation journal records it. */
  onSpawn?: (pid: number) => void;
  /**
   * Most output kept per stream: half from its start (growisofs prints `seek=` there) and half
   * from its end (where the errors are); the middle of longer output is dropped, never the program.
   */
  maxOutputBytes?: number;
  /** How long a timed-out program's process group has between SIGTERM and SIGKILL. */
  killGraceMs?: number;
  /** Time limit of each kind of call, in milliseconds (agent.yaml `timeouts`); the defaults otherwise. */
  timeouts?: Partial<ProgramTimeouts>;
};

export const DEFAULT_MAX_OUTPUT_BYTES = 2 * 2 ** 20;
export const DEFAULT_KILL_GRACE_MS = 5000;
const FALLBACK_PATH = '/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export class ProgramRunner {
  constructor(private readonly options: ProgramRunnerOptions = {}) {}

  /** Runs `tool` and resolves with its exit code and output, whatever the exit code. */
  async run(tool: Tool, args: readonly string[], options: RunOptions = {}): Promise<ProgramResult> {
    const child = execa(tool, args, {
      reject: false,
      stdin: 'ignore',
      // The output is kept here instead (KeptOutput): execa's maxBuffer kills the program.
      buffer: false,
      encoding: 'buffer',
      env: this.environment(),
      extendEnv: false,
      cwd: options.cwd,
      // A burn half done ruins the disc: the program runs in its own process group, so a
      // Ctrl-C or SIGTERM aimed at the agent reaches the agent only, which lets it finish.
      cleanup: false,
      detached: true,
    });
    if (child.pid !== undefined) this.options.onSpawn?.(child.pid);
    const keepBytes = Math.floor((this.options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES) / 2);
    const stdout = new KeptOutput(keepBytes);
    const stderr = new KeptOutput(keepBytes);
    collect(child.stdout, 'stdout', stdout, keepBytes, options.onLine);
    collect(child.stderr, 'stderr', stderr, keepBytes, options.onLine);
    const limitMs = this.limitOf(options);
    const deadline =
      limitMs === undefined || child.pid === undefined
        ? undefined
        : stopGroupAfter(child.pid, limitMs, this.options.killGraceMs ?? DEFAULT_KILL_GRACE_MS);
    const result = await child;
    deadline?.finished();

    if (deadline?.expired) throw new ProgramTimeoutError(tool, limitMs!, options.timeout);
    if (result.failed && result.exitCode === undefined && result.signal === undefined) {
      if ((result as { code?: string }).code === 'ENOENT') {
        throw new ToolMissingError(
          `${tool} is not installed on this agent: install the Debian package "${debianPackageOf(tool)}" ` +
            `(apt-get install ${debianPackageOf(tool)}) and try again.`,
          { tool, package: debianPackageOf(tool) },
        );
      }
      throw new CedarStoreError('INTERNAL', `${tool} could not be run: ${result.shortMessage}`, { tool });
    }
    return {
      exitCode: result.exitCode ?? exitCodeOfSignal(result.signal),
      stdout: stdout.text(),
      stderr: stderr.text(),
      command: [tool, ...args].join(' '),
    };
  }

  private limitOf(options: RunOptions): number | undefined {
    if (options.timeoutMs !== undefined) return options.timeoutMs;
    if (options.timeout === undefined) return undefined;
    return this.options.timeouts?.[options.timeout] ?? PROGRAM_TIMEOUTS_MS[options.timeout];
  }

  /**
   * Only what the programs need: the agent's own environment holds its token, which every
   * child (and a long-lived fuseiso) would otherwise expose in /proc/<pid>/environ.
   * LC_ALL=C because the parsers read the programs' English messages.
   */
  private environment(): Record<string, string> {
    return { PATH: this.options.searchPath ?? process.env.PATH ?? FALLBACK_PATH, LC_ALL: 'C' };
  }
}

/** Killed by a signal: reported as a failure with the shell's convention, 128 + the signal number. */
function exitCodeOfSignal(signal: string | undefined): number {
  const number = signal === undefined ? undefined : constants.signals[signal as NodeJS.Signals];
  return 128 + (number ?? 0);
}

/**
 * Stops the whole process group once `timeoutMs` has passed, so helpers the program started
 * die with it: SIGTERM first, SIGKILL `graceMs` later for whatever ignored it.
 */
function stopGroupAfter(pid: number, timeoutMs: number, graceMs: number) {
  let expired = false;
  let killTimer: NodeJS.Timeout | undefined;
  const timer = setTimeout(() => {
    expired = true;
    signalGroup(pid, 'SIGTERM');
    killTimer = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs);
    // A helper that outlives the program still gets its SIGKILL, without holding the agent open.
    killTimer.unref();
  }, timeoutMs);
  return {
    get expired(): boolean {
      return expired;
    },
    finished(): void {
      clearTimeout(timer);
      if (killTimer !== undefined && !signalGroup(pid, 0)) clearTimeout(killTimer);
    },
  };
}

/** Sends `signal` to the process group led by `pid`; false when no process of it is left. */
function signalGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** One stream's output: its first and its last `keepBytes`, and how many bytes between were dropped. */
class KeptOutput {
  private readonly head: Buffer[] = [];
  private headBytes = 0;
  private readonly tail: Buffer[] = [];
  private tailBytes = 0;
  private omittedBytes = 0;

  constructor(private readonly keepBytes: number) {}

  add(chunk: Buffer): void {
    const intoHead = Math.min(chunk.length, this.keepBytes - this.headBytes);
    if (intoHead > 0) {
      this.head.push(chunk.subarray(0, intoHead));
      this.headBytes += intoHead;
    }
    if (intoHead === chunk.length) return;
    this.tail.push(chunk.subarray(intoHead));
    this.tailBytes += chunk.length - intoHead;
    // Whole chunks only here; text() trims the oldest one to the exact size.
    while (this.tail.length > 1 && this.tailBytes - this.tail[0]!.length >= this.keepBytes) {
      const dropped = this.tail.shift()!;
      this.tailBytes -= dropped.length;
      this.omittedBytes += dropped.length;
    }
  }

  text(): string {
    const head = Buffer.concat(this.head).toString('utf8');
    let tail = Buffer.concat(this.tail);
    const excess = Math.max(0, tail.length - this.keepBytes);
    tail = tail.subarray(excess);
    const omitted = this.omittedBytes + excess;
    if (omitted === 0) return head + tail.toString('utf8');
    const marker = `[… ${String(omitted)} bytes omitted …]\n`;
    return `${head}${head.endsWith('\n') ? '' : '\n'}${marker}${tail.toString('utf8')}`;
  }
}

function collect(
  source: NodeJS.ReadableStream | null,
  stream: 'stdout' | 'stderr',
  output: KeptOutput,
  maxLineBytes: number,
  onLine: RunOptions['onLine'],
): void {
  if (!source) return;
  const decoder = new StringDecoder('utf8');
  let pending = '';
  source.on('data', (chunk: Buffer | string) => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    output.add(bytes);
    if (!onLine) return;
    pending += decoder.write(bytes);
    // xorriso and growisofs redraw progress with \r; both end a line.
    const lines = pending.split(/\r\n|\r|\n/);
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.length > 0) onLine(line, stream);
    // A program printing without line ends must not grow this buffer without limit.
    if (pending.length > maxLineBytes) {
      onLine(pending, stream);
      pending = '';
    }
  });
  source.on('end', () => {
    if (!onLine) return;
    pending += decoder.end();
    if (pending.length > 0) onLine(pending, stream);
  });
}
