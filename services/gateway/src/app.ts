import {
  HttpProblem,
  Readiness,
  asyncApiDocument,
  createApp,
  sendProblem,
  type ServiceContext,
  type ServiceHandle,
} from '@honglian/service-kit';
import { DEMO_WEB_CLIENT_ID } from '@honglian/contracts';
import { resolveGatewaySettings, type GatewaySettingsInput } from './config.js';
import { defaultConsoleDir, mountConsole, type ConsoleOptions } from './console.js';
import { cors } from './cors.js';
import { apiEdge, tokenRateLimit } from './edge.js';
import {
  createDevIdentityProvider,
  type DevIdentityOptions,
  type DevIdentityProvider,
} from './identity/dev-idp.js';
import { cachedMergedOpenApi, mergedOpenApi, mountDocs } from './openapi.js';
import { isPublicOperation, publicOperations, type PublicOperation } from './public-operations.js';
import { API_BASE, type ApiRoutes } from './routing.js';

export const SERVICE = {
  name: 'gateway',
  prefix: '/api/v1',
  title: 'Honglian API gateway (红联网关)',
  description:
    'Single entry point: authentication, routing to services, rate limits and the merged API docs.',
} as const;

export interface GatewayDeps extends ServiceContext {
  /** Base URL of each service by name, e.g. { 'org-registry': 'http://127.0.0.1:8081' }. */
  services?: Record<string, string>;
  /**
   * Which service serves which `/api/v1/<prefix>`: the suite passes `apiRoutesOf(MODULES)`.
   * Default API_ROUTES (the gateway run alone).
   */
  routes?: ApiRoutes;
  /** Rate limits, CORS, proxy limits; defaults as documented in the README. */
  settings?: GatewaySettingsInput;
  /** Host the development identity provider (AUTH_MODE=embedded); refused under NODE_ENV=production. */
  devIdentity?: Omit<DevIdentityOptions, 'tokenLimiter'>;
  /**
   * The web console served at `/` (from `settings.consoleDir`, else @honglian/console's dist): where
   * the browser signs in. Default authority: the development identity provider's realm, when hosted.
   */
  console?: ConsoleOptions;
}

export interface GatewayHandle extends ServiceHandle {
  /** The development identity provider, when this gateway hosts one. */
  identity?: DevIdentityProvider;
}

/** The AsyncAPI document of every event, beside `/openapi.json` and linked from `/docs`. */
export const ASYNCAPI_PATH = '/asyncapi.json';

/** Pages swagger-ui needs: its own scripts and styles (served locally), inline styles, data: images. */
const CONTENT_SECURITY_POLICY = {
  useDefaults: true,
  directives: {
    'script-src': ["'self'"],
    'style-src': ["'self'", "'unsafe-inline'"],
    'img-src': ["'self'", 'data:'],
    'connect-src': ["'self'"],
    'upgrade-insecure-requests': null,
  },
};

/**
 * Builds the gateway: `/api/v1/<prefix>/...` proxied to the owning service
 * after token verification and rate limiting; `/openapi.json` merged from
 * every service and `/docs`; `/readyz` ready when every service is; in
 * embedded mode the development identity provider under `/realms/<realm>`;
 * the web console at `/` with its `/console-config.json`.
 */
export function createService(deps: GatewayDeps): GatewayHandle {
  if (!deps.auth) throw new Error('The gateway needs an authenticator (deps.auth) to protect /api/v1.');
  const auth = deps.auth;
  const settings = resolveGatewaySettings(deps.settings);
  const services = deps.services ?? {};
  const logger = deps.logger;
  const identity = deps.devIdentity
    ? createDevIdentityProvider({
        ...deps.devIdentity,
        tokenLimiter: tokenRateLimit(settings.rateLimit, logger),
      })
    : undefined;

  const openapi = cachedMergedOpenApi(() =>
    mergedOpenApi(services, {
      title: SERVICE.title,
      version: '0.1.0',
      description:
        'Every service of the suite behind one gateway. Send a bearer access token from the ' +
        `realm's token endpoint${identity ? ` (${identity.tokenUrl()})` : ''}. ` +
        `The events the services exchange: [AsyncAPI 3 document](${ASYNCAPI_PATH}).`,
    }),
  );
  let asyncapi: Record<string, unknown> | undefined;
  // The public operations of the merged document, compiled once per document the cache holds.
  const compiled = new WeakMap<object, PublicOperation[]>();
  const publicOf = (doc: Record<string, unknown>) => {
    let ops = compiled.get(doc);
    if (!ops) compiled.set(doc, (ops = publicOperations(doc)));
    return ops;
  };

  const readiness = new Readiness();
  for (const [name, url] of Object.entries(services)) {
    readiness.register(name, async () => {
      const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1500) });
      return res.ok ? { ok: true } : { ok: false, detail: `${name} /readyz answered ${res.status}` };
    });
  }

  const { app } = createApp({
    name: SERVICE.name,
    logger,
    readiness,
    ...(deps.bodyLimit ? { bodyLimit: deps.bodyLimit } : {}),
    ...(deps.metricsToken ? { metricsToken: deps.metricsToken } : {}),
    trustProxy: settings.trustProxy,
    helmet: { contentSecurityPolicy: CONTENT_SECURITY_POLICY },
    beforeBody: (a) => {
      a.use(cors(settings.corsOrigins));
      a.get('/openapi.json', async (_req, res) => {
        res.json({
          ...(await openapi()),
          externalDocs: { description: 'Events (AsyncAPI 3)', url: ASYNCAPI_PATH },
        });
      });
      // Built once from the contracts this gateway was built with.
      a.get(ASYNCAPI_PATH, (_req, res) => {
        res.json((asyncapi ??= asyncApiDocument({ version: '0.1.0' })));
      });
      mountDocs(a);
      // Proxied requests must reach the service as an unparsed stream: before the body parser.
      a.use(
        apiEdge({
          services,
          auth,
          settings,
          logger,
          isPublic: async (method, path) => isPublicOperation(publicOf(await openapi()), method, path),
          ...(deps.routes ? { routes: deps.routes } : {}),
        }),
      );
    },
    routes: (a) => {
      if (identity) a.use(`/realms/${identity.realm}`, identity.router);
      a.use(API_BASE, (req, res) => {
        const en = `No service serves ${req.originalUrl.split('?')[0]}.`;
        sendProblem(
          res,
          new HttpProblem(404, en, { extensions: { reason: { zh: '没有服务提供此路径', en } } }),
          req.originalUrl,
        );
      });
      // Last: the console answers only what nothing else did.
      const authority = deps.console?.authority ?? identity?.issuer;
      mountConsole(a, {
        dir: settings.consoleDir ?? defaultConsoleDir(),
        authority: typeof authority === 'string' ? () => authority : authority,
        clientId: deps.console?.clientId ?? DEMO_WEB_CLIENT_ID,
        logger,
      });
    },
  });

  return {
    name: SERVICE.name,
    app,
    readiness,
    ...(identity ? { identity } : {}),
    start: async () => undefined,
    stop: async () => undefined,
  };
}
