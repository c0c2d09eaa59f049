import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import express, { type Express, type RequestHandler } from 'express';
import helmet, { type HelmetOptions } from 'helmet';
import { pinoHttp } from 'pino-http';
import type { Logger } from 'pino';
import { Readiness } from './health.js';
import { ServiceMetrics } from './metrics.js';
import { missingToken } from './auth/problems.js';
import type { Authenticator } from './auth/principal.js';
import { serviceRateLimit, type RateLimitSettings } from './rate-limit.js';
import { REDACTED, redactQuery } from './logger.js';
import { isDecodablePath, malformedPath, notFoundHandler, problemErrorHandler } from './problem.js';
import { requestIdOf } from './request-id.js';
import { requestLogging } from './request-log.js';

export interface AppOptions {
  name: string;
  logger: Logger;
  /** Largest JSON body accepted, e.g. `1mb`. */
  bodyLimit?: string;
  readiness?: Readiness;
  metrics?: ServiceMetrics;
  /** When set, `/metrics` answers only `Authorization: Bearer <metricsToken>` (Prometheus `authorization`). */
  metricsToken?: string;
  /** The service's OpenAPI document, served at `/openapi.json`. */
  openapi?: () => Record<string, unknown>;
  helmet?: HelmetOptions;
  /** Express `trust proxy` (behind the gateway or a load balancer). */
  trustProxy?: boolean | number | string;
  /**
   * Per-caller limits on everything but health, readiness and metrics; `auth` verifies a bearer
   * token so its subject is counted, not the IP. Absent: no limiter (the gateway has its own).
   */
  rateLimit?: { settings: RateLimitSettings; auth?: Authenticator };
  /** Runs before the body parser (e.g. the gateway's proxy, which must see the raw stream). */
  beforeBody?: (app: Express) => void;
  /** Mounts the service's routes. */
  routes?: (app: Express) => void;
}

export interface ServiceApp {
  app: Express;
  readiness: Readiness;
  metrics: ServiceMetrics;
}

/**
 * The one express app shape of every service: security headers, request ids,
 * JSON logs, health, metrics, OpenAPI, and problem+json for every error.
 */
export function createApp(opts: AppOptions): ServiceApp {
  const readiness = opts.readiness ?? new Readiness();
  const metrics = opts.metrics ?? new ServiceMetrics(opts.name);
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', opts.trustProxy ?? false);
  app.set('query parser', 'simple');
  app.use(helmet(opts.helmet));
  const unlogged = (req: IncomingMessage) => ['/healthz', '/readyz', '/metrics'].includes(req.url ?? '');
  app.use(
    requestLogging(
      pinoHttp({
        logger: opts.logger,
        genReqId: requestIdOf,
        customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
        autoLogging: { ignore: unlogged },
        serializers: { req: redactRequest },
      }),
      { genReqId: requestIdOf, ignore: unlogged },
    ),
  );
  app.use(metrics.middleware());
  // Before any router decodes params: a path that does not decode is the client's mistake.
  app.use((req, _res, next) => {
    next(isDecodablePath(req.path) ? undefined : malformedPath());
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const { ready, checks } = await readiness.evaluate();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not-ready', checks });
  });
  app.get('/metrics', async (req, res, next) => {
    if (opts.metricsToken && !bearerMatches(req.headers.authorization, opts.metricsToken)) {
      next(missingToken('Metrics need the metrics bearer token.'));
      return;
    }
    const { contentType, body } = await metrics.render();
    res.type(contentType).send(body);
  });
  if (opts.rateLimit) app.use(serviceRateLimit({ ...opts.rateLimit, logger: opts.logger }));
  if (opts.openapi) {
    const document = opts.openapi;
    app.get('/openapi.json', (_req, res) => {
      res.json(document());
    });
  }

  opts.beforeBody?.(app);
  app.use(express.json({ limit: opts.bodyLimit ?? '1mb', strict: true }) as RequestHandler);
  opts.routes?.(app);
  app.use(notFoundHandler);
  app.use(problemErrorHandler(opts.logger));
  return { app, readiness, metrics };
}

/** pino-http's serialized request without query values (the URL and the parsed query). */
function redactRequest(req: { url?: string; query?: unknown }): unknown {
  if (typeof req.url === 'string') req.url = redactQuery(req.url);
  if (req.query && typeof req.query === 'object') {
    req.query = Object.fromEntries(Object.keys(req.query).map((name) => [name, REDACTED]));
  }
  return req;
}

/** Constant-time comparison of a bearer header with the expected token (hashed to equal lengths). */
function bearerMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer (.+)$/i.exec(header ?? '')?.[1] ?? '';
  const digest = (v: string) => createHash('sha256').update(v).digest();
  return timingSafeEqual(digest(given), digest(token));
}
