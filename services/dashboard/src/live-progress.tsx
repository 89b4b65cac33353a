/**
 * A run followed live over its event stream: the steps with their state and duration, the
 * latest progress with rate and ETA, and the warnings, in the CLI's words (ports/words).
 */
import type { RunEvent } from '@cedar-store/ports';
import { progressLine, stepLine, warningLine } from '@cedar-store/ports/words';
import { useEffect, useState } from 'preact/hooks';
import { followRunEvents } from './event-stream.js';

type StepEvent = Extract<RunEvent, { type: 'step' }>;
type ProgressEvent = Extract<RunEvent, { type: 'progress' }>;

export type LiveState = {
  steps: StepEvent[];
  progress?: { event: ProgressEvent; rate?: number; etaMs?: number };
  warnings: Array<{ code: string; message: string }>;
  finished?: string;
  error?: Error;
};

/** Follows a run's events while `runId` is set; `onChange` hears of each step's end and the finish. */
export function useRunEvents(runId: string | undefined, onChange?: () => void): LiveState {
  const [state, setState] = useState<LiveState>({ steps: [], warnings: [] });
  useEffect(() => {
    if (!runId) return undefined;
    setState({ steps: [], warnings: [] });
    let firstProgress: { at: number; bytes: number; phase: string } | undefined;
    const stream = followRunEvents(
      runId,
      (event) => {
        if (event.type === 'progress') {
          const at = Date.parse(event.at);
          if (!firstProgress || firstProgress.phase !== event.phase || event.bytesDone < firstProgress.bytes)
            firstProgress = { at, bytes: event.bytesDone, phase: event.phase };
          const seconds = (at - firstProgress.at) / 1000;
          const rate = seconds > 0 ? (event.bytesDone - firstProgress.bytes) / seconds : undefined;
          const etaMs = rate && rate > 0 ? ((event.bytesTotal - event.bytesDone) / rate) * 1000 : undefined;
          setState((old) => ({
            ...old,
            progress: { event, ...(rate !== undefined ? { rate } : {}), ...(etaMs !== undefined ? { etaMs } : {}) },
          }));
          return;
        }
        setState((old) => {
          if (event.type === 'step') {
            const at = old.steps.findIndex((step) => step.step === event.step);
            const steps =
              at < 0 ? [...old.steps, event] : old.steps.map((step, index) => (index === at ? event : step));
            return { ...old, steps };
          }
          if (event.type === 'warning') return { ...old, warnings: [...old.warnings, event] };
          return { ...old, finished: event.status, progress: undefined };
        });
        if ((event.type === 'step' && event.state !== 'started') || event.type === 'finished') onChange?.();
      },
      (error) => setState((old) => ({ ...old, error })),
    );
    return () => stream.close();
  }, [runId]);
  return state;
}

export function ProgressBar({ live }: { live: LiveState }) {
  const progress = live.progress;
  if (!progress) return null;
  const { event } = progress;
  const line = progressLine({
    phase: event.phase,
    bytesDone: event.bytesDone,
    bytesTotal: event.bytesTotal,
    ...(progress.rate !== undefined ? { rate: progress.rate } : {}),
    ...(progress.etaMs !== undefined ? { etaMs: progress.etaMs } : {}),
  });
  return (
    <div class="progress">
      <progress
        max={Math.max(1, event.bytesTotal)}
        value={Math.min(event.bytesDone, event.bytesTotal)}
        aria-label={`${event.phase} progress`}
      />
      <span>{line}</span>
    </div>
  );
}

export function StepList({ live }: { live: LiveState }) {
  if (live.steps.length === 0) return <p class="muted">No step has started yet.</p>;
  return (
    <ol class="steps" aria-label="Steps">
      {live.steps.map((step) => (
        <li key={step.step} class={`step step-${step.state}`} data-step={step.step} data-state={step.state}>
          <span class="step-state">{step.state}</span> {stepLine(step)}
        </li>
      ))}
    </ol>
  );
}

export function WarningList({ live }: { live: LiveState }) {
  if (live.warnings.length === 0) return null;
  return (
    <ul class="warnings" aria-label="Warnings">
      {live.warnings.map((warning, index) => (
        <li key={index}>{warningLine(warning)}</li>
      ))}
    </ul>
  );
}
