import { createHash, randomUUID } from 'node:crypto';
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { SigningKeyRing, systemClock, type Clock } from '@honglian/service-kit';
import {
  DEMO_DIRECTORY,
  DEMO_PASSWORD,
  DEMO_WEB_CLIENT_ID,
  type DemoClient,
  type DemoUser,
} from '@honglian/contracts';
import { PKCE_VALUE, accessTokenHash, browserFlow, grantedScope } from './browser-login.js';
import { NO_STORE, OAuthError, formOf, formParser, sameSecret, sendOAuthError, type Form } from './oauth.js';
import { allowedWebOrigin } from './redirects.js';
import { SessionStore, type BrowserSession, type SessionLifetimes } from './sessions.js';

/**
 * The development identity provider of the embedded run: Keycloak's endpoints
 * for realm `honglian`, with the demo users. Services verify its tokens with
 * keycloak-connect through the JWKS exactly as they verify a real Keycloak's.
 * It refuses to exist under NODE_ENV=production.
 *
 * Supported, answering as Keycloak does:
 * - browser sign-in for the public client `honglian-web`: authorization code
 *   with PKCE (S256 only) at `…/protocol/openid-connect/auth` (a sign-in page),
 *   `authorization_code` and `refresh_token` grants (refresh tokens rotate: each
 *   works once), id tokens, RP-initiated logout at `…/logout`;
 * - `password` (client `honglian-web`) and `client_credentials` (confidential
 *   demo clients, secret in the body or HTTP Basic), access tokens only;
 * - discovery and the JWKS.
 * Not supported: single sign-on between browser tabs (no session cookie, so
 * `prompt=none` answers `login_required`), userinfo, token revocation and
 * introspection, consent, implicit and hybrid flows.
 */
export interface DevIdentityOptions {
  /** Public base URL of the gateway; tokens are issued as `<publicUrl>/realms/<realm>`. A function is read per request. */
  publicUrl: string | (() => string);
  realm?: string;
  /** `aud` of every token. Default `honglian-gateway`. */
  audience?: string;
  /** Signing keys (tests pass their own to rotate them). */
  keys?: SigningKeyRing;
  /** Access token lifetime. Default 900 s, like the shipped realm. */
  tokenTtlSeconds?: number;
  /** Lifetimes of codes (60 s), refresh tokens (1800 s idle) and sessions (10 h): Keycloak's defaults. */
  sessionLifetimes?: Partial<SessionLifetimes>;
  /** Time of tokens, codes and sessions (tests move it). Default the system clock. */
  clock?: Clock;
  /** Refuses to start when `production`. Default process.env.NODE_ENV. */
  nodeEnv?: string;
  users?: readonly DemoUser[];
  clients?: readonly DemoClient[];
  password?: string;
  /** Runs before the token endpoint and the sign-in form's post (the gateway's per-IP rate limit). */
  tokenLimiter?: RequestHandler;
}

export interface DevIdentityProvider {
  realm: string;
  keys: SigningKeyRing;
  /** Mount at `/realms/<realm>`. */
  router: Router;
  issuer(): string;
  tokenUrl(): string;
}

export class DevIdentityRefused extends Error {
  constructor() {
    super(
      'The development identity provider (AUTH_MODE=embedded) refuses to run with NODE_ENV=production: ' +
        'its demo users have a published password. Set AUTH_MODE=keycloak and KEYCLOAK_URL.',
    );
    this.name = 'DevIdentityRefused';
  }
}

const SCOPE = 'profile email';
/** Keycloak puts the realm's default roles in every token; Honglian ignores them. */
const DEFAULT_ROLES = ['default-roles-honglian', 'offline_access', 'uma_authorization'];
const GRANT_TYPES = ['authorization_code', 'refresh_token', 'password', 'client_credentials'];
const OPENID = '/protocol/openid-connect';

const invalidGrant = (description: string) => new OAuthError(400, 'invalid_grant', description);

