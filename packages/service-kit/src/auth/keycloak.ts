/**
 * Token verification with keycloak-connect (bearer-only).
 *
 * keycloak-connect is deprecated upstream, so this is the only module that
 * imports it: everything else sees the `Authenticator` interface and can be
 * moved to another verifier by replacing this file.
 *
 * What keycloak-connect checks (GrantManager.createGrant → validateToken):
 * not expired, signed, `typ` = Bearer, `iss` = the realm URL, `aud` contains
 * the resource (`verify-token-audience`), and the RS256 signature, with the
 * key found by `kid` in the realm's JWKS (Rotation.getJWK: a kid it has not
 * seen triggers a fresh JWKS fetch, at most once per
 * `min-time-between-jwks-requests` seconds) or the configured realm public key.
 *
 * What it does not check, and is checked here first: a token without `exp`
 * (keycloak-connect treats it as never expiring), `iat` and `nbf` in the
 * future (beyond the clock-skew allowance), the `alg` header (it never reads
 * it), and malformed input. Its JWKS transport is replaced by one with a
 * timeout that cannot crash the process on a non-JSON answer, and which can
 * fetch keys from an internal URL while `iss` is the public one.
 */
import KeycloakConnect from 'keycloak-connect';
import type { Request } from 'express';
import { HttpProblem } from '../problem.js';
import { principalFromClaims, type Authenticator, type Principal } from './principal.js';
import { identityUnavailable, invalidToken, missingToken } from './problems.js';

export interface KeycloakAuthenticatorOptions {
  /**
   * Base URL the realm is served from (Keycloak, or the gateway in embedded
   * mode), e.g. `http://keycloak:8080`; keys are fetched from
   * `<serverUrl>/realms/<realm>/protocol/openid-connect/certs`. A function is
   * read on first use, for a URL only known once a server listens.
   */
  serverUrl: string | (() => string);
  /** Realm name. Default `honglian`. */
  realm?: string;
  /** Required `aud` (the bearer-only client). Default `honglian-gateway`. */
  audience?: string;
  /**
   * Expected `iss` when clients reach the realm at another URL than this
   * process does (e.g. `http://localhost:8180/realms/honglian` while keys come
   * from `http://keycloak:8080`). Default `<serverUrl>/realms/<realm>`.
   */
  issuer?: string | (() => string);
  /** The realm's RSA public key (base64 DER as Keycloak shows it, or PEM): no JWKS fetch, no rotation. */
  realmPublicKey?: string;
  /** Least time between two JWKS fetches caused by unknown key ids. Default 10 s (keycloak-connect's). */
  jwksMinIntervalSeconds?: number;
  /**
   * Keys are fetched again once the last fetch is this old, and a key the realm no longer
   * publishes is refused from then on (keycloak-connect alone would trust a retired key it has
   * cached for the life of the process). Default 300 s.
   */
  jwksMaxAgeSeconds?: number;
  /** Longest wait for the realm's keys before answering 503. Default 5000 ms. */
  timeoutMs?: number;
  /** How far in the future `iat` and `nbf` may be (clocks of issuer and verifier differ). Default 60 s. */
  clockSkewSeconds?: number;
}

/** The parts of keycloak-connect's runtime objects this module uses (its typings omit them). */
interface KcToken {
  header?: { kid?: string };
  content: Record<string, unknown>;
}
interface KcRotation {
  retrieveJWKs?: () => Promise<unknown>;
  getJWK?: (kid: string) => Promise<string>;
  /** keycloak-connect's key cache and the time of its last fetch (seconds). */
  jwks?: unknown[];
  lastTimeRequesTime?: number;
}
interface KcGrantManager {
  createGrant(data: string): Promise<{ access_token?: KcToken }>;
  rotation?: KcRotation;
}

