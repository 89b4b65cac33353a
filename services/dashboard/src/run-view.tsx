/** /runs/ID: one run, live: its steps, progress and warnings, and its decisions in sentences. */
import type { Run } from '@cedar-store/ports';
import { runHeadline } from '@cedar-store/ports/words';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api } from './api.js';
import { CancelRun } from './actions.js';
import { ProgressBar, StepList, WarningList, useRunEvents } from './live-progress.js';
import { ErrorBox, LoadError, Status, Summary } from './parts.js';

export function RunView({ runId }: { runId: string }) {
  const [run, setRun] = useState<Run>();
  const [error, setError] = useState<Error>();
  const load = useCallback(() => {
    api<Run>(`/api/v1/runs/${encodeURIComponent(runId)}`).then(
      (value) => {
        setRun(value);
        setError(undefined);
      },
      (reason: Error) => setError(reason),
    );
  }, [runId]);
  useEffect(load, [load]);
  const live = useRunEvents(runId, load);

  if (error && !run) return <LoadError error={error} />;
  if (!run) return <p aria-busy="true">Reading run {runId}…</p>;
  return (
    <section aria-labelledby="run-title">
      <h1 id="run-title">
        {run.action} on {run.device} <Status status={run.status} />
      </h1>
      <p class="headline">{runHeadline(run)}</p>
      {run.error ? <ErrorBox error={run.error} title="Failed:" /> : null}
      {run.status === 'queued' || run.status === 'running' ? <CancelRun run={run} onDone={load} /> : null}
      <h2>Steps</h2>
      <ProgressBar live={live} />
      <StepList live={live} />
      <WarningList live={live} />
      {live.error ? <LoadError error={live.error} /> : null}
      <h2>What it decided</h2>
      <Summary run={run} />
    </section>
  );
}
