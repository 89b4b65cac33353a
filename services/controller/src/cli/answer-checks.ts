/**
 * The controller's answers, checked without zod: loading zod and building its schemas was
 * most of a client command's start, and a cron job pays for that start every night. Each
 * check accepts exactly what its schema in answer-shapes.ts accepts and gives the same value
 * back, key order included (it is what `--json` prints); answer-checks.test.ts holds the two
 * to that. An answer a check refuses goes to the schemas, which word the error.
 */
import { RUN_STATUSES } from '@cedar-store/ports/constants';
import { NamedError } from '@cedar-store/domain/errors';

/** The check refused the value. */
const REFUSED: unique symbol = Symbol('refused');
type Check = (value: unknown) => unknown;

/** Something only zod knows how to copy (a `__proto__` key): the whole answer goes to the schemas. */
class LeaveToSchemas extends NamedError {}

const string: Check = (value) => (typeof value === 'string' ? value : REFUSED);
const nonEmptyString: Check = (value) => (typeof value === 'string' && value.length > 0 ? value : REFUSED);
const boolean: Check = (value) => (typeof value === 'boolean' ? value : REFUSED);
const oneOf =
  (values: readonly string[]): Check =>
  (value) =>
    typeof value === 'string' && values.includes(value) ? value : REFUSED;

function arrayOf(check: Check): Check {
  return (value) => {
    if (!Array.isArray(value)) return REFUSED;
    const out: unknown[] = [];
    for (const item of value) {
      const checked = check(item);
      if (checked === REFUSED) return REFUSED;
      out.push(checked);
    }
    return out;
  };
}

type Field = { check: Check; optional?: true; fallback?: () => unknown };

/**
 * zod's `looseObject`: the shape's fields first, in the shape's order, then every other key
 * as it came. An absent optional field stays absent; an absent defaulted one gets its default.
 */
function looseObject(shape: Record<string, Field | Check>): Check {
  const fields = Object.entries(shape).map(
    ([key, field]) => [key, typeof field === 'function' ? { check: field } : field] as const,
  );
  const known = new Set(Object.keys(shape));
  return (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return REFUSED;
    const input = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [key, field] of fields) {
      const item = input[key];
      if (item === undefined && field.fallback) out[key] = field.fallback();
      else if (item === undefined && field.optional) {
        if (key in input) out[key] = undefined;
      } else {
        const checked = field.check(item);
        if (checked === REFUSED) return REFUSED;
        out[key] = checked;
      }
    }
    for (const key in input) {
      if (key === '__proto__') throw new LeaveToSchemas();
      if (!known.has(key)) out[key] = input[key];
    }
    return out;
  };
}

function union(...checks: Check[]): Check {
  return (value) => {
    for (const check of checks) {
      const checked = check(value);
      if (checked !== REFUSED) return checked;
    }
    return REFUSED;
  };
}

const run = looseObject({
  id: nonEmptyString,
  action: string,
  device: string,
  status: oneOf(RUN_STATUSES),
  warnings: { check: arrayOf(looseObject({ code: string, message: string })), fallback: () => [] },
});
const disc = looseObject({ label: string, device: string, sessions: arrayOf(looseObject({})) });

export const ANSWER_CHECKS = {
  run,
  runList: union(arrayOf(run), looseObject({ runs: arrayOf(run) })),
  media: union(arrayOf(disc), looseObject({ discs: arrayOf(disc) })),
  devices: looseObject({
    agents: { check: arrayOf(looseObject({ id: string, state: string })), fallback: () => [] },
    devices: arrayOf(looseObject({ ref: string, connected: boolean })),
  }),
  cancel: union(run, looseObject({ outcome: { check: string, optional: true }, run: { check: run, optional: true } })),
} satisfies Record<string, Check>;

export type AnswerKind = keyof typeof ANSWER_CHECKS;

/** The answer as its schema would parse it, or `undefined` when the schema is needed (to refuse it, or to copy it). */
export function checkAnswer(kind: AnswerKind, value: unknown): unknown {
  try {
    const checked = ANSWER_CHECKS[kind](value);
    return checked === REFUSED ? undefined : checked;
  } catch (error) {
    if (error instanceof LeaveToSchemas) return undefined;
    throw error;
  }
}

/** `{ error: { code, message } }`, the controller's refusal; only those two fields are read. */
export function readApiError(value: unknown): { code: string; message: string } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const error = (value as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return typeof code === 'string' && typeof message === 'string' ? { code, message } : undefined;
}
