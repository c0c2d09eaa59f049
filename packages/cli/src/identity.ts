import { GatewayEnvSchema, identityFromConfig, type GatewayIdentity } from '@honglian/gateway';
import { AuthEnvSchema, type AuthEnv } from '@honglian/service-kit';

/**
 * Identity and edge settings `honglian start` reads: AUTH_MODE (default
 * embedded), PUBLIC_URL, KEYCLOAK_*, and the gateway's rate limits, CORS and
 * proxy limits. SERVICE_URLS is not among them: in-process, the gateway is
 * told where each service listens.
 */
export const IDENTITY_ENV_SHAPE = {
  ...AuthEnvSchema.shape,
  ...GatewayEnvSchema.omit({ SERVICE_URLS: true, API_ROUTES: true }).shape,
};

export interface SuiteIdentity extends GatewayIdentity {
  /** Tells the identity wiring where the gateway listens; call once it does. */
  bind(gatewayUrl: string): void;
  /** Public base URL of the suite: PUBLIC_URL, else the gateway's URL with `localhost`. */
  publicUrl(): string;
}

/**
 * The identity of the all-in-one run. Embedded (default): the gateway hosts
 * the development identity provider; every service gets its own
 * Authenticator that fetches keys from the gateway's JWKS, so a token is
 * verified by the gateway and again by the service, and a request sent
 * straight to a service port without a token gets 401. The gateway's address
 * is only known once it listens (PORT=0), so URLs are read late, after `bind`.
 * Keycloak (AUTH_MODE=keycloak): everything verifies against KEYCLOAK_URL.
 * Throws ConfigError on contradictory settings.
 */
export function createSuiteIdentity(config: AuthEnv & { NODE_ENV?: string }): SuiteIdentity {
  let gatewayUrl: string | undefined;
  const internalUrl = () => {
    if (!gatewayUrl) throw new Error('the gateway is not listening yet');
    return gatewayUrl;
  };
  const publicUrl = () => config.PUBLIC_URL ?? internalUrl().replace('://127.0.0.1:', '://localhost:');
  const identity = identityFromConfig(config, { internalUrl, publicUrl });
  return {
    ...identity,
    publicUrl,
    bind(url: string) {
      gatewayUrl = url;
    },
  };
}
