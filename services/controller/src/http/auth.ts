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
    const presented = bearerToken(req.get('authorization'));
    if (tokenMatches(presented, expected)) {
      next();
      return;
    }
    next(
      new UnauthorizedError(
        presented === undefined
          ? 'missing bearer token: send "Authorization: Bearer <token>" (cedar-store --token or CEDAR_STORE_TOKEN)'
          : 'wrong bearer token: use the token the controller was configured with (auth.token, auth.tokenFile or CEDAR_STORE_TOKEN)',
      ),
    );
  };
}
