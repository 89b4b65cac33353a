import { describe, expect, it } from 'vitest';
import { describeNetworkError } from './api-client.js';

describe('describeNetworkError', () => {
  it('digs the socket error out of fetch', () => {
    const error = new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:7700') });
    expect(describeNetworkError(error)).toBe('connect ECONNREFUSED 127.0.0.1:7700');
  });

  it('names every address tried', () => {
    const cause = new AggregateError([
      new Error('connect ECONNREFUSED ::1:7700'),
      new Error('connect ECONNREFUSED 127.0.0.1:7700'),
    ]);
    expect(describeNetworkError(new TypeError('fetch failed', { cause }))).toBe(
      'connect ECONNREFUSED ::1:7700; connect ECONNREFUSED 127.0.0.1:7700',
    );
  });
});
