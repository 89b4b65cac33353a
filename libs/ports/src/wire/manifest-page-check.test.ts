import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIMITS } from './constants.js';
import { plainManifestPage } from './manifest-page-check.js';
import { ManifestPageSchema } from './methods.js';

/*
 * The plain check stands in for ManifestPageSchema on every page the controller files, so it
 * must agree with it exactly: the same pages accepted, the same value back, whatever an agent
 * sends. A page it leaves to the schema costs only time; one it accepts that the schema would
 * refuse would file a bad record.
 */

const hex = '0123456789abcdef';
const sha = fc.string({ unit: fc.constantFrom(...hex), minLength: 64, maxLength: 64 });

/** A field's value: usually one of its edge cases, sometimes of the wrong type or missing. */
const odd = fc.constantFrom<unknown>(undefined, null, 7, '', 'x', true, [], {}, -0, Number.NaN);
const maybe = <T>(right: fc.Arbitrary<T>) => fc.oneof({ weight: 12, arbitrary: right }, { weight: 1, arbitrary: odd });

/** Mostly a value the schema takes, sometimes one at or past its edge. */
const field = <T>(good: fc.Arbitrary<T>, edge: fc.Arbitrary<unknown>) =>
  maybe(fc.oneof({ weight: 5, arbitrary: good }, { weight: 2, arbitrary: edge }));

const day = field(
  fc.constantFrom('2026-11-12', '2024-02-29', '2000-02-29'),
  fc.constantFrom(
    '2026-02-29',
    '2026-13-01',
    '2026-1-012',
    '2026-11-120',
    '２０２６-11-12',
    '2026/11/12',
    '0000-01-01',
  ),
);
const path = field(
  fc.oneof(
    fc.constantFrom('2026/11/12/ab', '2026/11/12/é1', '2026/11/12/😀'),
    fc.integer({ min: 12, max: 4096 }).map((length) => `2026/11/12/${'p'.repeat(length - 11)}`),
  ),
  fc.oneof(
    fc.constantFrom('2026/11/12/', '2026/11/12/a', '😀😀😀😀😀x'),
    fc.integer({ min: 4097, max: 4100 }).map((length) => `2026/11/12/${'p'.repeat(length - 11)}`),
    fc.string({ maxLength: 14 }),
  ),
);
const size = field(
  fc.constantFrom(0, 1, 2048, Number.MAX_SAFE_INTEGER),
  fc.constantFrom(1.5, -1, Number.MAX_SAFE_INTEGER + 1, Infinity, '5', 2 ** 60),
);
const hash = field(
  sha,
  fc.oneof(
    sha.map((text) => text.toUpperCase()),
    sha.map((text) => text.slice(1)),
    sha.map((text) => `${text}0`),
    sha.map((text) => `${text.slice(0, 63)}\n`),
    sha.map((text) => `${text.slice(0, 63)}g`),
  ),
);

/** Now and then one of `values`, else null. */
const rarely = <T>(...values: T[]) =>
  fc.oneof({ weight: 9, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(...values) });

/** An object with these fields, now and then one of them left out, or a key no schema knows added. */
function objectWith(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Record<string, unknown>> {
  const names = Object.keys(fields);
  return fc
    .tuple(fc.record(fields), rarely(...names), rarely('extra', '__proto__', 'constructor'), fc.boolean())
    .map(([record, missing, extra, reversed]) => {
      const entries = Object.entries(record).filter(([key]) => key !== missing);
      if (extra !== null) entries.push([extra, 1]);
      return Object.fromEntries(reversed ? entries.reverse() : entries);
    });
}

const record = objectWith({ day, path, size, sha256: hash });
const page = objectWith({
  records: maybe(
    fc.array(fc.oneof({ weight: 12, arbitrary: record }, { weight: 1, arbitrary: odd }), { maxLength: 3 }),
  ),
  nextCursor: field(fc.constantFrom(null, 0, 17, Number.MAX_SAFE_INTEGER), fc.constantFrom(1.5, -1, 2 ** 60)),
});

const schema = (value: unknown) => {
  const parsed = ManifestPageSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
};

describe('plainManifestPage', () => {
  it('accepts exactly what ManifestPageSchema accepts, and gives the same value back', () => {
    fc.assert(
      fc.property(page, (value) => {
        // Through JSON, as a page arrives (a key `__proto__` then is an own key).
        const sent = JSON.parse(JSON.stringify(value)) as unknown;
        expect(plainManifestPage(sent)).toEqual(schema(sent));
      }),
      { numRuns: 4000 },
    );
  });

  it('accepts a page as the agent sends it, and refuses one record too many as the schema does', () => {
    const one = { day: '2026-11-12', path: '2026/11/12/host/etc/hosts', size: 20, sha256: 'a'.repeat(64) };
    const full = { records: Array.from({ length: LIMITS.maxManifestRecordsPerPage }, () => one), nextCursor: 123 };
    expect(plainManifestPage(full)).toEqual(full);
    const over = { ...full, records: [...full.records, one] };
    expect(plainManifestPage(over)).toBeUndefined();
    expect(ManifestPageSchema.safeParse(over).success).toBe(false);
  });
});