const MAX_TOKEN_LENGTH = 16 * 1024;
export const DEFAULT_CLOCK_SKEW_SECONDS = 60;
const B64URL = /^[A-Za-z0-9_-]+$/;
/**
 * Tokens this process has verified, by verifier (where its keys come from, `iss`, `aud`) and
 * token: the gateway and each in-process service share the entries, so a request's token is
 * verified (RS256) once per process rather than at every hop. Expiry (and `iat`/`nbf`) and the
 * key's presence in the realm's JWKS are still checked on every use, so a token expires on
 * time and one signed by a key the realm stopped publishing is refused from the next JWKS
 * refresh on. Bounded: the oldest entries go first.
 */
interface VerifiedToken {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  principal: Principal;
}
const verifiedTokens = new Map<string, VerifiedToken>();
const MAX_VERIFIED_TOKENS = 5000;

function rememberVerified(key: string, entry: VerifiedToken): void {
  if (verifiedTokens.size >= MAX_VERIFIED_TOKENS) {
    // Expired entries first, then the oldest down to 90 %, so the scan is paid once per 500 inserts.
    const now = Date.now() / 1000;
    for (const [k, v] of verifiedTokens) if ((v.payload.exp as number) <= now) verifiedTokens.delete(k);
    for (const k of verifiedTokens.keys()) {
      if (verifiedTokens.size < MAX_VERIFIED_TOKENS * 0.9) break;
      verifiedTokens.delete(k);
    }
  }
  verifiedTokens.set(key, entry);
}

const NETWORK_FAILURE =
  /Error fetching JWK Keys|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ECONNRESET|socket hang up|aborted|timeout|fetch failed/i;

