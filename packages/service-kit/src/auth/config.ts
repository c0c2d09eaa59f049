import { z } from 'zod';
import { BaseConfigSchema, ConfigError, loadConfigOrExit } from '../config.js';
import { DEFAULT_CLOCK_SKEW_SECONDS, createKeycloakAuthenticator } from './keycloak.js';
import type { Authenticator } from './principal.js';

const httpUrl = z
  .url({ protocol: /^https?$/, error: 'an http:// or https:// URL' })
  .transform((u) => u.replace(/\/+$/, ''));

/**
 * Identity settings every process reads (services, gateway, `honglian start`).
 * `embedded`: the realm is served by the gateway's development identity
 * provider; `keycloak`: by a real Keycloak at KEYCLOAK_URL.
 */
export const AuthEnvSchema = z.object({
  AUTH_MODE: z.enum(['embedded', 'keycloak']).default('embedded'),
  /** Public base URL of the Honglian API (the gateway); in embedded mode tokens are issued as `<PUBLIC_URL>/realms/<realm>`. */
  PUBLIC_URL: httpUrl.optional(),
  /** Where this process reaches the realm: Keycloak, or the gateway in embedded mode. */
  KEYCLOAK_URL: httpUrl.optional(),
  KEYCLOAK_REALM: z
    .string()
    .regex(/^[\w.-]{1,64}$/, 'a realm name (letters, digits, . _ -)')
    .default('honglian'),
  /** The bearer-only client every access token must name in `aud`. */
  KEYCLOAK_AUDIENCE: z.string().min(1).max(255).default('honglian-gateway'),
  /** Expected `iss` when clients reach Keycloak at another URL than this process (docker compose). */
  KEYCLOAK_ISSUER: httpUrl.optional(),
  /** The realm's RSA public key (base64 DER or PEM): verify without fetching the JWKS (no key rotation). */
  KEYCLOAK_REALM_PUBLIC_KEY: z.string().min(1).optional(),
  /** Least time between JWKS fetches triggered by an unknown key id. */
  KEYCLOAK_JWKS_MIN_INTERVAL_SECONDS: z.coerce.number().min(0).max(3600).default(10),
  /** Keys are fetched again at this age; a key the realm stopped publishing is refused from then on. */
  KEYCLOAK_JWKS_MAX_AGE_SECONDS: z.coerce.number().min(1).max(86_400).default(300),
  /** How far in the future a token's `iat` and `nbf` may be before it is refused. */
  KEYCLOAK_CLOCK_SKEW_SECONDS: z.coerce.number().min(0).max(600).default(DEFAULT_CLOCK_SKEW_SECONDS),
});
export type AuthEnv = z.infer<typeof AuthEnvSchema>;
export type AuthMode = AuthEnv['AUTH_MODE'];

export const DEFAULT_PUBLIC_URL = 'http://localhost:8080';

type Late = string | (() => string);
const read = (v: Late) => (typeof v === 'function' ? v() : v);

/** Resolved identity settings: where keys come from and what `iss` and `aud` must be. */
export interface AuthSettings {
  mode: AuthMode;
  realm: string;
  audience: string;
  /** Where this process fetches the realm's keys from (base URL, without `/realms/...`). */
  serverUrl: Late;
  /** The exact `iss` tokens must carry. */
  issuer: Late;
  realmPublicKey?: string;
  jwksMinIntervalSeconds: number;
  jwksMaxAgeSeconds?: number;
  clockSkewSeconds?: number;
}

/**
 * Cross-checks the identity settings and works out the defaults. Throws a
 * ConfigError naming the variable when they do not fit together: embedded
 * mode under NODE_ENV=production, keycloak mode without KEYCLOAK_URL, an
 * issuer that is not a realm URL.
 *
 * In embedded mode the realm lives on the gateway: keys are fetched from
 * KEYCLOAK_URL, else `internalUrl` (the gateway's own address, when known),
 * else PUBLIC_URL, else http://localhost:8080; `iss` is
 * `<PUBLIC_URL or publicUrl>/realms/<realm>`. Both may be functions read on
 * first use, for a gateway listening on a port chosen at start.
 */
