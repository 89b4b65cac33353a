import { UnauthorizedError } from '@cedar-store/domain';
import { bearerToken, tokenMatches } from '@cedar-store/ports/auth';
import type { RequestHandler } from 'express';

/**
 * Refuses a request without the API's bearer token. It runs before any body is read, so an
 * unauthenticated client cannot make the controller parse anything.
 */
export function requireBearerToken(expected: string): RequestHandler {
  if (expected.length === 0)
    throw new Error('the API token is empty: set auth.token, auth.tokenFile or CEDAR_STORE_TOKEN');
  return (req, _res, next) => {
    // Node keeps the first of several Authorization headers; ambiguous credentials are refused instead.
    const copies = req.rawHeaders.filter((name, index) => index % 2 === 0 && name.toLowerCase() === 'authorization');
    const presented = copies.length > 1 ? undefined : bearerToken(req.get('authorization'));
    if (tokenMatches(presented, expected)) {
      next();
      return;
    }
    next(
      new UnauthorizedError(
        copies.length > 1
          ? 'several Authorization headers: send exactly one, "Authorization: Bearer <token>"'
          : presented === undefined
            ? 'missing bearer token: send "Authorization: Bearer <token>" (cedar-store --token or CEDAR_STORE_TOKEN)'
            : 'wrong bearer token: use the token the controller was configured with (auth.token, auth.tokenFile or CEDAR_STORE_TOKEN)',
      ),
    );
  };
}