/** Builds an Authenticator that verifies bearer tokens of a Keycloak (compatible) realm. */
export function createKeycloakAuthenticator(opts: KeycloakAuthenticatorOptions): Authenticator {
  const realm = opts.realm ?? 'honglian';
  const audience = opts.audience ?? 'honglian-gateway';
  const timeoutMs = opts.timeoutMs ?? 5000;
  const clockSkew = opts.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS;
  const minInterval = Math.max(opts.jwksMinIntervalSeconds ?? 10, 1e-6);
  const maxAge = Math.max(opts.jwksMaxAgeSeconds ?? 300, minInterval);
  let manager: KcGrantManager | undefined;
  /** Who this verifier trusts, as the key of its entries in `verifiedTokens`; set with the manager. */
  let verifier = '';
  /** What the last successful JWKS fetch published, to refuse unknown kids quietly between fetches. */
  const published = { kids: new Set<string>(), at: 0 };

  const managerOf = (): KcGrantManager => {
    if (manager) return manager;
    let serverUrl: string;
    let issuer: string;
    try {
      serverUrl = trimSlash(typeof opts.serverUrl === 'function' ? opts.serverUrl() : opts.serverUrl);
      const given = typeof opts.issuer === 'function' ? opts.issuer() : opts.issuer;
      issuer = trimSlash(given ?? `${serverUrl}/realms/${realm}`);
    } catch {
      throw identityUnavailable('The identity provider is not ready yet; try again shortly.');
    }
    const suffix = `/realms/${realm}`;
    if (!issuer.endsWith(suffix)) throw new Error(`issuer ${issuer} does not end with ${suffix}`);
    const keycloak = new KeycloakConnect({}, {
      realm,
      // keycloak-connect compares `iss` with `<auth-server-url>/realms/<realm>`.
      'auth-server-url': issuer.slice(0, -suffix.length),
      resource: audience,
      'bearer-only': true,
      'verify-token-audience': true,
      'ssl-required': 'external',
      'confidential-port': 0,
      ...(opts.realmPublicKey ? { 'realm-public-key': bareKey(opts.realmPublicKey) } : {}),
      // keycloak-connect reads 0 as "unset" (10 s); a tiny positive value means "no wait".
      'min-time-between-jwks-requests': minInterval,
    } as KeycloakConnect.KeycloakConfig);
    const built = keycloak.grantManager as unknown as KcGrantManager;
    const jwksUrl = `${serverUrl}${suffix}/protocol/openid-connect/certs`;
    if (built.rotation && typeof built.rotation.retrieveJWKs === 'function') {
      built.rotation.retrieveJWKs = async () => {
        const jwks = await fetchJwks(jwksUrl, timeoutMs);
        published.kids = new Set(jwks.keys.map((k) => (isObject(k) ? String(k.kid) : '')));
        published.at = Date.now() / 1000;
        return jwks;
      };
    }
    const rotation = built.rotation;
    if (rotation && typeof rotation.getJWK === 'function') {
      // keycloak-connect converts the JWK to PEM (ASN.1 in JS) on every verification: keep the
      // PEM per kid for as long as the key set it came from is the current one.
      const getJWK = rotation.getJWK.bind(rotation);
      const pems = new Map<string, Promise<string>>();
      let pemsOf: unknown[] | undefined;
      rotation.getJWK = (kid: string) => {
        const keys = rotation.jwks;
        if (keys !== pemsOf) {
          pems.clear();
          pemsOf = keys;
        }
        const known = keys?.some((k) => isObject(k) && k.kid === kid);
        if (!known) return getJWK(kid);
        let pem = pems.get(kid);
        if (!pem) {
          pem = getJWK(kid);
          pems.set(kid, pem);
          pem.catch(() => pems.delete(kid));
        }
        return pem;
      };
    }
    verifier = [jwksUrl, issuer, audience, opts.realmPublicKey ?? ''].join('\n');
    manager = built;
    return built;
  };

  /** Fetches the JWKS now (one fetch at a time) and hands the keys to keycloak-connect's cache. */
  let refreshing: Promise<void> | undefined;
  const refreshKeys = (): Promise<void> =>
    (refreshing ??= (async () => {
      const rotation = managerOf().rotation;
      if (!rotation?.retrieveJWKs) return;
      const jwks = (await rotation.retrieveJWKs()) as { keys: unknown[] };
      rotation.jwks = jwks.keys;
      rotation.lastTimeRequesTime = Date.now() / 1000;
    })().finally(() => (refreshing = undefined)));

  /** Refuses keys the realm no longer (or never) publishes, refreshing what it publishes when due. */
  const checkPublished = async (kid: string): Promise<void> => {
    if (opts.realmPublicKey || published.at === 0) return; // no JWKS, or keycloak-connect fetches first
    const age = () => Date.now() / 1000 - published.at;
    if (age() >= maxAge || (!published.kids.has(kid) && age() >= minInterval)) {
      try {
        await withTimeout(refreshKeys(), timeoutMs);
      } catch (err) {
        // A realm that cannot be reached keeps the keys it last published (the next request
        // retries); a key it never published cannot be checked then: 503, as on the first fetch.
        if (!published.kids.has(kid)) throw problemOf(err);
      }
    }
    if (!published.kids.has(kid)) {
      throw invalidToken('The access token is signed with a key the realm does not publish.');
    }
  };

  // With static URLs, configuration mistakes surface now rather than on the first request.
  if (typeof opts.serverUrl === 'string' && typeof opts.issuer !== 'function') managerOf();

  return {
    async authenticate(req: Request): Promise<Principal> {
      const token = bearerToken(req);
      // Entries are only trusted once this verifier knows what the realm publishes (or has a
      // static key): before that, the full path below fetches the keys.
      const known = manager && (opts.realmPublicKey || published.at > 0);
      const cacheKey = known ? `${verifier}\n${token}` : '';
      const cached = known ? verifiedTokens.get(cacheKey) : undefined;
      const { header, payload } = cached ?? decode(token);
      precheck(header, payload, clockSkew);
      // keycloak-connect refetches the JWKS for an unknown kid at most once per interval and
      // logs to the console each time it declines, and trusts a cached key forever: keys are
      // checked against what the realm publishes here instead.
      await checkPublished(typeof header.kid === 'string' ? header.kid : '');
      if (cached) return { ...cached.principal, roles: [...cached.principal.roles] };
      let content: Record<string, unknown>;
      try {
        const grant = await withTimeout(
          managerOf().createGrant(JSON.stringify({ access_token: token, token_type: 'Bearer' })),
          timeoutMs,
        );
        content = grant.access_token?.content ?? {};
      } catch (err) {
        throw problemOf(err);
      }
      const principal = principalFromClaims(content);
      if (!principal) throw invalidToken('The access token has no subject (sub).');
      if (verifier) {
        rememberVerified(`${verifier}\n${token}`, { header, payload, principal });
      }
      return { ...principal, roles: [...principal.roles] };
    },
  };
}

