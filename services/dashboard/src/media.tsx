/**
 * /media: the discs, newest first, superseded ones marked, each with its last audit; and the find
 * box: which disc holds a file.
 */
import type { ListedDisc } from '@cedar-store/ports';
import { formatBytes, lastAuditLine } from '@cedar-store/ports/words';
import { useContext, useState } from 'preact/hooks';
import { api } from './api.js';
import { Link, LoadError, When, ZoneContext, usePolled } from './parts.js';
import type { FilesAnswer, MediaAnswer } from './types.js';

export function Media() {
  const media = usePolled(() => api<MediaAnswer>('/api/v1/media'), 30_000);
  return (
    <section aria-labelledby="media-title">
      <h1 id="media-title">Media</h1>
      <FindBox />
      <h2>Discs</h2>
      <LoadError error={media.error} />
      {media.data && media.data.discs.length === 0 ? <p>No disc has been written yet.</p> : null}
      <div class="cards">
        {(media.data?.discs ?? []).map((disc) => {
          const days = disc.sessions.flatMap((session) => session.days);
          const bytes = disc.sessions.reduce((sum, session) => sum + session.bytes, 0);
          return (
            <article
              class={`card disc${disc.supersededAt ? ' superseded' : ''}`}
              key={`${disc.device} ${disc.label} ${disc.startedAt}`}
              data-disc={disc.label}
            >
              <h3>
                {disc.label}
                {disc.supersededAt ? <span class="mark"> superseded</span> : null}
              </h3>
              <p>
                {disc.device}, started <When iso={disc.startedAt} />
                {disc.supersededAt ? (
                  <>
                    ; blanked for a newer disc <When iso={disc.supersededAt} />: its sessions are gone
                  </>
                ) : null}
              </p>
              <LastAudit disc={disc} />
              <p>
                {disc.sessions.length} {disc.sessions.length === 1 ? 'session' : 'sessions'}, {formatBytes(bytes)}, days{' '}
                {days.join(', ') || 'none'}
              </p>
              <ol class="sessions">
                {disc.sessions.map((session) => (
                  <li key={session.runId}>
                    {session.days.join(', ')}: {formatBytes(session.bytes)},{' '}
                    {session.verified === true
                      ? 'verified'
                      : session.verified === false
                        ? 'verify FAILED'
                        : 'not verified'}
                    , <When iso={session.writtenAt} /> (<Link href={`/runs/${session.runId}`}>{session.runId}</Link>)
                  </li>
                ))}
              </ol>
            </article>
          );
        })}
      </div>
    </section>
  );
}

/** The disc's number and last audit in the CLI's words (`cedar-store media`), with a link to the audit run. */
function LastAudit({ disc }: { disc: ListedDisc }) {
  const zone = useContext(ZoneContext);
  const audit = disc.lastAudit;
  if (disc.id === undefined || audit === undefined) return null;
  return (
    <p class={`audit${audit && !audit.ok ? ' bad' : ''}`}>
      disc {disc.id}: {lastAuditLine(audit, zone)}
      {audit ? (
        <>
          {' '}
          (<Link href={`/runs/${audit.runId}`}>{audit.runId}</Link>)
        </>
      ) : null}
    </p>
  );
}

function FindBox() {
  const [glob, setGlob] = useState('');
  const [found, setFound] = useState<FilesAnswer>();
  const [error, setError] = useState<Error>();
  const find = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (!glob.trim()) return;
    try {
      setFound(await api<FilesAnswer>(`/api/v1/files?${new URLSearchParams({ glob: glob.trim(), limit: '50' })}`));
      setError(undefined);
    } catch (reason) {
      setError(reason instanceof Error ? reason : new Error(String(reason)));
    }
  };
  return (
    <form class="find" onSubmit={find} role="search">
      <label for="find-glob">Which disc holds a file? (a name or a pattern such as *.conf or etc/**)</label>
      <div class="inline">
        <input
          id="find-glob"
          type="search"
          value={glob}
          onInput={(event) => setGlob((event.currentTarget as HTMLInputElement).value)}
        />
        <button type="submit">Find</button>
      </div>
      <LoadError error={error} />
      {found ? (
        found.files.length === 0 ? (
          <p>No file on any disc matches.</p>
        ) : (
          <ul class="found" aria-label="Files found">
            {found.files.map((file) => (
              <li key={`${file.disc.id} ${file.path}`}>
                <code>{file.path}</code> ({formatBytes(file.size)}, day {file.day}) on disc{' '}
                <strong>{file.disc.label}</strong> session {file.session.position}
                {file.disc.supersededAt ? <span class="mark"> superseded: the disc was blanked</span> : null}
              </li>
            ))}
            {found.nextCursor ? <li class="muted">… more match: narrow the pattern.</li> : null}
          </ul>
        )
      ) : null}
    </form>
  );
}
