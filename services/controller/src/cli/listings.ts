/** The tables `runs`, `media` and `devices` print when `--json` is not asked for. */
import type { ListedDisc, Run } from '@cedar-store/ports';
import { lastAuditLine, mismatchTotal } from '@cedar-store/ports/words';
import type { DeviceRow, DevicesAnswer } from './api-client.js';
import { elapsedMs, formatBytes, formatDuration, formatLocalTime } from './format.js';
import { renderTable } from './table.js';

export function formatRunsTable(runs: Run[]): string {
  if (runs.length === 0) return 'No runs.';
  return renderTable(
    [
      { header: 'ID' },
      { header: 'ACTION' },
      { header: 'DEVICE' },
      { header: 'STATUS' },
      { header: 'REQUESTED' },
      { header: 'TOOK', align: 'right' },
      { header: 'DAYS' },
      { header: 'RESULT' },
    ],
    runs.map((run) => {
      const took = elapsedMs(run.startedAt, run.finishedAt);
      return [
        run.id,
        run.action,
        run.device,
        run.status,
        formatLocalTime(run.requestedAt),
        took === undefined ? '-' : formatDuration(took),
        (run.selection?.days ?? run.options?.days ?? []).join(',') || '-',
        runResult(run),
      ];
    }),
  );
}

/** A table row stays one line; `cedar-store runs RUN_ID` shows the whole message. */
const MAX_RESULT_LENGTH = 72;

/** The one thing to know about a run at a glance: a dry run says so; its error, else its written bytes, else its warnings. */
function runResult(run: Run): string {
  const dryRun = run.options?.dryRun === true;
  if (run.error)
    return truncate(`${dryRun ? 'dry run: ' : ''}${run.error.code}: ${run.error.message}`, MAX_RESULT_LENGTH);
  const parts: string[] = [];
  if (dryRun) parts.push(run.status === 'succeeded' ? 'dry run: fits' : 'dry run');
  if (run.write)
    parts.push(
      `${formatBytes(run.write.bytesWritten)} written${run.blanking?.newDisc || run.blanking?.mediaBlank ? ' (new disc)' : ''}`,
    );
  if (run.verify) parts.push(run.verify.ok ? 'verified' : `verify: ${mismatchTotal(run.verify)} mismatches`);
  const warnings = run.warnings ?? [];
  if (warnings.length > 0) parts.push(`warnings: ${warnings.map((warning) => warning.code).join(', ')}`);
  return parts.join('; ') || '-';
}

/** A disc's number and last audit (docs/auditing.md), when the controller names them. */
function auditLine(disc: ListedDisc): string {
  if (disc.id === undefined || disc.lastAudit === undefined) return '';
  const audit = disc.lastAudit;
  const hint =
    audit === null ? ' (cedar-store audit)' : audit.ok ? '' : ` (cedar-store runs ${audit.runId} names them)`;
  return `\n  disc ${disc.id}: ${lastAuditLine(audit)}${hint}`;
}

export function formatMediaTable(discs: ListedDisc[]): string {
  if (discs.length === 0) return 'No disc in the catalog yet.';
  return discs
    .map((disc) => {
      const total = disc.sessions.reduce((sum, session) => sum + (session.bytes ?? 0), 0);
      const header =
        `${disc.label}  on ${disc.device}, started ${formatLocalTime(disc.startedAt)}, ` +
        `${disc.sessions.length} ${disc.sessions.length === 1 ? 'session' : 'sessions'}, ${formatBytes(total)}` +
        (disc.supersededAt
          ? `\n  SUPERSEDED: its media was blanked for a newer disc on ${formatLocalTime(disc.supersededAt)}; ` +
            'these sessions are no longer on any disc'
          : '') +
        auditLine(disc);
      const table = renderTable(
        [
          { header: 'SESSION LABEL' },
          { header: 'NEW DISC' },
          { header: 'DAYS' },
          { header: 'BYTES', align: 'right' },
          { header: 'WRITTEN' },
          { header: 'VERIFIED' },
          { header: 'RUN' },
        ],
        disc.sessions.map((session) => [
          session.sessionLabel,
          session.newDisc ? 'yes' : 'no',
          (session.days ?? []).join(','),
          formatBytes(session.bytes),
          formatLocalTime(session.writtenAt),
          session.verified === undefined ? '-' : session.verified ? 'yes' : 'NO: differs from staging',
          session.runId,
        ]),
      );
      return `${header}\n${indent(table)}`;
    })
    .join('\n\n');
}

export function formatDevicesTable(answer: DevicesAnswer): string {
  const devices =
    answer.devices.length === 0
      ? 'No device known: check that the agents in controller.yaml are running.'
      : renderTable(
          [
            { header: 'DEVICE' },
            { header: 'BACKEND' },
            { header: 'MEDIA' },
            { header: 'CONNECTED' },
            { header: 'STATE' },
            { header: 'QUEUED', align: 'right' },
          ],
          answer.devices.map((device) => [
            device.ref,
            device.backend ?? '-',
            device.mediaType ?? '-',
            device.connected ? 'yes' : 'no',
            deviceState(device),
            String(device.queuedRuns?.length ?? device.queued ?? 0),
          ]),
        );
  if (answer.agents.length === 0) return devices;
  const agents = renderTable(
    [
      { header: 'AGENT' },
      { header: 'STATE' },
      { header: 'VERSION' },
      { header: 'URL' },
      { header: 'SINCE' },
      { header: 'LAST ERROR' },
    ],
    answer.agents.map((agent) => [
      agent.id,
      agent.state,
      agent.version ?? '-',
      agent.url ?? '-',
      formatLocalTime(agent.since),
      agent.lastError ?? '-',
    ]),
  );
  return `${devices}\n\n${agents}`;
}

function truncate(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}

function deviceState(device: DeviceRow): string {
  if (device.activeRun) return `busy (run ${device.activeRun})`;
  return device.busy || device.activity === 'busy' ? 'busy' : 'idle';
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
