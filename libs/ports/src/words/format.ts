/**
 * How cedar-store writes sizes, rates, durations and times for people, in the CLI and the
 * dashboard alike (pure: no Node.js API, so the browser bundle takes it as it is). Sizes use binary units
 * (KiB, MiB, GiB) everywhere, the units media capacities are usually quoted in, with three
 * significant digits: enough to compare an estimate with what is left on a disc.
 */
const BYTE_UNITS = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '?';
  const sign = bytes < 0 ? '-' : '';
  let value = Math.abs(bytes);
  if (value < 1024) return `${sign}${Math.round(value)} B`;
  let unit: string = 'B';
  for (const next of BYTE_UNITS) {
    if (value < 1024) break;
    value /= 1024;
    unit = next;
  }
  return `${sign}${significant(value)} ${unit}`;
}

export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** `850 ms`, `12.3 s`, `3m 05s`, `1h 02m`: precise for short steps, short for long burns. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  const totalSeconds = Math.round(seconds);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const rest = totalSeconds % 60;
  if (hours === 0) return `${minutes}m ${pad2(rest)}s`;
  return `${hours}h ${pad2(minutes)}m`;
}

/** The milliseconds between two ISO timestamps, or undefined when either is missing or unreadable. */
export function elapsedMs(from: string | undefined, to: string | undefined): number | undefined {
  if (!from || !to) return undefined;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

/**
 * `2025-02-05 02:30:01` in the host's time zone, the zone cron and the user think in; in
 * `timeZone` (an IANA name) when given, as the dashboard does with the controller's zone.
 */
export function formatLocalTime(iso: string | undefined, timeZone?: string): string {
  if (!iso) return '-';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  if (timeZone !== undefined) return formatInZone(date, timeZone);
  return (
    `${date.getFullYear()}-${pad2(date.getMonth() + 1)}-${pad2(date.getDate())} ` +
    `${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())}`
  );
}

function formatInZone(date: Date, timeZone: string): string {
  const parts: Record<string, string> = {};
  const format = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  for (const part of format.formatToParts(date)) parts[part.type] = part.value;
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

/** Whole percent, never 100 before the last byte: a bar at 100% that keeps running misleads. */
export function formatPercent(done: number, total: number): string {
  if (total <= 0) return '0%';
  const percent = Math.min(100, (done / total) * 100);
  return `${done < total ? Math.min(99, Math.floor(percent)) : 100}%`;
}

function significant(value: number): string {
  if (value < 10) return value.toFixed(2);
  if (value < 100) return value.toFixed(1);
  return value.toFixed(0);
}

function pad2(value: number): string {
  return String(value).padStart(2, '0');
}
