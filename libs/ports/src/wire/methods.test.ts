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
        'media.audit',
        'media.blank',
        'media.estimate',
        'media.export',
        'media.initialize',
        'media.restore',
        'media.status',
        'media.verify',
        'media.write',
        'operations.get',
        'manifest.read',
        'manifest.hash',
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

  it("reads a verify report with how many mismatches in all, and an older agent's without it", () => {
    const result = rpcMethods['media.verify'].result;
    const named = Array.from({ length: 1000 }, (_, i) => ({ path: `2026/11/26/f${i}`, kind: 'missing' as const }));
    const report = { ok: false, method: 'direct', filesCompared: 0, bytesCompared: 0, mismatches: named };
    expect(result.parse({ ...report, mismatchCount: 52_341 }).mismatchCount).toBe(52_341);
    expect(result.parse(report).mismatchCount).toBeUndefined();
    expect(result.safeParse({ ...report, mismatchCount: -1 }).success).toBe(false);
    expect(result.safeParse({ ...report, mismatchCount: 1.5 }).success).toBe(false);
    expect(result.safeParse({ ...report, mismatches: [...named, named[0]] }).success).toBe(false);
  });

  it('accepts an operation id on the journaled methods, and refuses one that could leave the journal directory', () => {
    const write = { device: 'dvd0', days: ['2026-11-26'], label: 'CEDAR BACKUP 26-NOV-2026', newDisc: false };
    const runId = 'b3c1f0de-2f6e-4a57-9a38-3a1d2c5e9f10';
    expect(params('media.write', { ...write, opId: `${runId}:write` }).success).toBe(true);
    expect(params('media.write', write).success).toBe(true);
    expect(params('media.verify', { device: 'dvd0', days: ['2026-11-26'], opId: `${runId}:verify` }).success).toBe(
      true,
    );
    expect(params('media.blank', { device: 'dvd0', opId: `${runId}:blank` }).success).toBe(true);
    for (const opId of ['../../etc/passwd', 'a/b', '', 'x'.repeat(101), ':write', 'op id', 'op\nid']) {
      expect(params('media.write', { ...write, opId }).success, opId).toBe(false);
    }
    // Reads are not journaled: they take no operation id.
    expect(params('media.status', { device: 'dvd0', opId: `${runId}:status` }).success).toBe(false);
  });

  it('asks for at most 32 distinct operations and answers with their journal records', () => {
    expect(params('operations.get', { opIds: ['r1:write'] }).success).toBe(true);
    expect(params('operations.get', { opIds: [] }).success).toBe(false);
    expect(params('operations.get', { opIds: ['r1:write', 'r1:write'] }).success).toBe(false);
    expect(params('operations.get', { opIds: Array.from({ length: 33 }, (_, i) => `r${i}:write`) }).success).toBe(
      false,
    );
    const result = rpcMethods['operations.get'].result;
    const record = {
      opId: 'r1:write',
      method: 'media.write',
      device: 'dvd0',
      state: 'succeeded',
      startedAt: '2026-11-26T01:00:00.000Z',
      finishedAt: '2026-11-26T01:10:00.000Z',
      result: { bytesWritten: 4096, sessions: 2 },
    };
    expect(result.safeParse({ operations: [record] }).success).toBe(true);
    expect(result.safeParse({ operations: [{ ...record, state: 'lost' }] }).success).toBe(false);
    expect(result.safeParse({ operations: [{ ...record, method: 'media.status' }] }).success).toBe(false);
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
