/**
 * Tokens from a real Keycloak with deploy/keycloak/realm-honglian.json imported (`npm run
 * stack:up`, or the compose stack), for tests that run when KEYCLOAK_URL is set.
 */

/** Every demo user's password in the shipped realm. */
export const DEMO_PASSWORD = 'honglian-demo';

/**
 * A variable a real-server test needs, or null after telling why the test is skipped — on stderr
 * too, since jest hides the console output of suites that only skip. REAL_SERVERS_UNAVAILABLE
 * (set by .ci/run where java or mvn is missing) says why the real servers are not there.
 */
export function requireRealServer(variable: string, suite: string): string | null {
  const value = process.env[variable]?.trim();
  if (value) return value;
  const why = process.env.REAL_SERVERS_UNAVAILABLE;
  const reason =
    `${suite} skipped: ${variable} not set` +
    (why ? ` (no real servers: ${why})` : ' (start the real servers with `npm run stack:up`)');
  // eslint-disable-next-line no-console -- the visible reason of a skipped real-server test
  console.warn(reason);
  process.stderr.write(`\n${reason}\n`);
  return null;
}

interface TokenResponse {
  access_token: string;
}

/**
 * A demo user's access token from the suite's identity provider behind `gatewayUrl` (the
 * development one the gateway serves, or Keycloak's realm at the same path): password grant of
 * the web client.
 */
export async function demoToken(gatewayUrl: string, username: string): Promise<string> {
  const grant = await fetch(`${gatewayUrl}/realms/honglian/protocol/openid-connect/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: 'honglian-web',
      username,
      password: DEMO_PASSWORD,
    }),
  });
  if (grant.status !== 200)
    throw new Error(`no token for ${username}: ${grant.status} ${await grant.text()}`);
  return ((await grant.json()) as TokenResponse).access_token;
}

export interface KeycloakTokens {
  /** `<url>/realms/honglian`. */
  realmUrl: string;
  /** The issuer Keycloak puts in the realm's tokens (its hostname setting, not necessarily `url`). */
  issuer(): Promise<string>;
  /** A demo user's token: password grant of the public client honglian-web. */
  user(username: string): Promise<string>;
  /** The example outside system's token: client_credentials of api-consumer-demo. */
  apiConsumer(): Promise<string>;
  /** A token of this realm for another audience: admin-cli's, which carries no `aud: honglian-gateway`. */
  wrongAudience(username: string): Promise<string>;
  /** A token signed with another realm's key: the master realm's administrator's. */
  otherRealm(): Promise<string>;
  /**
   * A user's token that has expired: issued by a test client whose access tokens live one second
   * (created through the admin API on first use), returned once its `exp` has passed.
   */
  expired(username: string): Promise<string>;
}

const SHORT_LIVED_CLIENT = 'honglian-test-short-lived';

async function post(url: string, fields: Record<string, string>): Promise<string> {
  const res = await fetch(url, { method: 'POST', body: new URLSearchParams(fields) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`token request to ${url} answered ${res.status}: ${text}`);
  return (JSON.parse(text) as TokenResponse).access_token;
}

export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

/**
 * Token makers for the realm `honglian` at `url`. The administrator of the master realm (for the
 * other-realm token and the short-lived client) is `admin` with KEYCLOAK_ADMIN_PASSWORD, default
 * `change-me` — what `npm run stack:up` and docker-compose.yml bootstrap.
 */
export function keycloakTokens(url: string): KeycloakTokens {
  const base = url.replace(/\/+$/, '');
  const realmUrl = `${base}/realms/honglian`;
  const tokenUrl = `${realmUrl}/protocol/openid-connect/token`;
  const admin = () =>
    post(`${base}/realms/master/protocol/openid-connect/token`, {
      grant_type: 'password',
      client_id: 'admin-cli',
      username: process.env.KEYCLOAK_ADMIN_USERNAME ?? 'admin',
      password: process.env.KEYCLOAK_ADMIN_PASSWORD ?? 'change-me',
    });
  let shortLived: Promise<void> | null = null;
  const ensureShortLivedClient = () =>
    (shortLived ??= (async () => {
      const auth = { authorization: `Bearer ${await admin()}` };
      const clients = `${base}/admin/realms/honglian/clients`;
      const existing = (await (
        await fetch(`${clients}?clientId=${SHORT_LIVED_CLIENT}`, { headers: auth })
      ).json()) as unknown[];
      if (existing.length > 0) return;
      // The same claims as honglian-web (scope attributes, audience), only shorter-lived.
      const [web] = (await (await fetch(`${clients}?clientId=honglian-web`, { headers: auth })).json()) as {
        protocolMappers?: Record<string, unknown>[];
      }[];
      const res = await fetch(clients, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({
          clientId: SHORT_LIVED_CLIENT,
          name: 'Test client with one-second access tokens',
          publicClient: true,
          standardFlowEnabled: false,
          directAccessGrantsEnabled: true,
          fullScopeAllowed: true,
          attributes: { 'access.token.lifespan': '1' },
          protocolMappers: (web?.protocolMappers ?? []).map(({ id: _id, ...mapper }) => mapper),
        }),
      });
      if (res.status !== 201 && res.status !== 409) {
        throw new Error(
          `could not create the client ${SHORT_LIVED_CLIENT}: ${res.status} ${await res.text()}`,
        );
      }
    })().catch((error: unknown) => {
      shortLived = null;
      throw error;
    }));

  return {
    realmUrl,
    async issuer() {
      const res = await fetch(`${realmUrl}/.well-known/openid-configuration`);
      return ((await res.json()) as { issuer: string }).issuer;
    },
    user: (username) =>
      post(tokenUrl, {
        grant_type: 'password',
        client_id: 'honglian-web',
        username,
        password: DEMO_PASSWORD,
      }),
    apiConsumer: () =>
      post(tokenUrl, {
        grant_type: 'client_credentials',
        client_id: 'api-consumer-demo',
        client_secret: 'honglian-demo-secret',
      }),
    wrongAudience: (username) =>
      post(tokenUrl, { grant_type: 'password', client_id: 'admin-cli', username, password: DEMO_PASSWORD }),
    otherRealm: admin,
    async expired(username) {
      await ensureShortLivedClient();
      const token = await post(tokenUrl, {
        grant_type: 'password',
        client_id: SHORT_LIVED_CLIENT,
        username,
        password: DEMO_PASSWORD,
      });
      // Wait for the token's own expiry (plus a second of margin), whatever the machine's speed.
      const exp = claimsOf(token).exp as number;
      const wait = exp * 1000 + 1000 - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      return token;
    },
  };
}
