import { UnauthorizedError } from '@cedar-store/domain';
import { presentedBearerToken, tokenMatches } from '@cedar-store/ports/auth';
import type { RequestHandler } from 'express';

/**
 * Refuses a request without the API's bearer token. It runs before any body is read, so an
 * unauthenticated client cannot make the controller parse anything.
 */
export function requireBearerToken(expected: string): RequestHandler {
  if (expected.length === 0)
    throw new Error('the API token is empty: set auth.token, auth.tokenFile or CEDAR_STORE_TOKEN');
  return (req, _res, next) => {
    const { token: presented, several } = presentedBearerToken(req);
    if (tokenMatches(presented, expected)) {
      next();
      return;
    }
    next(
      new UnauthorizedError(
        several
          ? 'several Authorization headers: send exactly one, "Authorization: Bearer <token>"'
          : presented === undefined
            ? 'missing bearer token: send "Authorization: Bearer <token>" (cedar-store --token or CEDAR_STORE_TOKEN)'
            : 'wrong bearer token: use the token the controller was configured with (auth.token, auth.tokenFile or CEDAR_STORE_TOKEN)',
      ),
    );
  };
}
