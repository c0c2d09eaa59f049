import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { SigningKeyRing } from '@honglian/service-kit';
import {
  DEMO_DIRECTORY,
  DEMO_PASSWORD,
  DEMO_WEB_CLIENT_ID,
  type DemoClient,
  type DemoUser,
} from '@honglian/contracts';

/**
 * The development identity provider of the embedded run: Keycloak's token,
 * JWKS and discovery endpoints for realm `honglian`, with the demo users.
 * Services verify its tokens with keycloak-connect through the JWKS exactly as
 * they verify a real Keycloak's. It refuses to exist under NODE_ENV=production.
 *
 * Supported: `password` (client `honglian-web`) and `client_credentials`
 * (confidential demo clients, secret in the body or HTTP Basic). Not
 * supported: browser login (authorization code), refresh tokens, id tokens,
 * userinfo, logout.
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
  /** Refuses to start when `production`. Default process.env.NODE_ENV. */
  nodeEnv?: string;
  users?: readonly DemoUser[];
  clients?: readonly DemoClient[];
  password?: string;
  /** Runs before the token endpoint (the gateway's per-IP rate limit). */
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

class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
  }
}

export function createDevIdentityProvider(opts: DevIdentityOptions): DevIdentityProvider {
  if ((opts.nodeEnv ?? process.env.NODE_ENV) === 'production') throw new DevIdentityRefused();
  const realm = opts.realm ?? 'honglian';
  const audience = opts.audience ?? 'honglian-gateway';
  const keys = opts.keys ?? new SigningKeyRing();
  const ttl = opts.tokenTtlSeconds ?? 900;
  const users = opts.users ?? DEMO_DIRECTORY.users;
  const clients = opts.clients ?? DEMO_DIRECTORY.clients;
  const password = opts.password ?? DEMO_PASSWORD;
  const issuer = () => {
    const base = typeof opts.publicUrl === 'function' ? opts.publicUrl() : opts.publicUrl;
    return `${base.replace(/\/+$/, '')}/realms/${realm}`;
  };
  const tokenUrl = () => `${issuer()}/protocol/openid-connect/token`;

  const issue = async (claims: Record<string, unknown>, res: Response) => {
    const now = Math.floor(Date.now() / 1000);
    const token = await keys.sign({
      exp: now + ttl,
      iat: now,
      jti: randomUUID(),
      iss: issuer(),
      aud: audience,
      typ: 'Bearer',
      scope: SCOPE,
      ...claims,
    });
    res.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' }).json({
      access_token: token,
      expires_in: ttl,
      refresh_expires_in: 0,
      token_type: 'Bearer',
      'not-before-policy': 0,
      scope: SCOPE,
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
    await issue(
      {
        sub: found.subject,
        azp: clientId,
        sid: randomUUID(),
        preferred_username: found.username,
        name: found.name,
        realm_access: { roles: [...DEFAULT_ROLES, ...found.roles] },
        ...scopeClaims(found),
      },
      res,
    );
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

  const token: RequestHandler = async (req, res) => {
    try {
      const form = formOf(req);
      const grantType = form.grant_type;
      if (!grantType) throw new OAuthError(400, 'invalid_request', 'Missing form parameter: grant_type');
      if (grantType !== 'password' && grantType !== 'client_credentials') {
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
        return await passwordGrant(clientId, form, res);
      }
      const client = clients.find((c) => c.clientId === clientId);
      if (!client || secret === undefined || !sameSecret(secret, client.secret)) {
        throw new OAuthError(401, 'invalid_client', 'Invalid client or Invalid client credentials');
      }
      if (grantType === 'password') return await passwordGrant(clientId, form, res);
      return await clientCredentialsGrant(client, res);
    } catch (err) {
      if (!(err instanceof OAuthError)) throw err;
      if (err.status === 401 && err.error === 'invalid_client' && req.headers.authorization) {
        res.set('WWW-Authenticate', `Basic realm="${realm}"`);
      }
      res
        .status(err.status)
        .set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' })
        .json({ error: err.error, error_description: err.description });
    }
  };

  const router = express.Router();
  router.get('/.well-known/openid-configuration', (_req, res) => {
    const iss = issuer();
    res.json({
      issuer: iss,
      token_endpoint: `${iss}/protocol/openid-connect/token`,
      jwks_uri: `${iss}/protocol/openid-connect/certs`,
      grant_types_supported: ['password', 'client_credentials'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      response_types_supported: ['token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid', 'profile', 'email'],
      claims_supported: [
        'iss',
        'sub',
        'aud',
        'exp',
        'iat',
        'azp',
        'preferred_username',
        'name',
        'realm_access',
        'county',
        'org_path',
        'firm_id',
        'member_id',
      ],
    });
  });
  router.get('/protocol/openid-connect/certs', (_req, res) => {
    res.set('Cache-Control', 'no-cache').json(keys.jwks());
  });
  router.post(
    '/protocol/openid-connect/token',
    ...(opts.tokenLimiter ? [opts.tokenLimiter] : []),
    formParser,
    token,
  );
  return { realm, keys, router, issuer, tokenUrl };
}

const urlencoded = express.urlencoded({
  extended: false,
  limit: '16kb',
  parameterLimit: 50,
}) as RequestHandler;

/** The form parser, answering "too many parameters" as an OAuth error (the error handler would see a 500). */
const formParser: RequestHandler = (req, res, next) =>
  urlencoded(req, res, (err?: unknown) => {
    if ((err as { type?: unknown } | undefined)?.type === 'parameters.too.many') {
      res
        .status(400)
        .set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' })
        .json({ error: 'invalid_request', error_description: 'Too many form parameters' });
      return;
    }
    next(err);
  });

type Form = Partial<Record<string, string>>;

function formOf(req: Request): Form {
  if (!req.is('application/x-www-form-urlencoded')) {
    throw new OAuthError(400, 'invalid_request', 'The body must be application/x-www-form-urlencoded');
  }
  const body = (req.body ?? {}) as Record<string, unknown>;
  const form: Form = {};
  for (const [key, value] of Object.entries(body)) {
    if (typeof value !== 'string')
      throw new OAuthError(400, 'invalid_request', `Duplicated parameter: ${key}`);
    form[key] = value;
  }
  return form;
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

/** Compares secrets in constant time (over their digests, so lengths do not leak either). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
