/**
 * Server-Sent Events read from a response body, following the WHATWG event-stream rules a
 * browser's EventSource uses: lines end in CRLF, LF or CR; a blank line dispatches;
 * `data` lines join with newlines; comments (`:`) keep a connection alive; the last `id`
 * sticks, so a reconnect can send it back as Last-Event-ID.
 */
import { NamedError } from '@cedar-store/domain/errors';
export type SseMessage = { event: string; data: string; id: string | undefined };

/** The longest line kept: run events are a few KiB; anything longer is not our controller. */
export const MAX_SSE_LINE_CHARS = 1024 * 1024;

export class SseLineTooLongError extends NamedError {}

export class SseParser {
  private buffer = '';
  /** A chunk ended in CR: an LF starting the next chunk belongs to the same line end. */
  private skipLeadingLf = false;
  private event = '';
  private data: string[] = [];
  private hasData = false;
  /** Committed only when its message is dispatched: a stream cut mid-message must not skip that message on resume. */
  private pendingId: string | undefined;
  private lastId: string | undefined;

  get lastEventId(): string | undefined {
    return this.lastId;
  }

  /** Feeds decoded text; returns the messages it completed. */
  push(text: string): SseMessage[] {
    let chunk = text;
    if (this.skipLeadingLf && chunk.startsWith('\n')) chunk = chunk.slice(1);
    this.skipLeadingLf = false;
    this.buffer += chunk;
    const messages: SseMessage[] = [];
    let start = 0;
    for (let index = 0; index < this.buffer.length; index += 1) {
      const char = this.buffer[index];
      if (char !== '\n' && char !== '\r') continue;
      const message = this.line(this.buffer.slice(start, index));
      if (message) messages.push(message);
      if (char === '\r') {
        if (index + 1 === this.buffer.length) this.skipLeadingLf = true;
        else if (this.buffer[index + 1] === '\n') index += 1;
      }
      start = index + 1;
    }
    this.buffer = this.buffer.slice(start);
    if (this.buffer.length > MAX_SSE_LINE_CHARS) {
      this.buffer = '';
      throw new SseLineTooLongError(`an event stream line longer than ${MAX_SSE_LINE_CHARS} characters`);
    }
    return messages;
  }

  private line(line: string): SseMessage | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') {
      this.data.push(value);
      this.hasData = true;
    } else if (field === 'id' && !value.includes('\0')) this.pendingId = value;
    return undefined;
  }

  private dispatch(): SseMessage | undefined {
    if (this.pendingId !== undefined) this.lastId = this.pendingId;
    this.pendingId = undefined;
    const message = this.hasData
      ? { event: this.event || 'message', data: this.data.join('\n'), id: this.lastId }
      : undefined;
    this.event = '';
    this.data = [];
    this.hasData = false;
    return message;
  }
}

/**
 * Yields the messages of an event-stream body as they arrive. `onBytes` is told about every
 * chunk, comments included, so an idle timer can tell a quiet stream from a dead one.
 * Stopping early (the run finished) ends the body's iteration, which closes the connection.
 */
export async function* readSse(
  body: AsyncIterable<Uint8Array>,
  parser: SseParser,
  onBytes: () => void,
): AsyncGenerator<SseMessage> {
  const decoder = new TextDecoder();
  for await (const value of body) {
    onBytes();
    yield* parser.push(decoder.decode(value, { stream: true }));
  }
  yield* parser.push(decoder.decode());
}
