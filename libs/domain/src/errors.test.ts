import { describe, expect, it } from 'vitest';
import * as errors from './errors.js';
import { CedarStoreError, ERROR_CODES, isErrorCode, MediaFullError, toCedarStoreError } from './errors.js';

describe('errors', () => {
  it('carry a stable code and a class name a log reader recognises', () => {
    const error = new MediaFullError('does not fit', { requiredBytes: 2 });
    expect(error).toBeInstanceOf(CedarStoreError);
    expect(error).toMatchObject({ code: 'MEDIA_FULL', name: 'MediaFullError', details: { requiredBytes: 2 } });
  });

  it('have one class for every code', () => {
    const classes = (Object.values(errors) as unknown[]).filter(
      (value): value is new (message: string) => CedarStoreError =>
        typeof value === 'function' && value.prototype instanceof CedarStoreError,
    );
    expect(classes.map((ErrorClass) => new ErrorClass('m').code).sort()).toEqual([...ERROR_CODES].sort());
  });

  it('list exactly the codes of the design', () => {
    expect(ERROR_CODES).toHaveLength(16);
    expect(isErrorCode('VERIFY_FAILED')).toBe(true);
    expect(isErrorCode('verify_failed')).toBe(false);
  });

  it('turn anything thrown into INTERNAL, keeping the message', () => {
    expect(toCedarStoreError(new TypeError('boom'))).toMatchObject({ code: 'INTERNAL', message: 'boom' });
    expect(toCedarStoreError('plain string')).toMatchObject({ code: 'INTERNAL', message: 'plain string' });
    const coded = new MediaFullError('x');
    expect(toCedarStoreError(coded)).toBe(coded);
  });
});
