import type { Logger } from 'pino';
import { createApp } from './app.js';
import type { Authenticator } from './auth/principal.js';
import { registerWhoami } from './auth/whoami.js';
import type { Clock } from './clock.js';
import type { ServiceMetrics } from './metrics.js';
import { buildOpenApiDocument, createOpenApiRegistry } from './openapi.js';
import { DEFAULT_SERVICE_RATE_LIMIT, perRequest, type RateLimitSettings } from './rate-limit.js';
import { ApiRouter } from './routes.js';
import type { ServiceHandle } from './service.js';

/** What every service factory receives, whatever else it needs. */
export interface ServiceContext {
  logger: Logger;
  clock: Clock;
  /** Verifies bearer tokens; required as soon as a service has protected routes. */
  auth?: Authenticator;
  bodyLimit?: string;
  /** Protects `/metrics` (METRICS_TOKEN). */
  metricsToken?: string;
  /** Express `trust proxy` (TRUST_PROXY); default false: the peer's address is the client IP. */
  trustProxy?: boolean | number | string;
  /** The service's own limits (SERVICE_RATE_LIMIT_*); unset fields take the defaults, `false` turns it off. */
  rateLimit?: Partial<RateLimitSettings> | false;
  /** Check each JSON answer against its route's documented schema (ApiRouter `checkResponses`; tests). */
  checkResponses?: boolean;
}

export interface ServiceAppSpec {
  name: string;
  version?: string;
  title: string;
  description?: string;
  /** Public prefix of the service's API, e.g. `/api/v1/registry`. */
  prefix: string;
  /** Declares the service's routes on its ApiRouter. */
  routes?: (api: ApiRouter) => void;
  start?: () => Promise<void>;
  stop?: () => Promise<void>;
}

/** Builds a service's app (kit app + API router + OpenAPI) and wraps it as a ServiceHandle. */
export function createServiceApp(
  ctx: ServiceContext,
  spec: ServiceAppSpec,
): ServiceHandle & { api: ApiRouter; metrics: ServiceMetrics } {
  const registry = createOpenApiRegistry();
  // The limiter and the route share one verification per request.
  const auth = ctx.auth ? perRequest(ctx.auth) : undefined;
  const api = new ApiRouter({
    registry,
    basePath: spec.prefix,
    ...(auth ? { auth } : {}),
    ...(ctx.checkResponses ? { checkResponses: true } : {}),
  });
  // Every service with an authenticator answers GET <prefix>/whoami (any valid token).
  if (ctx.auth) registerWhoami(api, spec.name);
  spec.routes?.(api);
  let document: Record<string, unknown> | undefined;
  const { app, readiness, metrics } = createApp({
    name: spec.name,
    logger: ctx.logger,
    ...(ctx.bodyLimit ? { bodyLimit: ctx.bodyLimit } : {}),
    ...(ctx.metricsToken ? { metricsToken: ctx.metricsToken } : {}),
    trustProxy: ctx.trustProxy ?? false,
    ...(ctx.rateLimit === false
      ? {}
      : {
          rateLimit: {
            settings: { ...DEFAULT_SERVICE_RATE_LIMIT, ...ctx.rateLimit },
            ...(auth ? { auth } : {}),
          },
        }),
    openapi: () =>
      (document ??= buildOpenApiDocument(registry, {
        title: spec.title,
        version: spec.version ?? '0.1.0',
        ...(spec.description ? { description: spec.description } : {}),
      })),
    routes: (a) => a.use(spec.prefix, api.router),
  });
  return {
    name: spec.name,
    app,
    readiness,
    api,
    metrics,
    start: spec.start ?? (async () => undefined),
    stop: spec.stop ?? (async () => undefined),
  };
}