function bearerToken(req: Request): string {
  const header = req.headers.authorization;
  if (!header) throw missingToken();
  const match = /^Bearer +(\S+) *$/i.exec(header);
  if (!match) throw missingToken('The Authorization header must be "Bearer <access token>".');
  return match[1]!;
}

function decode(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const parts = token.split('.');
  const malformed = () => missingToken('The bearer token is not a JSON Web Token.');
  if (token.length > MAX_TOKEN_LENGTH || parts.length !== 3) throw malformed();
  const [h, p, s] = parts as [string, string, string];
  if (!B64URL.test(h) || !B64URL.test(p) || (s !== '' && !B64URL.test(s))) throw malformed();
  try {
    const header: unknown = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    const payload: unknown = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
    if (!isObject(header) || !isObject(payload)) throw malformed();
    if (s === '' && header.alg !== 'none') throw malformed();
    return { header, payload };
  } catch (err) {
    if (err instanceof HttpProblem) throw err;
    throw malformed();
  }
}

function precheck(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  clockSkew: number,
): void {
  if (typeof header.alg !== 'string' || header.alg.toLowerCase() === 'none') {
    throw invalidToken('Unsigned tokens are not accepted.');
  }
  if (header.alg !== 'RS256') throw invalidToken(`Tokens signed with ${header.alg} are not accepted.`);
  if (typeof payload.exp !== 'number' || !Number.isFinite(payload.exp)) {
    throw invalidToken('The access token has no expiry (exp).');
  }
  const now = Date.now() / 1000;
  if (payload.exp <= now) throw invalidToken('The access token has expired.');
  // A token minted "in the future" would outlive its intended lifetime (or comes from a
  // misconfigured or compromised issuer); keycloak-connect checks neither claim.
  for (const claim of ['iat', 'nbf'] as const) {
    const value = payload[claim];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw invalidToken(`The access token's ${claim} is not a NumericDate.`);
    }
    if (value > now + clockSkew) {
      throw invalidToken(
        claim === 'iat'
          ? 'The access token was issued in the future (iat).'
          : 'The access token is not valid yet (nbf).',
      );
    }
  }
}

/** keycloak-connect rejects with plain Errors; their messages say why. */
function problemOf(err: unknown): HttpProblem {
  if (err instanceof HttpProblem) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (/wrong ISS/.test(message))
    return invalidToken('The access token was issued by another identity provider.');
  if (/wrong audience/.test(message))
    return invalidToken('The access token is not meant for this API (aud).');
  if (/expired/.test(message)) return invalidToken('The access token has expired.');
  if (/wrong type/.test(message)) return invalidToken('The token is not an access token (typ).');
  if (/stale token/.test(message))
    return invalidToken('The access token was issued before the realm’s not-before time.');
  if (/signature/.test(message)) return invalidToken('The access token signature does not verify.');
  if (/failed to load public key/.test(message)) {
    if (NETWORK_FAILURE.test(message)) return identityUnavailable();
    return invalidToken('The access token is signed with a key the realm does not publish.');
  }
  if (/identity provider timeout/.test(message)) return identityUnavailable();
  return invalidToken();
}

async function fetchJwks(url: string, timeoutMs: number): Promise<{ keys: unknown[] }> {
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new Error(`Error fetching JWK Keys from ${url}: ${(err as Error).message}`);
  }
  if (!res.ok) throw new Error(`Error fetching JWK Keys from ${url}: HTTP ${res.status}`);
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw new Error(`Error fetching JWK Keys from ${url}: the answer is not JSON`);
  }
  if (!isObject(body) || !Array.isArray(body.keys)) {
    throw new Error(`Error fetching JWK Keys from ${url}: the answer has no "keys"`);
  }
  return { keys: body.keys };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('identity provider timeout')), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** keycloak-connect wants the bare base64 of the key; accept a PEM too. */
function bareKey(key: string): string {
  return key.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, '').replace(/\s+/g, '');
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
