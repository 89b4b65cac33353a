import { describeZodError } from '@cedar-store/ports';
import { z } from 'zod';
import { RequestRefusedError } from './errors.js';

/** Where a value came from, so the message says which part of the request is wrong. */
export type RequestPart = 'body' | 'query' | 'path';

/** Parses one part of a request, refusing it with a 400 that names every offending field. */
export function parseRequest<T extends z.ZodType>(schema: T, value: unknown, part: RequestPart): z.output<T> {
  const result = schema.safeParse(value, { error: unknownKeys(part) });
  if (!result.success) throw new RequestRefusedError(400, `invalid request ${part}: ${describeZodError(result.error)}`);
  return result.data;
}

/** A misspelt field is the likeliest unknown one, so the message lists the accepted names. */
function unknownKeys(part: RequestPart): z.core.$ZodErrorMap {
  return (issue) => {
    if (issue.code !== 'unrecognized_keys') return undefined;
    const noun = part === 'query' ? 'parameter' : 'field';
    const names = issue.keys.map((key) => JSON.stringify(key)).join(', ');
    const accepted = issue.inst instanceof z.ZodObject ? Object.keys(issue.inst.shape) : [];
    return `unknown ${noun}${issue.keys.length > 1 ? 's' : ''} ${names} (${
      accepted.length > 0 ? `accepted: ${accepted.join(', ')}` : `takes no ${noun}s`
    })`;
  };
}
