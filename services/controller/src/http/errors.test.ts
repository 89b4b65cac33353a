import { InternalError } from '@cedar-store/domain';
import { describe, expect, it } from 'vitest';
import { DatabaseUnavailableError } from '../persistence/database-unavailable.js';
import { describeFailure } from './errors.js';

describe('describeFailure', () => {
  it('answers a locked or full database 503 with its message and a Retry-After, not a generic 500', () => {
    const busy = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    const failure = describeFailure(new DatabaseUnavailableError('locked', '/var/lib/cedar-store/controller.db', busy));
    expect(failure).toMatchObject({ status: 503, internal: false, retryAfterSeconds: 5 });
    expect(failure.body.error.code).toBe('INTERNAL');
    expect(failure.body.error.message).toMatch(
      /^the controller database is unavailable, so this request changed nothing: another program holds the lock on \/var\/lib\/cedar-store\/controller\.db\. Retry/,
    );
  });

  it('still hides the message of any other internal failure', () => {
    expect(describeFailure(new InternalError('SQLITE_CORRUPT at page 7'))).toMatchObject({
      status: 500,
      internal: true,
      body: { error: { code: 'INTERNAL', message: 'internal error: the controller log has the details' } },
    });
  });
});
