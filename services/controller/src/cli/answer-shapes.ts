/**
 * The controller's answers as zod schemas: what answer-checks.ts checks without zod, loaded
 * only when an answer fails that check, to say in zod's words what is wrong with it.
 *
 * Only what the CLI cannot do without is checked: a newer controller may add fields, and a
 * client that refused them would break every cron job at the next server upgrade.
 */
import { RunStatusSchema } from '@cedar-store/ports';
import { z } from 'zod';
import type { AnswerKind } from './answer-checks.js';

const RunShape = z.looseObject({
  id: z.string().min(1),
  action: z.string(),
  device: z.string(),
  status: RunStatusSchema,
  warnings: z.array(z.looseObject({ code: z.string(), message: z.string() })).default([]),
});
const DiscShape = z.looseObject({ label: z.string(), device: z.string(), sessions: z.array(z.looseObject({})) });

export const ANSWER_SHAPES = {
  run: RunShape,
  runList: z.union([z.array(RunShape), z.looseObject({ runs: z.array(RunShape) })]),
  media: z.union([z.array(DiscShape), z.looseObject({ discs: z.array(DiscShape) })]),
  devices: z.looseObject({
    agents: z.array(z.looseObject({ id: z.string(), state: z.string() })).default([]),
    devices: z.array(z.looseObject({ ref: z.string(), connected: z.boolean() })),
  }),
  cancel: z.union([RunShape, z.looseObject({ outcome: z.string().optional(), run: RunShape.optional() })]),
} satisfies Record<AnswerKind, z.ZodType>;

/** The answer as parsed, or what is wrong with it on one line. */
export function parseWithShape(kind: AnswerKind, value: unknown): { data: unknown } | { problem: string } {
  const result = ANSWER_SHAPES[kind].safeParse(value);
  return result.success ? { data: result.data } : { problem: z.prettifyError(result.error).replace(/\n/g, '; ') };
}
