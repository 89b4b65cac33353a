/**
 * Every field name a configuration schema accepts, nested ones included, read from the zod
 * schema itself, so an example that must mention every field is checked against the
 * schema as it is today rather than a list someone has to remember to update.
 */
import type { z } from 'zod';

type Def = {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  valueType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
};

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** Dotted paths of every object key, e.g. `devices.mountMethod`, `policy.blankBehavior.factor`. */
export function schemaFields(schema: z.ZodType, prefix = ''): string[] {
  const def = defOf(schema);
  switch (def.type) {
    case 'object':
      return Object.entries(def.shape ?? {}).flatMap(([key, inner]) => {
        const path = prefix ? `${prefix}.${key}` : key;
        return [path, ...schemaFields(inner, path)];
      });
    case 'optional':
    case 'default':
    case 'prefault':
    case 'nullable':
    case 'readonly':
    case 'catch':
      return schemaFields(def.innerType!, prefix);
    case 'array':
      return schemaFields(def.element!, prefix);
    case 'record':
      return schemaFields(def.valueType!, prefix);
    case 'union':
      return [...new Set((def.options ?? []).flatMap((option) => schemaFields(option, prefix)))];
    case 'pipe':
      return [...schemaFields(def.in!, prefix), ...schemaFields(def.out!, prefix)];
    default:
      return [];
  }
}

/** The fields of `schema` an example's text never names as `key:` (in YAML or in a comment). */
export function fieldsNotMentioned(schema: z.ZodType, text: string): string[] {
  return schemaFields(schema).filter((path) => {
    const key = path.slice(path.lastIndexOf('.') + 1);
    return !new RegExp(`(^|[\\s{,#])${key}:`, 'm').test(text);
  });
}
