import { HttpProblem } from '../problem.js';

/**
 * RFC 6750 answers. A request without usable credentials gets a bare
 * `Bearer` challenge; a token that was presented but failed verification
 * gets `error="invalid_token"` so clients know to fetch a new one.
 */
export const missingToken = (detail = 'This request needs a bearer access token.') =>
  new HttpProblem(401, detail, { headers: { 'WWW-Authenticate': 'Bearer' } });

export const invalidToken = (detail = 'The access token is not valid.') =>
  new HttpProblem(401, detail, { headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } });

/** The keys to check a token with could not be obtained: the caller is not at fault. */
export const identityUnavailable = (detail = 'The identity provider cannot be reached; try again shortly.') =>
  new HttpProblem(503, detail, { headers: { 'Retry-After': '5' } });
