import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type Request, type RequestHandler, type Response } from 'express';

/** An OAuth error as Keycloak answers it: `{ error, error_description }` with its status. */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
  }
}

export const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;

export function sendOAuthError(res: Response, err: OAuthError): void {
  res.status(err.status).set(NO_STORE).json({ error: err.error, error_description: err.description });
}

const urlencoded = express.urlencoded({
  extended: false,
  limit: '16kb',
  parameterLimit: 50,
}) as RequestHandler;

/** The form parser, answering "too many parameters" as an OAuth error (the error handler would see a 500). */
export const formParser: RequestHandler = (req, res, next) =>
  urlencoded(req, res, (err?: unknown) => {
    if ((err as { type?: unknown } | undefined)?.type === 'parameters.too.many') {
      sendOAuthError(res, new OAuthError(400, 'invalid_request', 'Too many form parameters'));
      return;
    }
    next(err);
  });

export type Form = Partial<Record<string, string>>;

/** The request's parameters, each given once (a repeated parameter is refused, as Keycloak does). */
export function paramsOf(source: unknown): Form {
  const form: Form = {};
  for (const [key, value] of Object.entries((source ?? {}) as Record<string, unknown>)) {
    if (typeof value !== 'string')
      throw new OAuthError(400, 'invalid_request', `Duplicated parameter: ${key}`);
    form[key] = value;
  }
  return form;
}

export function formOf(req: Request): Form {
  if (!req.is('application/x-www-form-urlencoded')) {
    throw new OAuthError(400, 'invalid_request', 'The body must be application/x-www-form-urlencoded');
  }
  return paramsOf(req.body);
}

/** Compares secrets in constant time (over their digests, so lengths do not leak either). */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
