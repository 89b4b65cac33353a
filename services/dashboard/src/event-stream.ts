/**
 * A run's Server-Sent Events read with fetch, so the request carries the bearer header
 * (EventSource cannot send one, and the token never goes in a URL). Parses the stream line
 * by line as it arrives and hands each event's JSON to `onEvent`; resumes after the last
 * id when the connection drops before the run's `finished` event.
 */
import type { RunEvent } from '@cedar-store/ports';
import { authHeaders, errorOf } from './api.js';

export type StreamHandle = { close(): void };

export function followRunEvents(
  runId: string,
  onEvent: (event: RunEvent) => void,
  onError: (error: Error) => void,
): StreamHandle {
  const controller = new AbortController();
  let lastId: string | undefined;
  let finished = false;

  const connect = async (attempt: number): Promise<void> => {
    const headers: Record<string, string> = { Accept: 'text/event-stream', ...authHeaders() };
    if (lastId !== undefined) headers['Last-Event-ID'] = lastId;
    const response = await fetch(`/api/v1/runs/${encodeURIComponent(runId)}/events`, {
      headers,
      credentials: 'omit',
      cache: 'no-store',
      signal: controller.signal,
    });
    if (!response.ok || !response.body) throw await errorOf(response);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let data: string[] = [];
    let id: string | undefined;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline).replace(/\r$/, '');
        buffer = buffer.slice(newline + 1);
        if (line === '') {
          if (data.length > 0) {
            if (id !== undefined) lastId = id;
            const event = JSON.parse(data.join('\n')) as RunEvent;
            if (event.type === 'finished') finished = true;
            onEvent(event);
          }
          data = [];
          id = undefined;
        } else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
        else if (line.startsWith('id:')) id = line.slice(3).trim();
      }
    }
    // The stream ends after `finished`; an earlier end is a dropped connection: resume.
    if (!finished && !controller.signal.aborted && attempt < 5) {
      await new Promise((resolve) => setTimeout(resolve, 1000 * (attempt + 1)));
      await connect(attempt + 1);
    }
  };

  connect(0).catch((error: unknown) => {
    if (!controller.signal.aborted) onError(error instanceof Error ? error : new Error(String(error)));
  });
  return { close: () => controller.abort() };
}
