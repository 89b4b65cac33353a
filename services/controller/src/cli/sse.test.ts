import { describe, expect, it } from 'vitest';
import { readSse, MAX_SSE_LINE_CHARS, SseLineTooLongError, SseParser } from './sse.js';

describe('SseParser', () => {
  it('reads events with ids and types, skipping comments', () => {
    const parser = new SseParser();
    const messages = parser.push(': hello\n\nid: 1\nevent: step\ndata: {"a":1}\n\nid: 2\ndata: x\n\n');
    expect(messages).toEqual([
      { event: 'step', data: '{"a":1}', id: '1' },
      { event: 'message', data: 'x', id: '2' },
    ]);
    expect(parser.lastEventId).toBe('2');
  });

  it('joins multi-line data and accepts CRLF, CR and a missing space after the colon', () => {
    const parser = new SseParser();
    expect(parser.push('data:one\r\ndata: two\rdata:  three\r\n\r\n')).toEqual([
      { event: 'message', data: 'one\ntwo\n three', id: undefined },
    ]);
  });

  it('keeps a message cut across chunks, even between CR and LF', () => {
    const parser = new SseParser();
    expect(parser.push('id: 7\nda')).toEqual([]);
    expect(parser.push('ta: {"b"')).toEqual([]);
    expect(parser.push(':2}\r')).toEqual([]);
    expect(parser.push('\n\r')).toEqual([{ event: 'message', data: '{"b":2}', id: '7' }]);
    expect(parser.push('\ndata: next\n\n')).toEqual([{ event: 'message', data: 'next', id: '7' }]);
  });

  it('does not take the id of a message that never completed, so a resume asks for it again', () => {
    const parser = new SseParser();
    parser.push('id: 1\ndata: a\n\nid: 2\ndata: b\n');
    expect(parser.lastEventId).toBe('1');
  });

  it('ignores an id with a NUL and messages without data', () => {
    const parser = new SseParser();
    expect(parser.push('id: 3\n\nid: 4\u0000\ndata: z\n\n')).toEqual([{ event: 'message', data: 'z', id: '3' }]);
  });
});

describe('readSse', () => {
  it('decodes UTF-8 split across chunks and reports every chunk', async () => {
    const bytes = new TextEncoder().encode('data: café\n\n');
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, 9));
        controller.enqueue(bytes.slice(9));
        controller.close();
      },
    });
    let chunks = 0;
    const messages = [];
    for await (const message of readSse(body, new SseParser(), () => (chunks += 1))) messages.push(message);
    expect(messages).toEqual([{ event: 'message', data: 'café', id: undefined }]);
    expect(chunks).toBe(2);
  });
});

describe('a stream that is not a run event stream', () => {
  it('is given up once a line grows past the limit, instead of filling memory', () => {
    const parser = new SseParser();
    const chunk = 'x'.repeat(64 * 1024);
    expect(() => {
      for (let i = 0; i <= MAX_SSE_LINE_CHARS / chunk.length; i += 1) parser.push(chunk);
    }).toThrow(SseLineTooLongError);
  });
});
