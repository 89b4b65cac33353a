/**
 * Is a program the agent started before it restarted still running? The burner programs run
 * in their own process group (so a signal to the agent spares a burn), which is also what
 * outlives a killed agent: the journal records each group and asks here.
 */
import { readdirSync, readFileSync } from 'node:fs';

export type ProcessGroupRef = {
  /** The group leader's pid, which is also the group id (the programs start detached). */
  pgid: number;
  /** The leader's start time in clock ticks since boot (/proc/PID/stat), so a reused pid is not mistaken for it. */
  startTime?: string;
};

type ProcStat = { pgid: number; state: string; startTime: string };

/** The leader's start time, when /proc can tell it. */
export function startTimeOf(pid: number): string | undefined {
  return readStat(String(pid))?.startTime;
}

/** True while any process of the group is alive (zombies do not count). */
export function isGroupAlive(group: ProcessGroupRef): boolean {
  const leader = readStat(String(group.pgid));
  if (leader && group.startTime !== undefined && leader.startTime !== group.startTime) return false;
  if (leader && leader.state !== 'Z' && leader.pgid === group.pgid) return true;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return signalable(group.pgid);
  }
  return pids.some((pid) => {
    const stat = readStat(pid);
    return stat !== undefined && stat.pgid === group.pgid && stat.state !== 'Z';
  });
}

function readStat(pid: string): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: the fields after it follow the last ")".
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = rest[0];
  const pgid = Number(rest[2]);
  const startTime = rest[19];
  if (state === undefined || !Number.isInteger(pgid) || startTime === undefined) return undefined;
  return { pgid, state, startTime };
}

function signalable(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
