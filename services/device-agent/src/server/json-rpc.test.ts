import { RPC_ERROR } from '@cedar-store/ports';
import { describe, expect, it } from 'vitest';
import { errorResponse, parseFrame, resultResponse } from './json-rpc.js';

const frame = (message: unknown): string => JSON.stringify(message);

describe('parseFrame', () => {
  it('answers text that is not JSON with a parse error and a null id', () => {
    expect(parseFrame('{"jsonrpc":"2.0","id":1,')).toEqual({
      kind: 'invalid',
      id: null,
      error: { code: RPC_ERROR.PARSE_ERROR, message: expect.stringContaining('not valid JSON') },
    });
    expect(RPC_ERROR.PARSE_ERROR).toBe(-32700);
  });

  it('refuses a batch with an array of errors, one per member that waits for an answer, by its id', () => {
    const parsed = parseFrame(
      frame([
        { jsonrpc: '2.0', id: 1, method: 'agent.describe' },
        { jsonrpc: '2.0', method: 'agent.describe' }, // a notification: no answer
        { jsonrpc: '2.0', id: 'b', method: 'media.status', params: { device: 'dvd0' } },
        42,
        null,
      ]),
    );
    const refused = { code: -32600, message: expect.stringContaining('one request per frame') };
    expect(parsed).toEqual({
      kind: 'batch',
      responses: [
        { jsonrpc: '2.0', id: 1, error: refused },
        { jsonrpc: '2.0', id: 'b', error: refused },
        { jsonrpc: '2.0', id: null, error: refused },
        { jsonrpc: '2.0', id: null, error: refused },
      ],
    });
  });

  it('answers an empty batch with one Invalid Request, and a batch of notifications with nothing', () => {
    expect(parseFrame('[]')).toEqual({
      kind: 'invalid',
      id: null,
      error: { code: -32600, message: expect.stringContaining('empty batch') },
    });
    expect(parseFrame(frame([{ jsonrpc: '2.0', method: 'agent.describe' }]))).toEqual({ kind: 'ignored' });
  });

  it.each([['"a string"'], ['42'], ['null'], ['true']])('refuses the JSON value %s', (text) => {
    expect(parseFrame(text)).toMatchObject({ kind: 'invalid', id: null, error: { code: -32600 } });
  });

  it('refuses a missing or wrong jsonrpc, keeping the id so the caller hears which request failed', () => {
    expect(parseFrame(frame({ id: 7, method: 'agent.describe' }))).toEqual({
      kind: 'invalid',
      id: 7,
      error: { code: -32600, message: expect.stringContaining('jsonrpc must be "2.0"') },
    });
    expect(parseFrame(frame({ jsonrpc: '1.0', id: 'a', method: 'agent.describe' }))).toMatchObject({
      kind: 'invalid',
      id: 'a',
      error: { code: -32600 },
    });
    expect(parseFrame(frame({ jsonrpc: 2, id: 'a', method: 'agent.describe' }))).toMatchObject({
      kind: 'invalid',
      error: { code: -32600 },
    });
  });

  it('ignores a notification (no id): a write nobody can hear the outcome of is not run', () => {
    expect(parseFrame(frame({ jsonrpc: '2.0', method: 'media.write', params: {} }))).toEqual({ kind: 'ignored' });
  });

  it.each([
    ['null', null],
    ['a fraction', 1.5],
    ['an object', { n: 1 }],
    ['an empty string', ''],
    ['a string of 101 characters', 'x'.repeat(101)],
    ['a number beyond the safe integers', 2 ** 53],
  ])('refuses an id that is %s', (_name, id) => {
    expect(parseFrame(frame({ jsonrpc: '2.0', id, method: 'agent.describe' }))).toEqual({
      kind: 'invalid',
      id: null,
      error: { code: -32600, message: expect.stringContaining('id must be') },
    });
  });

  it('accepts an id of 100 characters and a negative integer id', () => {
    const long = 'x'.repeat(100);
    expect(parseFrame(frame({ jsonrpc: '2.0', id: long, method: 'agent.describe' }))).toMatchObject({ id: long });
    expect(parseFrame(frame({ jsonrpc: '2.0', id: -3, method: 'agent.describe' }))).toMatchObject({ id: -3 });
  });

  it('refuses a method that is not a string', () => {
    expect(parseFrame(frame({ jsonrpc: '2.0', id: 1, method: 3 }))).toEqual({
      kind: 'invalid',
      id: 1,
      error: { code: -32600, message: expect.stringContaining('method must be a string') },
    });
    expect(parseFrame(frame({ jsonrpc: '2.0', id: 1 }))).toMatchObject({ kind: 'invalid', id: 1 });
  });

  it('refuses an unknown top-level member, naming it', () => {
    expect(parseFrame(frame({ jsonrpc: '2.0', id: 1, method: 'agent.describe', token: 'x' }))).toEqual({
      kind: 'invalid',
      id: 1,
      error: { code: -32600, message: 'invalid request: unknown member token' },
    });
  });

  it('reads a valid request, with params defaulting to {}', () => {
    expect(parseFrame(frame({ jsonrpc: '2.0', id: 1, method: 'agent.describe' }))).toEqual({
      kind: 'request',
      id: 1,
      method: 'agent.describe',
      params: {},
    });
    expect(
      parseFrame(frame({ jsonrpc: '2.0', id: 'w-1', method: 'staging.inspect', params: { days: ['2026-11-23'] } })),
    ).toEqual({ kind: 'request', id: 'w-1', method: 'staging.inspect', params: { days: ['2026-11-23'] } });
  });

  it('builds JSON-RPC 2.0 responses', () => {
    expect(resultResponse(1, { ok: true })).toEqual({ jsonrpc: '2.0', id: 1, result: { ok: true } });
    expect(errorResponse(null, { code: -32700, message: 'parse error' })).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32700, message: 'parse error' },
    });
  });
});
