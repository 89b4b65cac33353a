/**
 * JSON-RPC requests to the agent that are wrong in exactly one way a hostile or broken
 * controller could get wrong: a day that tries to leave the staging root, a label with control
 * characters or too long, an id that is not one, a number that is not a boolean, an unknown
 * member, a missing one. Every method of the wire contract is covered; one added later gets the
 * generic mutations until it has a valid template here.
 */
import fc from 'fast-check';

/** Valid params per method, the starting points of the mutations. */
export const VALID_PARAMS: Record<string, Record<string, unknown>> = {
  'agent.describe': {},
  'staging.inspect': { days: ['2026-11-24'] },
  'staging.markStored': { days: ['2026-11-24'] },
  'media.status': { device: 'dvd0' },
  'media.estimate': { device: 'dvd0', days: ['2026-11-24'], newDisc: false },
  'media.write': { device: 'dvd0', days: ['2026-11-24'], label: 'CEDAR BACKUP 24-NOV-2026', newDisc: false },
  'media.blank': { device: 'dvd0' },
  'media.initialize': { device: 'dvd0', label: 'CEDAR BACKUP 24-NOV-2026' },
  'media.verify': { device: 'dvd0', days: ['2026-11-23'] },
  'media.export': { days: ['2026-11-24'], label: 'CEDAR BACKUP 24-NOV-2026' },
  'operations.get': { opIds: ['op-1'] },
  'manifest.read': { opId: 'op-1', cursor: 0, maxRecords: 100 },
  'manifest.hash': { days: ['2026-11-24'], opId: 'op-1' },
  // Reads the disc whole; a valid one writes only the agent's bookkeeping (journal, manifests, audit scratch).
  'media.audit': { device: 'dvd0', opId: 'op-audit' },
  'media.restore': {
    device: 'dvd0',
    day: '2026-11-24',
    // Not the fuzz disc's label: a mutation that is valid after all fails WRONG_DISC, writing nothing.
    disc: { label: 'CEDAR BACKUP 01-JAN-2001', session: 1 },
    target: 'nov24',
    opId: 'op-1',
  },
};

/** A JSON token JSON.stringify cannot write (NaN, 1e309…), spliced into the frame's text afterwards. */
const raw = (token: string): string => `@@RAW:${token}@@`;
export const spliceRawTokens = (text: string): string => text.replace(/"@@RAW:(.*?)@@"/g, '$1');

const oddNumber = fc.constantFrom<unknown>(
  -1,
  0.5,
  1e308,
  Number.MAX_SAFE_INTEGER + 2,
  raw('NaN'),
  raw('Infinity'),
  raw('-Infinity'),
  raw('1e309'),
  raw('-1e309'),
  raw('1e-400'),
  raw('-0'),
);

const notAString = fc.oneof(oddNumber, fc.constantFrom<unknown>(null, true, [], {}, ['dvd0'], { toString: 'dvd0' }));

const badDay = fc.oneof(
  fc.constantFrom<unknown>(
    '../2026-11-23',
    '2026-11-23/..',
    '2026-11-23/../..',
    '..',
    '.',
    '%2e%2e',
    '%2e%2e%2f2026-11-23',
    '..%2f..%2fetc',
    '/etc/passwd',
    '/2026-11-23',
    '2026/11/23',
    '2026-11-23\u0000',
    '2026-11-23\u0000/../../etc',
    '2026\u2024\u2024',
    '2026-11-23\u2215..',
    '\uff12\uff10\uff12\uff16-11-23',
    '2026-11-23\u200b',
    ' 2026-11-23',
    '2026-11-23 ',
    '2026-02-30',
    '2026-13-01',
    '0000-00-00',
    '2026-1-1',
    '-2026-11-23',
    '+2026-11-23',
    '',
    'x'.repeat(5000),
  ),
  notAString,
  fc.string({ unit: 'grapheme', maxLength: 12 }).filter((text) => !/^\d{4}-\d{2}-\d{2}$/.test(text)),
);

const badDays = fc.oneof(
  fc.tuple(badDay, fc.integer({ min: 0, max: 2 })).map(([day, position]) => {
    const days: unknown[] = ['2026-11-23', '2026-11-24'];
    days.splice(position, 0, day);
    return days;
  }),
  fc.constantFrom<unknown>(
    [],
    ['2026-11-24', '2026-11-24'],
    Array.from(
      { length: 32 },
      (_, i) => `2026-${String(10 + Math.floor(i / 28)).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`,
    ),
    '2026-11-24',
    null,
    {},
    { 0: '2026-11-24', length: 1 },
  ),
  oddNumber,
);

const badLabel = fc.oneof(
  fc.constantFrom<unknown>(
    'CEDAR\u0007BACKUP',
    'CEDAR\nBACKUP',
    'CEDAR\rBACKUP',
    'CEDAR\u0000BACKUP',
    'CEDAR\u001b[2JBACKUP',
    'CEDAR\u007fBACKUP',
    'A'.repeat(33),
    'CEDAR BACKUP 24-NOV-2026 WITH MORE TEXT',
    'cedar backup',
    '-Z/dev/sdb',
    '--blank=all',
    ' CEDAR',
    '.CEDAR',
    '',
    'CEDAR/../X',
    'ÇEDAR',
    'CEDAR\u2028BACKUP',
    '\ud83d\udcbf',
  ),
  fc
    .tuple(fc.stringMatching(/^[A-Z0-9]{1,10}$/), fc.integer({ min: 0, max: 31 }))
    .map(([text, control]) => `${text}${String.fromCharCode(control)}X`),
  fc.integer({ min: 33, max: 300 }).map((n) => 'L'.repeat(n)),
  notAString,
);

