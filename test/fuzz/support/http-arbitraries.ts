/**
 * What a hostile or broken client sends the controller: every documented route with its path
 * parameters replaced by tricks, random query strings, bodies from arbitrary JSON to near-valid
 * run requests with one thing wrong, and headers from content-type variants to garbage tokens.
 */
import fc from 'fast-check';
import type { FuzzHeaders } from './http-request.js';

export type Route = { method: string; path: string; needsToken: boolean };

type OpenApiPaths = Record<string, Record<string, { security?: unknown[] }>>;

/** Every `method path` of the OpenAPI document, so a route added later is fuzzed without a change here. */
export function documentedRoutes(document: { paths?: unknown }): Route[] {
  return Object.entries((document.paths ?? {}) as OpenApiPaths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({
      method: method.toUpperCase(),
      path,
      needsToken: !(Array.isArray(operation.security) && operation.security.length === 0),
    })),
  );
}

const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'] as const;

/** Path segments meant to escape, confuse a decoder or overflow a lookup. */
const segmentTricks = fc.constantFrom(
  '..',
  '.',
  '%2e%2e',
  '%2E%2E%2F%2E%2E',
  '..%2f..%2fetc%2fpasswd',
  '%00',
  'x%00y',
  '%zz',
  '%',
  '%E2%80%A8',
  '%F0%9F%92%BE',
  '%C0%AE%C0%AE',
  '__proto__',
  'constructor',
  'burner-1',
  'dvd0',
  'no-such-run',
  '0b6f1c2e-5d8a-4f0e-9a51-3c2d7e8f9a10',
  '-rf',
  'a'.repeat(5000),
);

export const pathSegment: fc.Arbitrary<string> = fc.oneof(
  segmentTricks,
  fc.string({ unit: 'grapheme', maxLength: 40 }).map(encodeURIComponent),
  fc.stringMatching(/^[A-Za-z0-9._~!$&'()*+,;=:@-]{0,40}$/),
);

/** A concrete target for a route template: each `{param}` replaced by a segment (or several). */
export function concretePath(template: string): fc.Arbitrary<string> {
  const names = [...template.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);
  if (names.length === 0) {
    return fc.oneof(
      { weight: 4, arbitrary: fc.constant(template) },
      { weight: 1, arbitrary: fc.constantFrom(`${template}/`, `${template}/..`, `${template}%2f`, `/.${template}`) },
    );
  }
  return fc
    .tuple(
      ...names.map(() =>
        fc.oneof(
          pathSegment,
          fc.array(pathSegment, { minLength: 2, maxLength: 3 }).map((s) => s.join('/')),
        ),
      ),
    )
    .map((values) => names.reduce((path, name, index) => path.replace(`{${name}}`, values[index]!), template));
}

const queryKey = fc.oneof(
  fc.constantFrom(
    'status',
    'device',
    'limit',
    'full',
    'token',
    'status[]',
    'limit[$gt]',
    ...PROTO_KEYS,
    '__proto__[polluted]',
  ),
  fc.string({ maxLength: 20 }),
  fc.integer({ min: 1000, max: 5000 }).map((n) => 'q'.repeat(n)),
);

const queryValue = fc.oneof(
  fc.constantFrom('', '1', '0', '-1', '1.5', '1e3', '1e309', 'NaN', 'Infinity', '9007199254740993', 'true', 'null'),
  fc.constantFrom('queued', 'running', 'succeeded', 'burner-1/dvd0', '../dvd0', 'x'.repeat(3000)),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
);

/** A query string (with its `?`), sometimes with raw tricks no encoder would produce. */
export const queryString: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: fc.constant('') },
  {
    weight: 4,
    arbitrary: fc
      .array(fc.tuple(queryKey, queryValue), { minLength: 1, maxLength: 6 })
      .map((pairs) => `?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '?',
      '?&&&',
      '?limit=%zz',
      '?a=1&a=2&a=3',
      '?=',
      '?limit',
      '?%00=%00',
      '?limit=1&limit=2',
    ),
  },
);

/** Valid run requests: the starting points of near-valid mutations. */
const VALID_BODIES: Array<Record<string, unknown>> = [
  { action: 'store' },
  { action: 'store', full: true, today: '2026-11-26', device: 'burner-1/dvd0' },
  { action: 'rebuild', today: '2026-11-23' },
  { action: 'initialize' },
  { action: 'verify', days: ['2026-11-25'] },
];

/** Values of the wrong type, or the right type with the wrong content. */
const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    0,
    -1,
    1.5,
    1e308,
    -0,
    true,
    '',
    'STORE',
    'store ',
    '2026-02-30',
    '2026-13-01',
    '../2026-11-26',
    '26-11-2026',
    'burner-1/../dvd0',
    'burner-1/dvd0/x',
    [],
    {},
    ['2026-11-25', '2026-11-25'],
    Array.from({ length: 40 }, (_, i) => `2026-10-${String((i % 28) + 1).padStart(2, '0')}`),
  ),
  fc.jsonValue({ maxDepth: 2 }),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.integer({ min: 1, max: 200_000 }).map((n) => 'x'.repeat(n)),
);

/** A valid body with one thing wrong: a field set to a wrong value, a field dropped, or an unknown one added. */
const nearValidBody: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom(...VALID_BODIES),
    fc.oneof(
      fc.record({
        kind: fc.constant('set' as const),
        key: fc.constantFrom('action', 'device', 'full', 'today', 'days'),
        value: wrongValue,
      }),
      fc.record({ kind: fc.constant('drop' as const), key: fc.constant('action') }),
      fc.record({
        kind: fc.constant('add' as const),
        key: fc.oneof(
          fc.constantFrom('ful', 'Action', 'day', 'force', ...PROTO_KEYS),
          fc.string({ maxLength: 20 }),
          fc.integer({ min: 1000, max: 200_000 }).map((n) => 'k'.repeat(n)),
        ),
        value: wrongValue,
      }),
    ),
  )
  .map(([valid, mutation]) => {
    const entries = Object.entries(valid).filter(([key]) => mutation.kind !== 'drop' || key !== mutation.key);
    // Written as text so a "__proto__" key stays an own member, the way a hostile client sends it.
    const members = entries
      .filter(([key]) => mutation.kind !== 'set' || key !== mutation.key)
      .map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`);
    if (mutation.kind !== 'drop')
      members.push(`${JSON.stringify(mutation.key)}:${JSON.stringify(mutation.value) ?? 'null'}`);
    return `{${members.join(',')}}`;
  });