export function createDevIdentityProvider(opts: DevIdentityOptions): DevIdentityProvider {
  if ((opts.nodeEnv ?? process.env.NODE_ENV) === 'production') throw new DevIdentityRefused();
  const realm = opts.realm ?? 'honglian';
  const audience = opts.audience ?? 'honglian-gateway';
  const keys = opts.keys ?? new SigningKeyRing();
  const ttl = opts.tokenTtlSeconds ?? 900;
  const users = opts.users ?? DEMO_DIRECTORY.users;
  const clients = opts.clients ?? DEMO_DIRECTORY.clients;
  const password = opts.password ?? DEMO_PASSWORD;
  const clock = opts.clock ?? systemClock;
  const nowSeconds = () => Math.floor(clock.now().getTime() / 1000);
  const store = new SessionStore(nowSeconds, {
    codeSeconds: 60,
    idleSeconds: 1800,
    maxSeconds: 36_000,
    ...opts.sessionLifetimes,
  });
  const issuer = () => {
    const base = typeof opts.publicUrl === 'function' ? opts.publicUrl() : opts.publicUrl;
    return `${base.replace(/\/+$/, '')}/realms/${realm}`;
  };
  const tokenUrl = () => `${issuer()}${OPENID}/token`;
  const browser = browserFlow({ realm, issuer, users, password, keys, store, nowSeconds });

  /** The claims of a user's access token: roles and the scope claims the services read. */
  const userClaims = (user: DemoUser, clientId: string, sid: string) => ({
    sub: user.subject,
    azp: clientId,
    sid,
    preferred_username: user.username,
    name: user.name,
    realm_access: { roles: [...DEFAULT_ROLES, ...user.roles] },
    ...scopeClaims(user),
  });

  const signAccessToken = (claims: Record<string, unknown>, scope = SCOPE) => {
    const now = nowSeconds();
    return keys.sign({
      exp: now + ttl,
      iat: now,
      jti: randomUUID(),
      iss: issuer(),
      aud: audience,
      typ: 'Bearer',
      scope,
      ...claims,
    });
  };

  const issue = async (claims: Record<string, unknown>, res: Response) => {
    const token = await signAccessToken(claims);
    res.set(NO_STORE).json({
      access_token: token,
      expires_in: ttl,
      refresh_expires_in: 0,
      token_type: 'Bearer',
      'not-before-policy': 0,
      scope: SCOPE,
    });
  };

  /** Access, refresh and (with scope openid) id token of a browser session. */
  const issueSessionTokens = async (session: BrowserSession, res: Response) => {
    const user = users.find((u) => u.username === session.username);
    if (!user) {
      store.end(session.id);
      throw invalidGrant('User not found');
    }
    const scope = grantedScope(session.scope);
    const accessToken = await signAccessToken(
      { ...userClaims(user, session.clientId, session.id), auth_time: session.authTime },
      scope,
    );
    const refresh = store.issueRefreshToken(session);
    const now = nowSeconds();
    const idToken = scope.startsWith('openid')
      ? await keys.sign({
          exp: now + ttl,
          iat: now,
          auth_time: session.authTime,
          jti: randomUUID(),
          iss: issuer(),
          aud: session.clientId,
          sub: user.subject,
          typ: 'ID',
          azp: session.clientId,
          sid: session.id,
          ...(session.nonce !== undefined ? { nonce: session.nonce } : {}),
          at_hash: accessTokenHash(accessToken),
          acr: '1',
          preferred_username: user.username,
          name: user.name,
        })
      : undefined;
    res.set(NO_STORE).json({
      access_token: accessToken,
      expires_in: ttl,
      refresh_expires_in: refresh.expiresIn,
      refresh_token: refresh.token,
      token_type: 'Bearer',
      ...(idToken ? { id_token: idToken } : {}),
      'not-before-policy': 0,
      session_state: session.id,
      scope,
    });
  };

  const passwordGrant = async (clientId: string, form: Form, res: Response) => {
    if (clientId !== DEMO_WEB_CLIENT_ID) {
      throw new OAuthError(400, 'unauthorized_client', 'Client not allowed for direct access grants');
    }
    const username = (form.username ?? '').toLowerCase();
    const found = users.find((u) => u.username === username);
    if (!found || !sameSecret(form.password ?? '', password)) {
      throw new OAuthError(401, 'invalid_grant', 'Invalid user credentials');
    }
    await issue(userClaims(found, clientId, randomUUID()), res);
  };

  const clientCredentialsGrant = async (client: DemoClient, res: Response) => {
    const account = client.serviceAccount;
    await issue(
      {
        sub: account.subject,
        azp: client.clientId,
        client_id: client.clientId,
        preferred_username: account.username,
        realm_access: { roles: [...DEFAULT_ROLES, ...account.roles] },
      },
      res,
    );
  };

  /**
   * `authorization_code`: the code is spent at its first presentation, whatever
   * follows; a failed exchange ends the session it opened.
   */
  const codeGrant = async (clientId: string, form: Form, res: Response) => {
    if (!form.code) throw new OAuthError(400, 'invalid_request', 'Missing parameter: code');
    const redeemed = store.redeem(form.code);
    if (typeof redeemed === 'string') throw invalidGrant('Code not valid');
    const { grant, session } = redeemed;
    const refuse = (description: string) => {
      store.end(grant.sessionId);
      return invalidGrant(description);
    };
    if (grant.clientId !== clientId) throw refuse('Auth error');
    if (form.redirect_uri !== grant.redirectUri) throw refuse('Incorrect redirect_uri');
    const verifier = form.code_verifier;
    if (!verifier) throw refuse('PKCE code verifier not specified');
    if (!PKCE_VALUE.test(verifier)) throw refuse('PKCE invalid code verifier');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    if (!sameSecret(challenge, grant.codeChallenge)) throw refuse('PKCE verification failed: Code mismatch');
    if (!session) throw invalidGrant('Session not active');
    await issueSessionTokens(session, res);
  };

  /** `refresh_token`: each refresh token works once (the answer carries the next one). */
  const refreshGrant = async (clientId: string, form: Form, res: Response) => {
    if (!form.refresh_token) throw new OAuthError(400, 'invalid_request', 'Missing parameter: refresh_token');
    const used = store.useRefreshToken(form.refresh_token, clientId);
    if (used === 'unknown') throw invalidGrant('Invalid refresh token');
    if (used === 'foreign-client') {
      throw invalidGrant("Invalid refresh token. Token client and authorized client don't match");
    }
    if (used === 'expired') throw invalidGrant('Token is not active');
    if (used === 'session-ended') throw invalidGrant('Session not active');
    await issueSessionTokens(used.session, res);
  };

  const token: RequestHandler = async (req, res) => {
    try {
      const form = formOf(req);
      const grantType = form.grant_type;
      if (!grantType) throw new OAuthError(400, 'invalid_request', 'Missing form parameter: grant_type');
      if (!GRANT_TYPES.includes(grantType)) {
        throw new OAuthError(400, 'unsupported_grant_type', 'Unsupported grant_type');
      }
      const { clientId, secret } = clientCredentialsOf(req, form);
      if (!clientId) throw new OAuthError(401, 'invalid_client', 'Missing parameter: client_id');
      if (clientId === DEMO_WEB_CLIENT_ID) {
        // A public client: no secret to check.
        if (grantType === 'client_credentials') {
          throw new OAuthError(
            401,
            'unauthorized_client',
            'Public client not allowed to retrieve service account',
          );
        }
        if (grantType === 'authorization_code') return await codeGrant(clientId, form, res);
        if (grantType === 'refresh_token') return await refreshGrant(clientId, form, res);
        return await passwordGrant(clientId, form, res);
      }
      const client = clients.find((c) => c.clientId === clientId);
      if (!client || secret === undefined || !sameSecret(secret, client.secret)) {
        throw new OAuthError(401, 'invalid_client', 'Invalid client or Invalid client credentials');
      }
      if (grantType === 'password') return await passwordGrant(clientId, form, res);
      if (grantType === 'authorization_code') {
        throw new OAuthError(400, 'unauthorized_client', 'Client not allowed to exchange code');
      }
      if (grantType === 'refresh_token') return await refreshGrant(clientId, form, res);
      return await clientCredentialsGrant(client, res);
    } catch (err) {
      if (!(err instanceof OAuthError)) throw err;
      if (err.status === 401 && err.error === 'invalid_client' && req.headers.authorization) {
        res.set('WWW-Authenticate', `Basic realm="${realm}"`);
      }
      sendOAuthError(res, err);
    }
  };

  /**
   * CORS on the endpoints a browser app calls with fetch (discovery, keys,
   * token), for the origins the public client may redirect to (Keycloak's web
   * origins `+`): a console served from another origin than PUBLIC_URL (a
   * Vite dev server, or 127.0.0.1 instead of localhost) can still sign in.
   */
  const browserCors: RequestHandler = (req, res, next) => {
    const origin = req.headers.origin;
    if (origin === undefined) return next();
    res.vary('Origin');
    if (!allowedWebOrigin(origin, new URL(issuer()).origin)) return next();
    res.setHeader('Access-Control-Allow-Origin', origin);
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, Accept');
      res.setHeader('Access-Control-Max-Age', '600');
      res.status(204).end();
      return;
    }
    next();
  };

  const router = express.Router();
  router.get('/.well-known/openid-configuration', browserCors, (_req, res) => {
    const iss = issuer();
    res.json({
      issuer: iss,
      authorization_endpoint: `${iss}${OPENID}/auth`,
      token_endpoint: `${iss}${OPENID}/token`,
      jwks_uri: `${iss}${OPENID}/certs`,
      end_session_endpoint: `${iss}${OPENID}/logout`,
      grant_types_supported: GRANT_TYPES,
      response_types_supported: ['code'],
      response_modes_supported: ['query', 'fragment'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid', 'profile', 'email'],
      claims_supported: [
        'iss',
        'sub',
        'aud',
        'exp',
        'iat',
        'auth_time',
        'nonce',
        'azp',
        'sid',
        'preferred_username',
        'name',
        'realm_access',
        'county',
        'org_path',
        'firm_id',
        'member_id',
      ],
      frontchannel_logout_supported: false,
      backchannel_logout_supported: false,
      request_parameter_supported: false,
      request_uri_parameter_supported: false,
      authorization_response_iss_parameter_supported: true,
    });
  });
  router.get(`${OPENID}/certs`, browserCors, (_req, res) => {
    res.set('Cache-Control', 'no-cache').json(keys.jwks());
  });
  const limited = opts.tokenLimiter ? [opts.tokenLimiter] : [];
  router.options(`${OPENID}/token`, browserCors);
  router.post(`${OPENID}/token`, browserCors, ...limited, formParser, token);
  router.get(`${OPENID}/auth`, browser.authorize);
  router.post(`${OPENID}/auth`, ...limited, formParser, browser.login);
  router.get(`${OPENID}/logout`, browser.logout);
  router.post(`${OPENID}/logout`, formParser, browser.logout);
  return { realm, keys, router, issuer, tokenUrl };
}

/** client_secret_basic wins over client_secret_post, as in Keycloak. */
function clientCredentialsOf(req: Request, form: Form): { clientId?: string; secret?: string } {
  const header = req.headers.authorization;
  if (header && /^Basic /i.test(header)) {
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 1)
      throw new OAuthError(401, 'invalid_client', 'Invalid client or Invalid client credentials');
    try {
      return {
        clientId: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')),
        secret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' ')),
      };
    } catch {
      throw new OAuthError(401, 'invalid_client', 'Invalid client or Invalid client credentials');
    }
  }
  return {
    ...(form.client_id ? { clientId: form.client_id } : {}),
    ...(form.client_secret !== undefined ? { secret: form.client_secret } : {}),
  };
}

function scopeClaims(user: DemoUser): Record<string, string> {
  return {
    ...(user.county ? { county: user.county } : {}),
    ...(user.orgPath ? { org_path: user.orgPath } : {}),
    ...(user.firmId ? { firm_id: user.firmId } : {}),
    ...(user.memberId ? { member_id: user.memberId } : {}),
  };
}
