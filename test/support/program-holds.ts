/**
 * Holds an external program at a chosen moment, so a fault lands inside a given step every
 * time instead of when the timing happens to allow it. A wrapper script named like the
 * program goes first on the agent's PATH; while a hold is armed, a call whose arguments
 * contain its pattern waits (before running the real program, or after it ran and before it
 * exits) until the test releases it. The wrapper leads the program's process group like the
 * real program would, so a killed agent leaves it running just the same. Test-only.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';

/** before/after the real program runs; `fail`: instead of running it, exit 5 with an xorriso-like FAILURE line once released. */
export type HoldMoment = 'before' | 'after' | 'fail';

export class ProgramHolds {
  private constructor(
    readonly binDir: string,
    private readonly controlDir: string,
  ) {}

  /** Installs a wrapper for each program (found on the current PATH) under `base`. */
  static async install(base: string, programs: readonly string[]): Promise<ProgramHolds> {
    const binDir = join(base, 'held-bin');
    const controlDir = join(base, 'holds');
    await mkdir(binDir, { recursive: true });
    for (const program of programs) {
      const real = (await execa('which', [program])).stdout.trim();
      await mkdir(join(controlDir, program), { recursive: true });
      const script = join(binDir, program);
      await writeFile(script, wrapperScript(real, join(controlDir, program)));
      await chmod(script, 0o755);
    }
    return new ProgramHolds(binDir, controlDir);
  }

  /** PATH for the agent: the wrappers first. */
  path(): string {
    return `${this.binDir}:${process.env.PATH ?? '/usr/bin:/bin'}`;
  }

  /** From now on, a call of `program` whose arguments contain `pattern` waits at `moment` until released. */
  async arm(program: string, name: string, pattern: string, moment: HoldMoment = 'before'): Promise<void> {
    await rm(this.file(program, `held.${name}`), { force: true });
    await writeFile(this.file(program, `${moment}.${name}`), pattern);
  }

  /** Resolves with the wrapper's pid (its process group) once a call is held. */
  async waitHeld(program: string, name: string, timeoutMs = 90_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    const held = this.file(program, `held.${name}`);
    for (;;) {
      if (existsSync(held)) {
        const pid = Number((await readFile(held, 'utf8')).trim());
        if (pid > 0) return pid;
      }
      if (Date.now() > deadline) throw new Error(`${program} was not held at ${name} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Lets held calls go on (and later ones run unheld). */
  async release(program: string, name: string): Promise<void> {
    await rm(this.file(program, `before.${name}`), { force: true });
    await rm(this.file(program, `after.${name}`), { force: true });
    await rm(this.file(program, `fail.${name}`), { force: true });
  }

  private file(program: string, name: string): string {
    return join(this.controlDir, program, name);
  }
}

/** sh, because the wrapper must start in milliseconds and lead its process group as the real program would. */
function wrapperScript(real: string, control: string): string {
  return `#!/bin/sh
args=" $* "
hold() {
  matched=
  for rule in "${control}"/$1.*; do
    [ -e "$rule" ] || continue
    pattern=$(cat "$rule")
    case "$args" in
      *"$pattern"*)
        echo $$ > "${control}/held.\${rule##*/$1.}"
        matched=yes
        while [ -e "$rule" ]; do sleep 0.05; done
        ;;
    esac
  done
}
hold fail
if [ -n "$matched" ]; then
  echo "xorriso : FAILURE : the test made this call fail" >&2
  exit 5
fi
hold before
"${real}" "$@"
status=$?
hold after
exit $status
`;
}