const pollutingBody = fc.constantFrom(
  '{"__proto__":{"polluted":true},"action":"store"}',
  '{"constructor":{"prototype":{"polluted":true}},"action":"store"}',
  '{"action":"store","__proto__":{"action":"initialize"}}',
  '{"action":{"__proto__":"store"}}',
  '{"__proto__":null}',
);

/** Text that is not JSON, or JSON that is not an object. */
const notAnObject = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    'null',
    'true',
    '0',
    '"store"',
    '[]',
    '[{"action":"store"}]',
    '{',
    '{"action":',
    '{"action":"store"}}',
    "{'action':'store'}",
    '{"action":"store",}',
    'action=store',
    '\u0000',
    '\uFEFF{"action":"store"}',
  ),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.json({ maxDepth: 3 }),
);

const hugeBody = fc
  .integer({ min: 10_000, max: 300_000 })
  .map((n) => JSON.stringify({ action: 'store', today: 'x'.repeat(n) }));

export const fuzzBody: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 1, arbitrary: fc.constant(undefined) },
  // Some valid ones too: the property must see a run created by the requests that deserve one.
  { weight: 1, arbitrary: fc.constantFrom(...VALID_BODIES).map((body) => JSON.stringify(body)) },
  { weight: 4, arbitrary: nearValidBody },
  { weight: 1, arbitrary: pollutingBody },
  { weight: 3, arbitrary: notAnObject },
  { weight: 1, arbitrary: hugeBody },
);

export const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 3, arbitrary: fc.constant('application/json') },
  { weight: 4, arbitrary: contentTypeVariant() },
);

function contentTypeVariant(): fc.Arbitrary<string | undefined> {
  return fc.constantFrom(
    undefined,
    'application/json; charset=utf-8',
    'APPLICATION/JSON; CHARSET=UTF-8',
    'application/json; charset=latin1',
    'application/json; charset=utf-16',
    'application/json; charset=nope',
    'application/vnd.api+json',
    'application/x-www-form-urlencoded',
    'text/plain',
    'multipart/form-data; boundary=x',
    'application/json, text/plain',
    '',
    ';;;',
    'garbage',
  );
}

export const contentEncoding: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 8, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'compress', 'x-nope', 'gzip, gzip') },
);

/**
 * Extra headers a client may add: unknown ones, long ones, the hop-by-hop ones proxies play with.
 * Together they stay under Node's 16 KiB header limit, whose 431 has a test of its own.
 */
export const extraHeaders: fc.Arbitrary<FuzzHeaders> = fc
  .array(
    fc.tuple(
      fc.oneof(
        fc.stringMatching(/^[a-z][a-z0-9-]{0,24}$/),
        fc.constantFrom(
          'x-forwarded-for',
          'x-request-id',
          'accept',
          'accept-encoding',
          'origin',
          'cookie',
          'expect',
          'range',
        ),
      ),
      fc.oneof(
        fc.stringMatching(/^[\x20-\x7e]{0,60}$/),
        fc.integer({ min: 1, max: 2500 }).map((n) => 'h'.repeat(n)),
      ),
    ),
    { maxLength: 3 },
  )
  .map((pairs) => {
    const headers: FuzzHeaders = {};
    for (const [name, value] of pairs) {
      // node:http sets these itself; a second, conflicting copy is the raw-socket tests' business.
      if (
        [
          'host',
          'content-length',
          'transfer-encoding',
          'connection',
          'authorization',
          'content-type',
          'content-encoding',
          'upgrade',
          'expect',
        ].includes(name)
      )
        continue;
      headers[name] = value.trim();
    }
    return headers;
  });

/** Authorization headers that must not let a client in (the token is `valid`). */
export function wrongAuthorization(valid: string): fc.Arbitrary<string | string[] | undefined> {
  return fc.oneof(
    fc.constantFrom(
      undefined,
      '',
      'Bearer',
      'Bearer ',
      `Bearer ${valid}x`,
      `Bearer ${valid.slice(0, -1)}`,
      `Bearer ${valid.toUpperCase()}`,
      `Bearer  ${valid} ${valid}`,
      `Bearer ${valid},`,
      valid,
      `Basic ${Buffer.from(`user:${valid}`).toString('base64')}`,
      `Token ${valid}`,
      `Bearer ${'A'.repeat(4000)}`,
      'Bearer null',
      'Bearer undefined',
    ),
    fc.stringMatching(/^[\x21-\x7e]{1,80}$/).map((token) => `Bearer ${token}`),
    fc.stringMatching(/^[\x20-\x7e]{0,80}$/).map((text) => text.trim()),
    // Two Authorization headers, one of them right: ambiguous credentials are no credentials.
    fc.constantFrom<string[]>(
      [`Bearer ${valid}`, 'Bearer wrong-token-wrong-token'],
      ['Bearer wrong-token-wrong-token', `Bearer ${valid}`],
    ),
  );
}
