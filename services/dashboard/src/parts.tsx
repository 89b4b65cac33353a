/** Small pieces every view uses: times in the controller's zone, status words, errors, summaries, links. */
import type { Run } from '@cedar-store/ports';
import { formatLocalTime, runSummaryRows } from '@cedar-store/ports/words';
import { createContext, type ComponentChildren } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import { followLink } from './router.js';

/** The controller's time zone (GET /api/v1/devices names it); undefined until known. */
export const ZoneContext = createContext<string | undefined>(undefined);

export function When({ iso }: { iso: string | undefined }) {
  const zone = useContext(ZoneContext);
  if (!iso) return <span>-</span>;
  return (
    <time dateTime={iso} title={zone ? `${zone} (the controller's time zone)` : undefined}>
      {formatLocalTime(iso, zone)}
    </time>
  );
}

export function Status({ status }: { status: string }) {
  return <span class={`status status-${status}`}>{status}</span>;
}

export function Link({ href, children, label }: { href: string; children: ComponentChildren; label?: string }) {
  return (
    <a href={href} onClick={followLink} aria-label={label}>
      {children}
    </a>
  );
}

/** A failure as the CLI prints it: the code, then the message, which ends with what to do next. */
export function ErrorBox({ error, title }: { error: { code: string; message: string }; title?: string }) {
  return (
    <div class="error" role="alert">
      {title ? <strong>{title} </strong> : null}
      <code>{error.code}</code>: {error.message}
    </div>
  );
}

/** The run's decisions in sentences: the same rows and words as `cedar-store status RUN`. */
export function Summary({ run }: { run: Run }) {
  const zone = useContext(ZoneContext);
  const rows = runSummaryRows(run, { maxMismatchesShown: 20, ...(zone ? { timeZone: zone } : {}) });
  return (
    <dl class="summary">
      {rows.map((row) => (
        <div class={`row row-${row.label.toLowerCase()}`} key={row.label}>
          <dt>{row.label}</dt>
          <dd>
            {row.lines.map((line, index) => (
              <p key={index}>{line}</p>
            ))}
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** Data that is read once and then every `everyMs` while the view is shown. */
export function usePolled<T>(load: () => Promise<T>, everyMs: number, keys: unknown[] = []) {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<Error>();
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    const read = (): void => {
      load().then(
        (value) => {
          if (!live) return;
          setData(value);
          setError(undefined);
        },
        (reason: unknown) => {
          if (live) setError(reason instanceof Error ? reason : new Error(String(reason)));
        },
      );
    };
    read();
    const timer = setInterval(read, everyMs);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [tick, ...keys]);
  return { data, error, reload: () => setTick((value) => value + 1) };
}

export function LoadError({ error }: { error: Error | undefined }) {
  if (!error) return null;
  const coded = error as Error & { code?: string };
  return <ErrorBox error={{ code: coded.code ?? 'ERROR', message: error.message }} title="Could not read:" />;
}
