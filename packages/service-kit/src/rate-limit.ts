import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit, type RateLimitRequestHandler } from 'express-rate-limit';
import type { Logger } from 'pino';
import type { Authenticator, Principal } from './auth/principal.js';
import { HttpProblem, sendProblem } from './problem.js';

export interface RateLimitSettings {
  windowMs: number;
  /** Requests per window for each caller with a valid token (key: `azp` + `sub`). */
  max: number;
  /** Requests per window for each client IP without a valid token. */
  anonymousMax: number;
}

/**
 * A service's own limits. High: behind the gateway every request comes from
 * one IP on behalf of many users, and the gateway already applies the
 * per-caller limit people see (RATE_LIMIT_*); these only stop a caller that
 * reaches a service port directly.
 */
export const DEFAULT_SERVICE_RATE_LIMIT: RateLimitSettings = {
  windowMs: 60_000,
  max: 10_000,
  anonymousMax: 1_000,
};

/** The handler of a limiter: 429 as problem+json, with Retry-After in seconds (unless already set). */
export function tooManyRequests(req: Request, res: Response): void {
  const reset = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
  const seconds = reset ? Math.max(1, Math.ceil((reset.getTime() - Date.now()) / 1000)) : 60;
  if (!res.hasHeader('Retry-After')) res.setHeader('Retry-After', String(seconds));
  sendProblem(
    res,
    new HttpProblem(429, 'Too many requests; retry after the number of seconds in Retry-After.', {
      extensions: { reason: { zh: '请求过于频繁，请稍后再试', en: 'Too many requests; try again later.' } },
    }),
    req.originalUrl,
  );
}

/**
 * express-rate-limit counting callers apart: `principalOf` tells who the
 * (already verified) caller is; without one the client IP is counted, with
 * the lower limit. `standardHeaders` adds the RateLimit headers to every answer.
 */
export function principalRateLimit(opts: {
  settings: RateLimitSettings;
  logger: Logger;
  principalOf: (req: Request, res: Response) => Principal | undefined;
  standardHeaders?: boolean;
}): RateLimitRequestHandler {
  const { settings, logger, principalOf } = opts;
  return rateLimit({
    windowMs: settings.windowMs,
    limit: (req, res) =>
      principalOf(req as Request, res as Response) ? settings.max : settings.anonymousMax,
    // A verified caller by client and subject, anyone else by IP (IPv6 by /56).
    keyGenerator: (req, res) => {
      const principal = principalOf(req as Request, res as Response);
      if (principal) return `token:${principal.clientId ?? ''}:${principal.subject}`;
      return `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`;
    },
    standardHeaders: opts.standardHeaders ? 'draft-7' : false,
    legacyHeaders: false,
    handler: (req, res) => tooManyRequests(req as Request, res as Response),
    logger: {
      warn: (...a: unknown[]) => logger.warn({ a }, 'rate limit'),
      error: (...a: unknown[]) => logger.error({ a }, 'rate limit'),
    },
  });
}

/**
 * A service's limiter: a request with a bearer token is verified first (the
 * result is kept for its route, see `perRequest`) so a valid token is counted
 * by its subject, never by the IP of the gateway forwarding it; an invalid or
 * missing one counts against the client IP. No RateLimit headers: behind the
 * gateway they would overwrite the gateway's own.
 */
export function serviceRateLimit(opts: {
  settings: RateLimitSettings;
  logger: Logger;
  auth?: Authenticator;
}): RequestHandler {
  const principals = new WeakMap<Request, Principal>();
  const limiter = principalRateLimit({
    settings: opts.settings,
    logger: opts.logger,
    principalOf: (req) => principals.get(req),
  });
  return async (req, res, next) => {
    if (opts.auth && req.headers.authorization) {
      try {
        principals.set(req, await opts.auth.authenticate(req));
      } catch {
        // Counted by IP; the route answers the 401 (or 503) itself.
      }
    }
    await limiter(req, res, next);
  };
}

/**
 * An Authenticator that verifies each request once, however many times it is
 * asked (the service's limiter, then the route).
 */
export function perRequest(auth: Authenticator): Authenticator {
  const results = new WeakMap<Request, Promise<Principal>>();
  return {
    authenticate(req) {
      let result = results.get(req);
      if (!result) {
        result = auth.authenticate(req);
        results.set(req, result);
      }
      return result;
    },
  };
}
