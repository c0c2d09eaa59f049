import {
  createAuthenticator,
  resolveAuthSettings,
  tokenEndpointOf,
  type AuthEnv,
  type AuthMode,
  type AuthSettings,
  type Authenticator,
} from '@honglian/service-kit';
import type { DevIdentityOptions } from './dev-idp.js';

// The demo world (users, clients, organisations) lives in contracts: the registry's seed and tests read it too.
export { DEMO_DIRECTORY, DEMO_PASSWORD, DEMO_WEB_CLIENT_ID, demoUuid } from '@honglian/contracts';
export type { DemoClient, DemoCounty, DemoDirectory, DemoOrg, DemoUser } from '@honglian/contracts';
export * from './dev-idp.js';

/** The identity wiring of a process that hosts the gateway (its `main.ts`, or `honglian start`). */
export interface GatewayIdentity {
  mode: AuthMode;
  settings: AuthSettings;
  /** A fresh Authenticator for these settings (one per service in-process, each with its own key cache). */
  authenticator(): Authenticator;
  /** Options for the gateway's development identity provider; only in embedded mode. */
  devIdentity?: Omit<DevIdentityOptions, 'tokenLimiter'>;
  /** Where clients get tokens (password and client_credentials grants). */
  tokenUrl(): string;
  /**
   * The realm URL browsers sign in at (the console's `authority`): `<PUBLIC_URL>/realms/<realm>`
   * in embedded mode, KEYCLOAK_ISSUER or `<KEYCLOAK_URL>/realms/<realm>` with Keycloak.
   */
  issuer(): string;
}

/**
 * Works out who issues and verifies tokens. In embedded mode the gateway
 * hosts the realm: keys are fetched from the gateway's own address
 * (`internalUrl`) and tokens are issued as `<PUBLIC_URL>/realms/<realm>`,
 * PUBLIC_URL defaulting to `publicUrl` (http://localhost:<port>). Both may
 * be functions read once the gateway listens. Throws ConfigError on
 * contradictory settings (embedded under NODE_ENV=production, keycloak
 * without KEYCLOAK_URL).
 */
export function identityFromConfig(
  config: AuthEnv & { NODE_ENV?: string },
  late: { internalUrl: string | (() => string); publicUrl: string | (() => string) },
): GatewayIdentity {
  const settings = resolveAuthSettings(config, late);
  const identity: GatewayIdentity = {
    mode: settings.mode,
    settings,
    authenticator: () => createAuthenticator(settings),
    tokenUrl: () => tokenEndpointOf(settings),
    issuer: () => (typeof settings.issuer === 'function' ? settings.issuer() : settings.issuer),
  };
  if (settings.mode === 'embedded') {
    identity.devIdentity = {
      publicUrl: config.PUBLIC_URL ?? late.publicUrl,
      realm: settings.realm,
      audience: settings.audience,
      ...(config.NODE_ENV ? { nodeEnv: config.NODE_ENV } : {}),
    };
  }
  return identity;
}
