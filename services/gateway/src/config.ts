import { z } from 'zod';
import { AuthEnvSchema, BaseConfigSchema, envTrustProxy } from '@honglian/service-kit';
import { SERVICE_NAMES } from './routing.js';

const size = z.string().regex(/^\d+(b|kb|mb)$/i, 'a size such as 100kb or 10mb');
const positiveInt = z.coerce.number().int().positive();

/** `name=url,name=url` → { name: url }; names must be Honglian services. */
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
    } else if (!SERVICE_NAMES.includes(name)) {
      ctx.addIssue({
        code: 'custom',
        message: `unknown service "${name}" (known: ${SERVICE_NAMES.join(', ')})`,
      });
    } else urls[name] = url;
  }
  return urls;
});

/** Settings only the gateway reads (besides the base and identity ones). */
export const GatewayEnvSchema = z.object({
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
});
export type GatewayEnv = z.infer<typeof GatewayEnvSchema>;

/** Everything the gateway reads when it runs alone. */
export const GatewayConfigSchema = BaseConfigSchema.extend({
  ...AuthEnvSchema.shape,
  ...GatewayEnvSchema.shape,
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