const badDevice = fc.oneof(
  fc.constantFrom<unknown>(
    '',
    '../dvd0',
    'dvd0/../cd0',
    '/dev/sr0',
    '.',
    '..',
    'dvd0\u0000',
    'dvd 0',
    '-dvd0',
    'x'.repeat(65),
    'dvd0/',
  ),
  notAString,
);

const badBoolean = fc.oneof(fc.constantFrom<unknown>('true', 'false', 1, 0, null, [], {}, 'yes'), oddNumber);

const badOperationId = fc.oneof(
  fc.constantFrom<unknown>('', ' op', 'op 1', '../op', 'op/1', 'op\u0000', '-op', '.op', 'op\n', 'x'.repeat(101)),
  notAString,
);

const badOperationIds = fc.oneof(
  badOperationId.map((id) => ['op-1', id]),
  fc.constantFrom<unknown>(
    [],
    ['op-1', 'op-1'],
    Array.from({ length: 33 }, (_, i) => `op-${i}`),
    'op-1',
    null,
    {},
  ),
);

const badValueFor: Record<string, fc.Arbitrary<unknown>> = {
  days: badDays,
  label: badLabel,
  device: badDevice,
  newDisc: badBoolean,
  // Optional flags: a wrong type, never a boolean that would make the call valid.
  manifest: badBoolean,
  stamped: badBoolean,
  force: badBoolean,
  opId: badOperationId,
  opIds: badOperationIds,
};

const anyBadValue = fc.oneof(badDays, badLabel, badDevice, badBoolean, fc.jsonValue({ maxDepth: 2 }));

const extraKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'force', 'path', 'stagingRoot', '../x', ''),
  fc.string({ maxLength: 20 }),
  fc.integer({ min: 1000, max: 50_000 }).map((n) => 'k'.repeat(n)),
);

/**
 * Params for `method` with one thing wrong; `certain` says whether the schema must refuse them.
 * `knownKeys` are the members the method's schema accepts (optional ones included): they get
 * wrong values, never the role of an unknown member.
 */
export function invalidParams(
  method: string,
  knownKeys: readonly string[],
): fc.Arbitrary<{ params: unknown; certain: boolean }> {
  const template = VALID_PARAMS[method];
  const valid = template ?? {};
  const keys = Object.keys(valid);
  const optional = knownKeys.filter((key) => !keys.includes(key));
  const mutations: Array<fc.Arbitrary<{ params: unknown; certain: boolean }>> = [
    fc
      .tuple(extraKey, anyBadValue)
      .filter(([key]) => !knownKeys.includes(key))
      .map(([key, value]) => ({ params: { ...valid, [key]: value }, certain: true })),
    fc.constantFrom<unknown>(5, 'params', [], [valid], true, raw('NaN')).map((params) => ({ params, certain: true })),
  ];
  if (keys.length > 0) {
    mutations.push(
      fc.constantFrom(...keys).map((key) => {
        const params: Record<string, unknown> = { ...valid };
        delete params[key];
        return { params, certain: true };
      }),
      fc.constantFrom(...keys).chain((key) =>
        (badValueFor[key] ?? anyBadValue).map((value) => ({
          params: { ...valid, [key]: value },
          certain: template !== undefined && key in badValueFor,
        })),
      ),
    );
  }
  if (optional.length > 0) {
    mutations.push(
      fc.constantFrom(...optional).chain((key) =>
        (badValueFor[key] ?? anyBadValue).map((value) => ({
          params: { ...valid, [key]: value },
          certain: key in badValueFor,
        })),
      ),
    );
  }
  return fc
    .oneof(...mutations)
    .map((mutation) => ({ ...mutation, certain: mutation.certain && template !== undefined }));
}

/** A whole frame's text: a request for `method` with invalid params and the given id. */
export function requestFrame(id: number, method: string, params: unknown): string {
  return spliceRawTokens(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
}

/** Text frames that are not JSON-RPC requests at all, or barely. */
export const randomTextFrame: fc.Arbitrary<string> = fc.oneof(
  fc
    .integer({ min: 1000, max: 50_000 })
    .map((n) => JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'agent.describe', ['m'.repeat(n)]: 1 })),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.json({ maxDepth: 3 }),
  fc
    .record(
      {
        jsonrpc: fc.constantFrom<unknown>('2.0', '1.0', 2, null),
        id: fc.oneof(
          fc.integer(),
          fc.string({ maxLength: 120 }),
          fc.constantFrom<unknown>(null, 1.5, [], {}, raw('NaN'), true),
        ),
        method: fc.oneof(
          fc.constantFrom<unknown>(
            ...Object.keys(VALID_PARAMS),
            'progress',
            '__proto__',
            'constructor',
            'media.burnEverything',
            '',
            null,
            5,
          ),
          fc.string({ maxLength: 30 }),
        ),
        params: fc.oneof(fc.jsonValue({ maxDepth: 2 }), anyBadValue),
        extra: fc.jsonValue({ maxDepth: 1 }),
      },
      { requiredKeys: [] },
    )
    .map((frame) => spliceRawTokens(JSON.stringify(frame))),
  fc.constantFrom(
    '',
    ' ',
    '{',
    '[]',
    '[{"jsonrpc":"2.0","id":1,"method":"agent.describe"}]',
    'null',
    '"x"',
    '{"jsonrpc":"2.0","id":1,"method":"agent.describe"',
    '\u0000',
  ),
);
