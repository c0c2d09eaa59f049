import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type Express, type RequestHandler } from 'express';
import helmet, { type HelmetOptions } from 'helmet';
import { pinoHttp } from 'pino-http';
import type { Logger } from 'pino';
import { Readiness } from './health.js';
import { ServiceMetrics } from './metrics.js';
import { missingToken } from './auth/problems.js';
import { notFoundHandler, problemErrorHandler } from './problem.js';
import { requestIdOf } from './request-id.js';

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
  app.use(
    pinoHttp({
      logger: opts.logger,
      genReqId: requestIdOf,
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
      autoLogging: { ignore: (req) => ['/healthz', '/readyz', '/metrics'].includes(req.url ?? '') },
    }),
  );
  app.use(metrics.middleware());

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

/** Constant-time comparison of a bearer header with the expected token (hashed to equal lengths). */
function bearerMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer (.+)$/i.exec(header ?? '')?.[1] ?? '';
  const digest = (v: string) => createHash('sha256').update(v).digest();
  return timingSafeEqual(digest(given), digest(token));
}
