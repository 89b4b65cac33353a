import { describe, expect, it } from 'vitest';
import { bearerToken, presentedBearerToken, tokenMatches } from './token.js';

const EXPECTED = 'correct-horse-battery-staple';

describe('tokenMatches', () => {
  it('accepts the same token', () => {
    expect(tokenMatches(EXPECTED, EXPECTED)).toBe(true);
  });

  it('refuses a different token of the same length', () => {
    expect(tokenMatches(EXPECTED.replace('c', 'C'), EXPECTED)).toBe(false);
  });

  it('refuses a longer or shorter token, including a prefix of the right one', () => {
    expect(tokenMatches(`${EXPECTED}x`, EXPECTED)).toBe(false);
    expect(tokenMatches(EXPECTED.slice(0, -1), EXPECTED)).toBe(false);
    expect(tokenMatches('', EXPECTED)).toBe(false);
  });

  it('refuses a missing token, even against an empty expected one', () => {
    expect(tokenMatches(undefined, EXPECTED)).toBe(false);
    expect(tokenMatches(undefined, '')).toBe(false);
  });
});

describe('bearerToken', () => {
  it('reads the token of a Bearer header, whatever the case of "Bearer"', () => {
    expect(bearerToken(`Bearer ${EXPECTED}`)).toBe(EXPECTED);
    expect(bearerToken(`bearer ${EXPECTED}`)).toBe(EXPECTED);
    expect(bearerToken(`BEARER   ${EXPECTED}  `)).toBe(EXPECTED);
  });

  it('finds nothing in a missing or empty header', () => {
    expect(bearerToken(undefined)).toBeUndefined();
    expect(bearerToken('')).toBeUndefined();
    expect(bearerToken('Bearer')).toBeUndefined();
    expect(bearerToken('Bearer ')).toBeUndefined();
  });

  it('finds nothing in other schemes or malformed headers', () => {
    expect(bearerToken(`Basic ${Buffer.from('user:pass').toString('base64')}`)).toBeUndefined();
    expect(bearerToken(`Token ${EXPECTED}`)).toBeUndefined();
    expect(bearerToken(`Bearer${EXPECTED}`)).toBeUndefined();
    expect(bearerToken(`Bearer ${EXPECTED} extra`)).toBeUndefined();
    expect(bearerToken(`X Bearer ${EXPECTED}`)).toBeUndefined();
  });
});

describe('presentedBearerToken', () => {
  it('reads the one Authorization header a request carries', () => {
    const request = {
      rawHeaders: ['Host', 'x', 'Authorization', `Bearer ${EXPECTED}`],
      headers: { authorization: `Bearer ${EXPECTED}` },
    };
    expect(presentedBearerToken(request)).toEqual({ token: EXPECTED, several: false });
    expect(presentedBearerToken({ rawHeaders: ['Host', 'x'], headers: {} })).toEqual({
      token: undefined,
      several: false,
    });
  });

  it('presents no token when several Authorization headers make the credentials ambiguous', () => {
    const request = {
      rawHeaders: ['authorization', `Bearer ${EXPECTED}`, 'AUTHORIZATION', 'Bearer wrong-token-of-enough-length'],
      // Node keeps the first one here: trusting it would let the second slip past.
      headers: { authorization: `Bearer ${EXPECTED}` },
    };
    expect(presentedBearerToken(request)).toEqual({ token: undefined, several: true });
  });
});
