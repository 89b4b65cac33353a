import { CedarStoreError } from '@cedar-store/domain';
import { describe, expect, it } from 'vitest';
import { isRpcMethod, rpcMethods } from './methods.js';
import { describeZodError, fromRpcError, RPC_ERROR, toRpcError } from './rpc-errors.js';

const params = <M extends keyof typeof rpcMethods>(method: M, value: unknown) =>
  rpcMethods[method].params.safeParse(value);

describe('wire contract', () => {
  it('covers exactly the methods of the design', () => {
    expect(Object.keys(rpcMethods).sort()).toEqual(
      [
        'agent.describe',
        'media.blank',
        'media.estimate',
        'media.export',
        'media.initialize',
        'media.status',
        'media.verify',
        'media.write',
        'staging.inspect',
        'staging.markStored',
      ].sort(),
    );
    expect(isRpcMethod('media.write')).toBe(true);
    expect(isRpcMethod('toString')).toBe(false);
    expect(isRpcMethod('__proto__')).toBe(false);
  });

  it('accepts a well-formed write', () => {
    const ok = params('media.write', {
      device: 'dvd0',
      days: ['2026-11-26'],
      label: 'CEDAR BACKUP 26-NOV-2026',
      newDisc: true,
    });
    expect(ok.success).toBe(true);
  });

  it.each([
    ['an impossible date', { days: ['2026-02-30'] }, 'days.0'],
    ['a path trick for a day', { days: ['../../etc'] }, 'days.0'],
    ['an absolute path for a day', { days: ['/etc/passwd'] }, 'days.0'],
    ['a day twice', { days: ['2026-11-26', '2026-11-26'] }, 'days'],
    ['no days', { days: [] }, 'days'],
    [
      'too many days',
      { days: Array.from({ length: 40 }, (_, i) => `2026-01-${String((i % 28) + 1).padStart(2, '0')}`) },
      'days',
    ],
    ['an unknown field', { days: ['2026-11-26'], extra: 1 }, '(root)'],
    ['a number for days', { days: 20261126 }, 'days'],
  ])('refuses %s in staging.inspect, naming the field', (_, value, field) => {
    const result = params('staging.inspect', value);
    expect(result.success).toBe(false);
    if (!result.success) expect(describeZodError(result.error)).toContain(field);
  });

  it.each([
    ['a label over 32 characters', 'CEDAR BACKUP 26-NOV-2026 AND MORE!'],
    ['a label with a control character', 'CEDAR\nBACKUP'],
    ['an empty label', ''],
    ['a label that reads as a burner option', '-Z/dev/sdb'],
    ['a label starting with a space', ' CEDAR BACKUP'],
    ['a lower-case label', 'cedar backup 26-nov-2026'],
  ])('refuses %s', (_, label) => {
    expect(params('media.write', { device: 'dvd0', days: ['2026-11-26'], label, newDisc: false }).success).toBe(false);
  });

  it('accepts any disc label in a status, even an empty one, but no control characters', () => {
    const status = {
      mediaPresent: true,
      mediaType: 'dvd+rw',
      rewritable: true,
      mounted: false,
      sessions: 1,
      sectorsUsed: 100,
      bytesUsed: 204800,
      bytesAvailable: 1000,
    };
    const schema = rpcMethods['media.status'].result;
    expect(schema.safeParse({ ...status, label: '' }).success).toBe(true);
    expect(schema.safeParse({ ...status, label: null }).success).toBe(true);
    expect(schema.safeParse({ ...status, label: 'HOLIDAY PHOTOS 2026 FROM THE LONG TRIP' }).success).toBe(true);
    expect(schema.safeParse({ ...status, label: 'BAD\u0007LABEL' }).success).toBe(false);
  });

  it.each([['../dvd0'], ['dvd0/../x'], [''], ['a'.repeat(65)]])('refuses the device id %j', (device) => {
    expect(params('media.status', { device }).success).toBe(false);
  });

  it('refuses negative or huge numbers in results', () => {
    const result = rpcMethods['media.estimate'].result;
    expect(result.safeParse({ bytes: -1 }).success).toBe(false);
    expect(result.safeParse({ bytes: 2 ** 60 }).success).toBe(false);
    expect(result.safeParse({ bytes: 1.5 }).success).toBe(false);
    expect(result.safeParse({ bytes: 4096 }).success).toBe(true);
  });

  it('carries domain errors across the wire with their code', () => {
    const sent = toRpcError(new CedarStoreError('MEDIA_FULL', 'does not fit'));
    expect(sent).toEqual({ code: RPC_ERROR.DOMAIN_ERROR, message: 'does not fit', data: { code: 'MEDIA_FULL' } });
    const received = fromRpcError(JSON.parse(JSON.stringify(sent)));
    expect(received).toBeInstanceOf(CedarStoreError);
    expect(received.code).toBe('MEDIA_FULL');
    expect(toRpcError(new CedarStoreError('INVALID_REQUEST', 'bad')).code).toBe(RPC_ERROR.INVALID_PARAMS);
    expect(fromRpcError({ code: RPC_ERROR.METHOD_NOT_FOUND, message: 'nope' }).code).toBe('INTERNAL');
    expect(fromRpcError({ code: RPC_ERROR.INVALID_PARAMS, message: 'bad' }).code).toBe('INVALID_REQUEST');
    expect(fromRpcError({ code: -32000, message: 'x', data: { code: 'NOT_A_CODE' } }).code).toBe('INTERNAL');
  });
});
