import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AnswerKind } from './answer-checks.js';
import { ANSWER_CHECKS, checkAnswer, readApiError } from './answer-checks.js';
import { ANSWER_SHAPES } from './answer-shapes.js';

/*
 * The plain checks stand in for the zod schemas on every answer the CLI reads, so they must
 * agree with them exactly: the same answers accepted, the same value back in the same key
 * order (`--json` prints it), whatever a controller sends.
 */

const KINDS = Object.keys(ANSWER_CHECKS) as AnswerKind[];

/** A value of some field: usually right, sometimes of the wrong type or missing. */
const maybe = <T>(right: fc.Arbitrary<T>) =>
  fc.oneof(
    { weight: 6, arbitrary: right },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(undefined, null, 7, '', 'x', true, [], {}) },
  );

/** An object with the given fields (each may be left out) and unknown keys mixed in before and after them. */
function objectWith(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Record<string, unknown>> {
  const extra = fc.dictionary(fc.constantFrom('zz', 'extra', 'requestedAt', 'a', 'notes'), fc.jsonValue(), {
    maxKeys: 3,
  });
  return fc
    .tuple(extra, fc.record(fields, { requiredKeys: [] }), extra, fc.boolean())
    .map(([before, record, after, reversed]) => {
      const entries = [...Object.entries(before), ...Object.entries(record), ...Object.entries(after)];
      return Object.fromEntries(reversed ? entries.reverse() : entries);
    });
}

const notice = objectWith({ code: maybe(fc.string()), message: maybe(fc.string()) });
const run = objectWith({
  id: maybe(fc.constantFrom('run-1', '', 'b7e1')),
  action: maybe(fc.constantFrom('store', 'verify')),
  device: maybe(fc.constant('burner-1/dvd0')),
  status: maybe(fc.constantFrom('queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted', 'done')),
  warnings: maybe(fc.array(maybe(notice), { maxLength: 3 })),
});
const disc = objectWith({
  label: maybe(fc.string()),
  device: maybe(fc.string()),
  sessions: maybe(fc.array(maybe(fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 2 })), { maxLength: 2 })),
});
const devices = objectWith({
  agents: maybe(fc.array(maybe(objectWith({ id: maybe(fc.string()), state: maybe(fc.string()) })), { maxLength: 2 })),
  devices: maybe(
    fc.array(maybe(objectWith({ ref: maybe(fc.string()), connected: maybe(fc.boolean()) })), { maxLength: 2 }),
  ),
});

const answers: Record<AnswerKind, fc.Arbitrary<unknown>> = {
  run,
  runList: fc.oneof(fc.array(run, { maxLength: 3 }), objectWith({ runs: maybe(fc.array(run, { maxLength: 3 })) })),
  media: fc.oneof(fc.array(disc, { maxLength: 3 }), objectWith({ discs: maybe(fc.array(disc, { maxLength: 3 })) })),
  devices,
  cancel: fc.oneof(run, objectWith({ outcome: maybe(fc.constantFrom('cancelled', 'finished')), run: maybe(run) })),
};

/** What the CLI sees: the answer after a trip through JSON. */
const wire = (value: unknown): unknown => JSON.parse(JSON.stringify(value ?? null)) as unknown;

/**
 * The plain check either gives what the schema gives, or hands the answer to the schema: to
 * refuse it, or to copy an answer holding a `__proto__` key, which only zod copies safely.
 */
function expectAgreement(kind: AnswerKind, value: unknown): void {
  const schema = ANSWER_SHAPES[kind].safeParse(value);
  const checked = checkAnswer(kind, value);
  if (checked === undefined) {
    if (schema.success) expect(JSON.stringify(value)).toContain('"__proto__"');
    return;
  }
  expect(schema.success).toBe(true);
  expect(JSON.stringify(checked)).toBe(JSON.stringify(schema.data));
}

describe('the plain answer checks', () => {
  for (const kind of KINDS) {
    it(`accept the ${kind} answers the schema accepts, with the same value and key order`, () => {
      fc.assert(
        fc.property(answers[kind], (value) => expectAgreement(kind, wire(value))),
        { numRuns: 400 },
      );
    });

    it(`refuse any other JSON as a ${kind} answer, as the schema does`, () => {
      fc.assert(
        fc.property(fc.jsonValue(), (value) => expectAgreement(kind, wire(value))),
        { numRuns: 200 },
      );
    });
  }

  it('add the warnings a run left out, as the schema defaults them', () => {
    const answer = { id: 'r1', action: 'store', device: 'a/b', status: 'running', requestedAt: 't' };
    expect(JSON.stringify(checkAnswer('run', answer))).toBe(
      '{"id":"r1","action":"store","device":"a/b","status":"running","warnings":[],"requestedAt":"t"}',
    );
  });

  it('leave an answer holding a __proto__ key to the schema, which copies it safely', () => {
    const answer = JSON.parse('{"id":"r1","action":"store","device":"a/b","status":"running","__proto__":{"x":1}}');
    expect(checkAnswer('run', answer)).toBeUndefined();
    expect(ANSWER_SHAPES.run.safeParse(answer).success).toBe(true);
  });
});

describe('readApiError', () => {
  it("reads the controller's code and message", () => {
    expect(readApiError({ error: { code: 'DEVICE_BUSY', message: 'busy', extra: 1 } })).toEqual({
      code: 'DEVICE_BUSY',
      message: 'busy',
    });
  });

  it('gives nothing for any other body', () => {
    for (const body of [
      null,
      'x',
      [],
      {},
      { error: 'x' },
      { error: { code: 'X' } },
      { error: { code: 1, message: 'm' } },
    ]) {
      expect(readApiError(body)).toBeUndefined();
    }
  });
});
