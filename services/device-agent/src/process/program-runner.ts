/**
 * Runs the external programs (xorriso, cdrecord, growisofs, eject, mount…) with argument
 * arrays through execa — never a shell — and turns the two failures every caller shares into
 * coded errors: a program that is not installed (TOOL_MISSING, naming the Debian package) and
 * one that runs past its time limit (its whole process group is killed).
 */
import { CedarStoreError, ToolMissingError } from '@cedar-store/domain';
import { execa } from 'execa';
import { debianPackageOf, type Tool } from './tools.js';

export type ProgramResult = { exitCode: number; stdout: string; stderr: string; command: string };

export type RunOptions = {
  /** Called with each line the program prints on stdout or stderr, as it prints it (progress). */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Kills the program after this long; undefined waits for ever (a DVD write takes long). */
  timeoutMs?: number;
  cwd?: string;
};

export type ProgramRunnerOptions = {
  /** PATH used to find the programs; the host's PATH when absent (tests point it at fake programs). */
  searchPath?: string;
  /** Most output kept per stream; longer output keeps its end, where the errors are. */
  maxOutputBytes?: number;
};

const DEFAULT_MAX_OUTPUT_BYTES = 8 * 2 ** 20;

export class ProgramRunner {
  constructor(private readonly options: ProgramRunnerOptions = {}) {}

  /** Runs `tool` and resolves with its exit code and output, whatever the exit code. */
  async run(tool: Tool, args: readonly string[], options: RunOptions = {}): Promise<ProgramResult> {
    // LC_ALL=C: the parsers read the programs' English messages.
    const env: Record<string, string> = { LC_ALL: 'C' };
    if (this.options.searchPath !== undefined) env.PATH = this.options.searchPath;
    const child = execa(tool, args, {
      reject: false,
      stdin: 'ignore',
      all: false,
      env,
      extendEnv: true,
      cwd: options.cwd,
      timeout: options.timeoutMs,
      encoding: 'utf8',
      stripFinalNewline: false,
      maxBuffer: this.options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
      lines: false,
      forceKillAfterDelay: 5000,
      // A burn half done ruins the disc: the program runs in its own process group, so a
      // Ctrl-C or SIGTERM aimed at the agent reaches the agent only, which lets it finish.
      cleanup: false,
      detached: true,
    });
    if (options.onLine) forwardLines(child, options.onLine);
    const result = await child;
    const command = [tool, ...args].join(' ');
    if (result.timedOut) {
      throw new CedarStoreError('INTERNAL', `${tool} ran longer than ${String(options.timeoutMs)} ms and was stopped`, {
        tool,
      });
    }
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
      // Killed by a signal: report it as a failure with the shell's convention.
      exitCode: result.exitCode ?? 128,
      stdout: String(result.stdout ?? ''),
      stderr: String(result.stderr ?? ''),
      command,
    };
  }
}

function forwardLines(
  child: { stdout: NodeJS.ReadableStream | null; stderr: NodeJS.ReadableStream | null },
  onLine: NonNullable<RunOptions['onLine']>,
): void {
  for (const stream of ['stdout', 'stderr'] as const) {
    const source = child[stream];
    if (!source) continue;
    let pending = '';
    source.on('data', (chunk: Buffer | string) => {
      pending += chunk.toString();
      // xorriso and growisofs redraw progress with \r; both end a line.
      const lines = pending.split(/\r\n|\r|\n/);
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.length > 0) onLine(line, stream);
    });
    source.on('end', () => {
      if (pending.length > 0) onLine(pending, stream);
    });
  }
}
