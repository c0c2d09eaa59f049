import path from 'node:path';
import { z } from 'zod';
import { AuthEnvSchema, BaseConfigSchema, envTrustProxy } from '@honglian/service-kit';
import { API_ROUTES } from './routing.js';

const size = z.string().regex(/^\d+(b|kb|mb)$/i, 'a size such as 100kb or 10mb');
const positiveInt = z.coerce.number().int().positive();

/** `name=url,name=url` → { name: url }; each name must be a service API_ROUTES routes to (checked below). */
const serviceUrls = z.string().transform((value, ctx) => {
  const urls: Record<string, string> = {};
  for (const entry of value
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const eq = entry.indexOf('=');
    const name = entry.slice(0, eq).trim();
    const url = entry
      .slice(eq + 1)
      .trim()
      .replace(/\/+$/, '');
    if (eq < 1 || !/^https?:\/\/[^\s/]+/.test(url)) {
      ctx.addIssue({ code: 'custom', message: `"${entry}" is not name=http://host:port` });
    } else urls[name] = url;
  }
  return urls;
});

/** `prefix=service,...` → { prefix: service }: `/api/v1/<prefix>/…` goes to that service. */
const apiRoutes = z.string().transform((value, ctx) => {
  const routes: Record<string, string> = {};
  for (const entry of value
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const [prefix, service, ...rest] = entry.split('=').map((p) => p.trim());
    if (
      rest.length > 0 ||
      !/^[a-z][a-z0-9-]*$/.test(prefix ?? '') ||
      !/^[a-z][a-z0-9-]*$/.test(service ?? '')
    ) {
      ctx.addIssue({ code: 'custom', message: `"${entry}" is not prefix=service (lower-case names)` });
    } else routes[prefix!] = service!;
  }
  return routes;
});

/** Settings only the gateway reads (besides the base and identity ones). */
export const GatewayEnvSchema = z.object({
  /**
   * Which service serves which `/api/v1/<prefix>` when the gateway runs alone: `prefix=service,…`
   * (compose and Kubernetes set it from the modules' prefixes). Unset: the built-in API_ROUTES.
   * A new service is routed by configuration, not by a change to the gateway.
   */
  API_ROUTES: apiRoutes.optional(),
  /** Where each service listens when the gateway runs alone (docker compose): `name=url,...`. */
  SERVICE_URLS: serviceUrls.optional(),
  /** Browser origins allowed to call the API (CORS), comma-separated; `*` for any. Empty: no CORS. */
  CORS_ORIGINS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim().replace(/\/+$/, ''))
        .filter(Boolean),
    )
    .pipe(z.array(z.union([z.literal('*'), z.url({ protocol: /^https?$/ })])))
    .default([]),
  RATE_LIMIT_WINDOW_MS: positiveInt.default(60_000),
  /** Requests per window for each caller with a valid token (key: `azp` + `sub`). */
  RATE_LIMIT_MAX: positiveInt.default(600),
  /** Requests per window for each client IP without a valid token. */
  RATE_LIMIT_ANON_MAX: positiveInt.default(120),
  /** Token requests per window for each client IP (development identity provider). */
  RATE_LIMIT_TOKEN_MAX: positiveInt.default(30),
  /** Largest request body passed through to a service (imports of spreadsheets included). */
  PROXY_BODY_LIMIT: size.default('10mb'),
  PROXY_TIMEOUT_MS: positiveInt.default(30_000),
  /**
   * Express `trust proxy` for client IPs (rate limits): `true`, a hop count, or addresses/subnets.
   * Unset: no proxy is trusted, so no caller (a local process included) can pick its IP.
   */
  TRUST_PROXY: envTrustProxy.default(false),
  /**
   * The built web console the gateway serves at `/` (a folder with index.html and assets/).
   * Unset or empty: the dist folder of the installed @honglian/console package.
   */
  CONSOLE_DIR: z
    .string()
    .optional()
    .transform((v) => v?.trim() || undefined),
});
export type GatewayEnv = z.infer<typeof GatewayEnvSchema>;

/** Everything the gateway reads when it runs alone; every SERVICE_URLS name is a routed service. */
export const GatewayConfigSchema = BaseConfigSchema.extend({
  ...AuthEnvSchema.shape,
  ...GatewayEnvSchema.shape,
}).superRefine((config, ctx) => {
  const routed = Object.values(config.API_ROUTES ?? API_ROUTES);
  for (const name of Object.keys(config.SERVICE_URLS ?? {})) {
    if (!routed.includes(name)) {
      ctx.addIssue({
        code: 'custom',
        path: ['SERVICE_URLS'],
        message: `unknown service "${name}" (API_ROUTES routes to: ${routed.join(', ')})`,
      });
    }
  }
});
export type GatewayConfig = z.infer<typeof GatewayConfigSchema>;

export interface RateLimitSettings {
  windowMs: number;
  /** Per caller with a valid token. */
  max: number;
  /** Per IP without a valid token. */
  anonymousMax: number;
  /** Per IP on the token endpoint. */
  tokenMax: number;
}

export interface GatewaySettings {
  corsOrigins: string[];
  rateLimit: RateLimitSettings;
  /** Largest proxied body in bytes. */
  proxyBodyLimitBytes: number;
  proxyTimeoutMs: number;
  trustProxy: boolean | number | string;
  /** The built console served at `/` instead of @honglian/console's dist (CONSOLE_DIR). */
  consoleDir?: string;
}

export const DEFAULT_GATEWAY_SETTINGS: GatewaySettings = gatewaySettingsFromEnv(GatewayEnvSchema.parse({}));

export function gatewaySettingsFromEnv(env: GatewayEnv): GatewaySettings {
  return {
    corsOrigins: env.CORS_ORIGINS,
    rateLimit: {
      windowMs: env.RATE_LIMIT_WINDOW_MS,
      max: env.RATE_LIMIT_MAX,
      anonymousMax: env.RATE_LIMIT_ANON_MAX,
      tokenMax: env.RATE_LIMIT_TOKEN_MAX,
    },
    proxyBodyLimitBytes: bytesOf(env.PROXY_BODY_LIMIT),
    proxyTimeoutMs: env.PROXY_TIMEOUT_MS,
    trustProxy: env.TRUST_PROXY,
    ...(env.CONSOLE_DIR ? { consoleDir: path.resolve(env.CONSOLE_DIR) } : {}),
  };
}

export type GatewaySettingsInput = Partial<Omit<GatewaySettings, 'rateLimit'>> & {
  rateLimit?: Partial<RateLimitSettings>;
};

export function resolveGatewaySettings(input: GatewaySettingsInput = {}): GatewaySettings {
  return {
    ...DEFAULT_GATEWAY_SETTINGS,
    ...input,
    rateLimit: { ...DEFAULT_GATEWAY_SETTINGS.rateLimit, ...input.rateLimit },
  };
}

function bytesOf(value: string): number {
  const [, n, unit] = /^(\d+)(b|kb|mb)$/i.exec(value)!;
  return Number(n) * { b: 1, kb: 1024, mb: 1024 * 1024 }[unit!.toLowerCase() as 'b' | 'kb' | 'mb'];
}
