import { createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import {
  SigningKeyRing,
  createKeycloakAuthenticator,
  type Authenticator,
  type KeycloakAuthenticatorOptions,
} from '@honglian/service-kit';

/** Who a test token is for; every field is optional. */
export interface TestUser {
  /** `sub`; default a fresh UUID. */
  sub?: string;
  username?: string;
  name?: string;
  /** `realm_access.roles`; strings so tests can include roles Honglian does not know. */
  roles?: string[];
  county?: string;
  orgPath?: string;
  firmId?: string;
  memberId?: string;
  /** `azp`; default `honglian-web`. */
  clientId?: string;
}

export interface MintOptions {
  /** Seconds until `exp`; negative for a token that has already expired. Default 300. */
  expiresIn?: number;
  /** Leave `exp` out: such a token must be refused. */
  noExp?: boolean;
  /** Claims to add or override, e.g. `{ iss: 'http://elsewhere/realms/honglian' }` or `{ aud: 'other' }`. */
  claims?: Record<string, unknown>;
  /** Sign with a key the issuer does not publish, under a kid it does (a forged signature). */
  foreignKey?: boolean;
  /** No signature at all: header `alg: none`. */
  unsigned?: boolean;
  /** Sign with this published key instead of the current one. */
  kid?: string;
}

/**
 * A Keycloak-like token issuer for tests: serves the realm's JWKS and
 * discovery document over HTTP, so services verify its tokens exactly as
 * they verify Keycloak's (keycloak-connect, keys by kid), and mints valid or
 * deliberately broken tokens.
 */
export interface TestIssuer {
  /** Base URL the realm is served from (what KEYCLOAK_URL would be). */
  url: string;
  realm: string;
  /** `<url>/realms/<realm>`: the `iss` of its tokens. */
  issuer: string;
  audience: string;
  jwksUrl: string;
  keys: SigningKeyRing;
  /** How many times the JWKS was fetched. */
  readonly jwksRequests: number;
  /** The claims Keycloak would put in an access token for this user. */
  claimsFor(user?: TestUser, opts?: MintOptions): Record<string, unknown>;
  /** A signed access token (or a broken one, see MintOptions). */
  token(user?: TestUser, opts?: MintOptions): Promise<string>;
  /** An Authenticator trusting this issuer; JWKS refetches are not throttled unless said. */
  authenticator(overrides?: Partial<KeycloakAuthenticatorOptions>): Authenticator;
  close(): Promise<void>;
}

export const DEFAULT_TEST_AUDIENCE = 'honglian-gateway';

/** A bearer value that is not a JSON Web Token at all. */
export const GARBAGE_TOKEN = 'garbage';

/** The Authorization header for a token. */
export function bearer(token: string): { Authorization: string } {
  return { Authorization: `Bearer ${token}` };
}

/** Typical callers, one per role, in two counties (黄岩区 331003, 椒江区 331002). */
export const TEST_USERS = {
  cityAdmin: { username: 'city-admin', roles: ['city-admin'], orgPath: '/331000' },
  countyAdmin331003: {
    username: 'county-admin-331003',
    roles: ['county-admin'],
    county: '331003',
    orgPath: '/331000/331003',
  },
  countyAdmin331002: {
    username: 'county-admin-331002',
    roles: ['county-admin'],
    county: '331002',
    orgPath: '/331000/331002',
  },
  staff331003: {
    username: 'staff-331003',
    roles: ['community-staff'],
    county: '331003',
    orgPath: '/331000/331003/st-1/cm-1',
  },
  member331003: { username: 'member-331003', roles: ['member'], county: '331003', memberId: 'm-331003-1' },
  firm331003: { username: 'firm-331003', roles: ['property-firm'], county: '331003', firmId: 'f-331003-1' },
  resident331003: { username: 'resident-331003', roles: ['resident'], county: '331003' },
  apiConsumer: {
    username: 'service-account-api-consumer-test',
    roles: ['api-consumer'],
    clientId: 'api-consumer-test',
  },
  /** A valid token with no Honglian role (only Keycloak's defaults). */
  noRole: { username: 'nobody', roles: ['default-roles-honglian', 'offline_access'] },
} as const satisfies Record<string, TestUser>;

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Starts a test issuer on a free loopback port. */
export async function startTestIssuer(opts: { realm?: string; audience?: string } = {}): Promise<TestIssuer> {
  const realm = opts.realm ?? 'honglian';
  const audience = opts.audience ?? DEFAULT_TEST_AUDIENCE;
  const keys = new SigningKeyRing();
  let jwksRequests = 0;
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.method === 'GET' && path === `/realms/${realm}/protocol/openid-connect/certs`) {
      jwksRequests += 1;
      return send(200, keys.jwks());
    }
    if (req.method === 'GET' && path === `/realms/${realm}/.well-known/openid-configuration`) {
      return send(200, {
        issuer,
        jwks_uri: `${issuer}/protocol/openid-connect/certs`,
        token_endpoint: `${issuer}/protocol/openid-connect/token`,
      });
    }
    send(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = `${url}/realms/${realm}`;

  const claimsFor = (user: TestUser = {}, mint: MintOptions = {}): Record<string, unknown> => {
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = {
      iat: now,
      ...(mint.noExp ? {} : { exp: now + (mint.expiresIn ?? 300) }),
      jti: randomUUID(),
      iss: issuer,
      aud: audience,
      sub: user.sub ?? randomUUID(),
      typ: 'Bearer',
      azp: user.clientId ?? 'honglian-web',
      preferred_username: user.username ?? 'test-user',
      ...(user.name ? { name: user.name } : {}),
      realm_access: { roles: [...(user.roles ?? [])] },
      ...(user.county ? { county: user.county } : {}),
      ...(user.orgPath ? { org_path: user.orgPath } : {}),
      ...(user.firmId ? { firm_id: user.firmId } : {}),
      ...(user.memberId ? { member_id: user.memberId } : {}),
      ...mint.claims,
    };
    return claims;
  };

  return {
    url,
    realm,
    issuer,
    audience,
    jwksUrl: `${issuer}/protocol/openid-connect/certs`,
    keys,
    get jwksRequests() {
      return jwksRequests;
    },
    claimsFor,
    async token(user = {}, mint = {}) {
      const claims = claimsFor(user, mint);
      if (mint.unsigned) return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
      if (mint.foreignKey) {
        const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
        return new SignJWT(claims)
          .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: keys.currentKid })
          .sign(privateKey);
      }
      return keys.sign(claims, mint.kid ? { kid: mint.kid } : {});
    },
    authenticator(overrides = {}) {
      return createKeycloakAuthenticator({
        serverUrl: url,
        realm,
        audience,
        jwksMinIntervalSeconds: 0,
        ...overrides,
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A token every service must refuse with 401, and the `WWW-Authenticate` challenge it must get. */
export interface BrokenToken {
  name: string;
  /** undefined: no Authorization header at all. */
  token: string | undefined;
  challenge: 'Bearer' | 'Bearer error="invalid_token"';
}

/**
 * The token matrix (issue "proof suite", item 5): no token, garbage, `alg: none`, HS256 signed
 * with the realm's public key (the algorithm-confusion attack), expired, no `exp`, wrong issuer,
 * wrong audience, a forged signature, and a key id the realm does not publish. All for `user`,
 * who would be let in with a valid token.
 */
export async function brokenTokens(issuer: TestIssuer, user: TestUser): Promise<BrokenToken[]> {
  const invalid = 'Bearer error="invalid_token"' as const;
  const claims = issuer.claimsFor(user);
  const jwk = issuer.keys.jwks().keys.find((k) => k.kid === issuer.keys.currentKid)!;
  const publicPem = createPublicKey({ key: { ...jwk }, format: 'jwk' })
    .export({ type: 'spki', format: 'pem' })
    .toString();
  const hs256 = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: issuer.keys.currentKid })
    .sign(new TextEncoder().encode(publicPem));
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const unknownKid = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: `unknown-${randomUUID()}` })
    .sign(privateKey);
  return [
    { name: 'no token', token: undefined, challenge: 'Bearer' },
    { name: 'garbage', token: GARBAGE_TOKEN, challenge: 'Bearer' },
    { name: 'alg none', token: await issuer.token(user, { unsigned: true }), challenge: invalid },
    { name: 'HS256 with the public key', token: hs256, challenge: invalid },
    { name: 'expired', token: await issuer.token(user, { expiresIn: -60 }), challenge: invalid },
    { name: 'no exp', token: await issuer.token(user, { noExp: true }), challenge: invalid },
    {
      name: 'wrong issuer',
      token: await issuer.token(user, { claims: { iss: 'http://evil.example/realms/honglian' } }),
      challenge: invalid,
    },
    {
      name: 'wrong audience',
      token: await issuer.token(user, { claims: { aud: 'account' } }),
      challenge: invalid,
    },
    { name: 'forged signature', token: await issuer.token(user, { foreignKey: true }), challenge: invalid },
    { name: 'unknown key id', token: unknownKid, challenge: invalid },
  ];
}
