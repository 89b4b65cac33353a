/**
 * The small shapes every message is built from. Each carries its own limit, so a hostile or
 * broken peer is refused at the edge with a message naming the field.
 */
import { isDayStamp, MEDIA_TYPES, WEEKDAYS } from '@cedar-store/domain';
import { z } from 'zod';
import { DEVICE_REF_PATTERN, LIMITS, MAX_DEVICE_REF_LENGTH } from './constants.js';

export { LIMITS } from './constants.js';

export const DayStampSchema = z
  .string()
  .max(10)
  .refine(isDayStamp, { message: 'must be a real calendar date written YYYY-MM-DD' });

export const DaysSchema = z
  .array(DayStampSchema)
  .min(1)
  .max(LIMITS.maxDaysPerRequest)
  .refine((days) => new Set(days).size === days.length, { message: 'must not name a day twice' });

/** Agent and device ids: letters, digits, `.`, `_`, `-`; no `/` (it separates agent and device). */
export const IdSchema = z
  .string()
  .max(LIMITS.maxIdLength)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { message: 'must be letters, digits, ".", "_" or "-"' });

/**
 * The id the controller gives one write, blank, initialize or verify (`<runId>:<step>`), under
 * which the agent journals it. Letters, digits, `.`, `_`, `-` and `:` only: it names a file
 * in the agent's journal, so nothing in it may climb out of that directory.
 */
export const OperationIdSchema = z
  .string()
  .min(1)
  .max(LIMITS.maxOperationIdLength)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, { message: 'must be letters, digits, ".", "_", "-" or ":"' });

/** `agent/device`, as the controller names a device. */
export const DeviceRefSchema = z
  .string()
  .max(MAX_DEVICE_REF_LENGTH)
  .regex(DEVICE_REF_PATTERN, { message: 'must be "agent/device"' });

/**
 * A label the agent writes as a volume id: ISO 9660 d-characters (A–Z, 0–9, `_`) with spaces,
 * `-` and `.`, starting with a letter or digit. Burner programs read their options anywhere
 * on the command line, so a label like `-Z/dev/sdb` could aim growisofs at another device;
 * control characters would corrupt listings and logs.
 */
export const MediaLabelSchema = z
  .string()
  .min(1)
  .max(LIMITS.maxLabelLength)
  .regex(/^[A-Z0-9][A-Z0-9_ .-]*$/, {
    message: 'must be upper-case letters, digits, spaces, "_", "-" or "." and start with a letter or digit',
  });

/**
 * A label as read from a disc someone else may have written: possibly empty, possibly
 * longer (Joliet), never with control characters.
 */
export const DiscLabelSchema = z
  .string()
  .max(128)
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  .regex(/^[^\x00-\x1F\x7F]*$/, { message: 'must not contain control characters' });

export const ByteCountSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
export const CountSchema = z.number().int().min(0).max(1_000_000_000);
export const MediaTypeSchema = z.enum(MEDIA_TYPES);
export const WeekdaySchema = z.enum(WEEKDAYS);
export const BackendSchema = z.enum(['xorriso', 'cdrecord', 'growisofs', 'virtual']);
export type Backend = z.infer<typeof BackendSchema>;

export const BlankBehaviorSchema = z.strictObject({
  mode: z.enum(['daily', 'weekly']),
  factor: z.number().min(0).max(1e12),
});

export const CapacityLimitSchema = z.union([
  z.strictObject({ maxPercentage: z.number().min(0).max(100) }),
  z.strictObject({ minBytes: ByteCountSchema }),
]);

/**
 * A bearer token as a configuration holds it: long enough not to be guessed, and presentable
 * as `Authorization: Bearer <token>` (a space or line break could never match).
 */
export const BearerTokenSchema = z
  .string()
  .min(16, { message: 'must be at least 16 characters long' })
  .max(1024, { message: 'must be at most 1024 characters long' })
  .regex(/^\S+$/, { message: 'must not contain spaces or line breaks' });

/** Why a token from the environment or a file cannot serve, or undefined when it can. */
export function bearerTokenProblem(token: string): string | undefined {
  return BearerTokenSchema.safeParse(token).error?.issues[0]?.message;
}