export function resolveAuthSettings(
  env: AuthEnv & { NODE_ENV?: string },
  opts: { internalUrl?: Late; publicUrl?: Late } = {},
): AuthSettings {
  const realm = env.KEYCLOAK_REALM;
  if (env.AUTH_MODE === 'embedded' && env.NODE_ENV === 'production') {
    throw new ConfigError([
      {
        variable: 'AUTH_MODE',
        message:
          'embedded (the development identity provider and its demo users) is refused when NODE_ENV=production; ' +
          'set AUTH_MODE=keycloak and KEYCLOAK_URL',
      },
    ]);
  }
  if (env.AUTH_MODE === 'keycloak' && !env.KEYCLOAK_URL) {
    throw new ConfigError([{ variable: 'KEYCLOAK_URL', message: 'required when AUTH_MODE=keycloak' }]);
  }
  if (env.KEYCLOAK_ISSUER && !env.KEYCLOAK_ISSUER.endsWith(`/realms/${realm}`)) {
    throw new ConfigError([
      { variable: 'KEYCLOAK_ISSUER', message: `must be the realm URL, ending with /realms/${realm}` },
    ]);
  }
  let serverUrl: Late;
  let publicBase: Late;
  if (env.AUTH_MODE === 'keycloak') {
    serverUrl = env.KEYCLOAK_URL!;
    publicBase = env.KEYCLOAK_URL!;
  } else {
    serverUrl =
      env.KEYCLOAK_URL ?? opts.internalUrl ?? env.PUBLIC_URL ?? opts.publicUrl ?? DEFAULT_PUBLIC_URL;
    publicBase = env.PUBLIC_URL ?? opts.publicUrl ?? env.KEYCLOAK_URL ?? DEFAULT_PUBLIC_URL;
  }
  const realmUrl = (base: string) => `${base.replace(/\/+$/, '')}/realms/${realm}`;
  const base = publicBase;
  const issuer: Late =
    env.KEYCLOAK_ISSUER ?? (typeof base === 'string' ? realmUrl(base) : () => realmUrl(base()));
  return {
    mode: env.AUTH_MODE,
    realm,
    audience: env.KEYCLOAK_AUDIENCE,
    serverUrl,
    issuer,
    ...(env.KEYCLOAK_REALM_PUBLIC_KEY ? { realmPublicKey: env.KEYCLOAK_REALM_PUBLIC_KEY } : {}),
    jwksMinIntervalSeconds: env.KEYCLOAK_JWKS_MIN_INTERVAL_SECONDS,
    jwksMaxAgeSeconds: env.KEYCLOAK_JWKS_MAX_AGE_SECONDS,
    clockSkewSeconds: env.KEYCLOAK_CLOCK_SKEW_SECONDS,
  };
}

/** The token endpoint clients use for these settings (password and client_credentials grants). */
export function tokenEndpointOf(settings: Pick<AuthSettings, 'issuer'>): string {
  return `${read(settings.issuer)}/protocol/openid-connect/token`;
}

/** An Authenticator for resolved settings (keycloak-connect, through the realm's JWKS). */
export function createAuthenticator(
  settings: AuthSettings,
  overrides: { timeoutMs?: number } = {},
): Authenticator {
  return createKeycloakAuthenticator({
    serverUrl: settings.serverUrl,
    issuer: settings.issuer,
    realm: settings.realm,
    audience: settings.audience,
    jwksMinIntervalSeconds: settings.jwksMinIntervalSeconds,
    ...(settings.jwksMaxAgeSeconds ? { jwksMaxAgeSeconds: settings.jwksMaxAgeSeconds } : {}),
    ...(settings.realmPublicKey ? { realmPublicKey: settings.realmPublicKey } : {}),
    ...(settings.clockSkewSeconds !== undefined ? { clockSkewSeconds: settings.clockSkewSeconds } : {}),
    ...overrides,
  });
}

const AuthProcessEnvSchema = AuthEnvSchema.extend({ NODE_ENV: BaseConfigSchema.shape.NODE_ENV });

/**
 * For a service's `main.ts`: the Authenticator the environment describes
 * (AUTH_MODE, KEYCLOAK_*, PUBLIC_URL). A bad or contradictory setting prints
 * which variable is wrong and exits 1, like `loadConfigOrExit`.
 */
export function authenticatorFromEnv(env: Record<string, string | undefined> = process.env): Authenticator {
  const config = loadConfigOrExit(AuthProcessEnvSchema, env);
  try {
    return createAuthenticator(resolveAuthSettings(config));
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(err.message + '\n');
      process.exit(1);
    }
    throw err;
  }
}
