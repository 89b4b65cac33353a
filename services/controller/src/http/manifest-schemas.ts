/**
 * The shapes of the manifest and find routes (docs/manifest-and-find.md), validated by the
 * routes and documented by the OpenAPI document from the same schemas.
 */
import { MAX_GLOB_LENGTH } from '@cedar-store/domain';
import { ByteCountSchema, CountSchema, DayStampSchema, DeviceRefSchema } from '@cedar-store/ports';
import { z } from 'zod';

export const MANIFEST_API_LIMITS = {
  /** Files one page returns when the request does not say. */
  defaultLimit: 100,
  maxLimit: 1000,
  maxCursorLength: 8192,
} as const;

const Limit = z.coerce
  .number()
  .int()
  .min(1)
  .max(MANIFEST_API_LIMITS.maxLimit)
  .default(MANIFEST_API_LIMITS.defaultLimit)
  .meta({
    description: `Files per page (1-${MANIFEST_API_LIMITS.maxLimit}, default ${MANIFEST_API_LIMITS.defaultLimit})`,
  });

const Cursor = z
  .string()
  .min(1)
  .max(MANIFEST_API_LIMITS.maxCursorLength)
  .optional()
  .meta({ description: 'The nextCursor of the previous page; absent for the first' });

export const DiscParamsSchema = z.strictObject({
  disc: z
    .string()
    .min(1)
    .max(64)
    .meta({ description: "The disc's number in the catalog (as find shows it), or its label", example: '3' }),
});

export const ManifestQuerySchema = z.strictObject({
  day: DayStampSchema.optional().meta({ description: 'Only this day of the disc' }),
  limit: Limit,
  cursor: Cursor,
});

export const FilesQuerySchema = z.strictObject({
  glob: z
    .string()
    .min(1)
    .max(MAX_GLOB_LENGTH)
    .meta({
      description:
        'Matched against the path within a day: * within a name, ** any directories, ? one character, ' +
        '[a-z] a class, \\ escapes; a glob without "/" matches a file name in any directory',
      example: '**/report.txt',
    }),
  day: DayStampSchema.optional().meta({ description: 'Only files of this day' }),
  since: DayStampSchema.optional().meta({ description: 'Only files of this day and later' }),
  limit: Limit,
  cursor: Cursor,
});

export const ManifestDiscSchema = z
  .strictObject({
    id: CountSchema,
    label: z.string(),
    device: DeviceRefSchema,
    supersededAt: z
      .string()
      .optional()
      .describe('when the rewritable media holding this disc was blanked for a newer disc: its files are gone'),
  })
  .meta({ id: 'ManifestDisc' });

const SessionSchema = z.strictObject({
  position: CountSchema.describe("1 for the disc's first session"),
  label: z.string(),
  runId: z.string(),
  verified: z
    .boolean()
    .optional()
    .describe('true: read back identical; false: verify found differences; absent: not read back'),
});

export const ManifestDaySchema = z
  .strictObject({
    day: DayStampSchema,
    session: SessionSchema,
    files: CountSchema,
    bytes: ByteCountSchema,
    recordedAt: z.string(),
  })
  .meta({ id: 'ManifestDay' });

export const ManifestFileSchema = z
  .strictObject({
    day: DayStampSchema,
    path: z.string().describe('The path on the disc, YYYY/MM/DD/...'),
    size: ByteCountSchema,
    sha256: z.string().describe('SHA-256 of the file, 64 lowercase hex digits'),
  })
  .meta({ id: 'ManifestFile' });

export const ManifestResponseSchema = z
  .strictObject({
    disc: ManifestDiscSchema,
    days: z.array(ManifestDaySchema).describe('The days with a manifest; empty for a disc written before manifests'),
    files: z.array(ManifestFileSchema).describe('By day, then path'),
    nextCursor: z.string().nullable(),
  })
  .meta({ id: 'Manifest' });

export const FoundFileSchema = ManifestFileSchema.extend({
  disc: ManifestDiscSchema,
  session: SessionSchema,
}).meta({ id: 'FoundFile' });

export const FilesResponseSchema = z
  .strictObject({
    files: z.array(FoundFileSchema).describe('Newest day first, then by path'),
    nextCursor: z.string().nullable(),
  })
  .meta({ id: 'FoundFiles' });
