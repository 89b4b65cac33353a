import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares a presented token with the expected one in constant time: both are hashed first,
 * so neither the content nor the length of the expected token leaks through timing.
 */
export function tokenMatches(presented: string | undefined, expected: string): boolean {
  const a = createHash('sha256')
    .update(presented ?? '')
    .digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && presented !== undefined;
}

/**
 * The bearer token an HTTP request (or WebSocket upgrade) presents. Node keeps only the first
 * of several Authorization headers; several are ambiguous credentials, so they present none
 * and `several` says why.
 */
export function presentedBearerToken(request: {
  rawHeaders: readonly string[];
  headers: { authorization?: string | undefined };
}): { token: string | undefined; several: boolean } {
  const copies = request.rawHeaders.filter((name, index) => index % 2 === 0 && name.toLowerCase() === 'authorization');
  if (copies.length > 1) return { token: undefined, several: true };
  return { token: bearerToken(request.headers.authorization), several: false };
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}
