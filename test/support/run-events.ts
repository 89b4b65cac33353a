import type { RunEvent } from '@cedar-store/ports';

/**
 * Follows a run's event stream (SSE) on a real controller until an event matches, and
 * returns it: how the process suites wait for "the write has started" without sleeping.
 */
export async function waitForRunEvent(
  api: { url: string; token: string },
  runId: string,
  match: (event: RunEvent) => boolean,
): Promise<RunEvent> {
  const response = await fetch(`${api.url}/api/v1/runs/${runId}/events`, {
    headers: { authorization: `Bearer ${api.token}` },
  });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the stream of ${runId} ended without the event`);
      buffer += value;
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (!line.startsWith('data: ')) continue;
        const event = JSON.parse(line.slice(6)) as RunEvent;
        if (match(event)) return event;
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
