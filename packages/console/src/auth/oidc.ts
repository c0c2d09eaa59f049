import { InMemoryWebStorage, UserManager, WebStorageStateStore } from 'oidc-client-ts';
import type { ConsoleConfig } from '../config';

/** What a sign-in carries through the identity provider and back. */
export interface SigninState {
  returnTo: string;
}

/**
 * Sign-in the way Keycloak does it: authorization code with PKCE against the realm named by
 * /console-config.json. Tokens live in memory only (InMemoryWebStorage): a reload signs in again,
 * and nothing an injected script could read survives in localStorage or sessionStorage. Only the
 * short-lived PKCE state (code verifier, nonce, where to return) sits in sessionStorage while the
 * browser is away at the login page; the library removes it at the callback. The access token is
 * renewed in the background with the refresh token; the userinfo endpoint is not used (the roles
 * and scope claims are in the access token).
 */
export function createUserManager(config: ConsoleConfig): UserManager {
  const origin = window.location.origin;
  return new UserManager({
    authority: config.authority,
    client_id: config.clientId,
    redirect_uri: `${origin}/callback`,
    post_logout_redirect_uri: `${origin}/`,
    response_type: 'code',
    scope: 'openid profile',
    loadUserInfo: false,
    userStore: new WebStorageStateStore({ store: new InMemoryWebStorage() }),
    stateStore: new WebStorageStateStore({ store: window.sessionStorage, prefix: 'honglian.oidc.' }),
    automaticSilentRenew: true,
    accessTokenExpiringNotificationTimeInSeconds: 60,
    monitorSession: false,
  });
}

/** Where the browser is now, to come back to after signing in. */
export const currentPath = () =>
  `${window.location.pathname}${window.location.search}${window.location.hash}`;

/** Set just before leaving for the end-session endpoint, so `/` greets the signed-out user instead of signing in again. */
export const SIGNED_OUT_FLAG = 'honglian.signedOut';
