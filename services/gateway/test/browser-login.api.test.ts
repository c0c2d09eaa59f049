import { createHash, randomBytes } from 'node:crypto';
import request from 'supertest';
import { decodeJwt } from 'jose';
import { createKeycloakAuthenticator } from '@honglian/service-kit';
import { bearer, startTestService, testContext } from '@honglian/testkit';
import { createService, type GatewayHandle } from '../src/index.js';
import { backendService } from './support.js';

/**
 * The authorization code flow with PKCE of the development identity provider,
 * driven the way oidc-client-ts drives Keycloak: the sign-in page, the form's
 * post, the code exchange, refresh and logout.
 */
const REALM = '/realms/honglian';
const OIDC = `${REALM}/protocol/openid-connect`;

let url: string | undefined;
let gateway: GatewayHandle;
/** The identity provider's clock runs this far ahead of real time (tokens are checked in real time). */
let offsetMs = 0;
const clock = { now: () => new Date(Date.now() + offsetMs) };
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  const auth = () =>
    createKeycloakAuthenticator({
      serverUrl: () => url!,
      issuer: () => `${url!}${REALM}`,
      jwksMinIntervalSeconds: 0,
    });
  const registry = await startTestService(backendService('org-registry', '/api/v1/registry', auth()));
  gateway = createService({
    ...testContext(),
    auth: auth(),
    services: { 'org-registry': registry.url },
    settings: { rateLimit: { tokenMax: 10_000 } },
    devIdentity: { publicUrl: () => url!, clock },
  });
  const served = await startTestService(gateway);
  url = served.url;
  closers.push(
    () => served.close(),
    () => registry.close(),
  );
});
afterAll(async () => {
  for (const close of closers) await close();
});
afterEach(() => {
  offsetMs = 0;
});

const issuer = () => `${url}${REALM}`;
const callback = () => `${url}/callback`;

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

type Params = Record<string, string | undefined>;

function authParams(overrides: Params = {}): Params {
  return {
    response_type: 'code',
    client_id: 'honglian-web',
    redirect_uri: callback(),
    state: randomBytes(16).toString('hex'),
    scope: 'openid profile',
    nonce: randomBytes(8).toString('hex'),
    code_challenge_method: 'S256',
    ...overrides,
  };
}

const query = (params: Params) =>
  new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined));

const unescape = (s: string) =>
  s.replace(
    /&(amp|lt|gt|quot|#39);/g,
    (_m, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e]!,
  );

/** GET the sign-in page: its cookie and the hidden fields its form posts. */
async function openSignIn(params: Params) {
  const res = await request(url!).get(`${OIDC}/auth?${query(params)}`);
  const cookie = ((res.headers['set-cookie'] as unknown as string[] | undefined) ?? [])
    .map((c) => c.split(';')[0]!)
    .find((c) => c.startsWith('HONGLIAN_LOGIN='));
  const hidden: Record<string, string> = {};
  for (const m of res.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    hidden[unescape(m[1]!)] = unescape(m[2]!);
  }
  return { res, cookie, hidden };
}

async function postSignIn(
  page: { cookie?: string; hidden: Record<string, string> },
  username: string,
  password = 'honglian-demo',
) {
  const post = request(url!).post(`${OIDC}/auth`).type('form');
  if (page.cookie) post.set('Cookie', page.cookie);
  return post.send(query({ ...page.hidden, username, password }).toString());
}

/** Signs in through the page: the redirect back and the verifier that goes with its code. */
async function signIn(username = 'county-admin-331003', overrides: Params = {}) {
  const { verifier, challenge } = pkce();
  const params = authParams({ code_challenge: challenge, ...overrides });
  const page = await openSignIn(params);
  expect(page.res.status).toBe(200);
  const res = await postSignIn(page, username);
  expect(res.status).toBe(302);
  const location = new URL(res.headers.location!);
  return { params, verifier, location, code: location.searchParams.get('code')! };
}

function exchange(fields: Params) {
  return request(url!).post(`${OIDC}/token`).type('form').send(query(fields).toString());
}

const codeExchange = (code: string, verifier: string, overrides: Params = {}) =>
  exchange({
    grant_type: 'authorization_code',
    client_id: 'honglian-web',
    code,
    redirect_uri: callback(),
    code_verifier: verifier,
    ...overrides,
  });

const refresh = (refreshToken: string, overrides: Params = {}) =>
  exchange({
    grant_type: 'refresh_token',
    client_id: 'honglian-web',
    refresh_token: refreshToken,
    ...overrides,
  });

async function tokens(username = 'county-admin-331003') {
  const { code, verifier } = await signIn(username);
  const res = await codeExchange(code, verifier);
  expect(res.status).toBe(200);
  return res.body as { access_token: string; refresh_token: string; id_token: string };
}

describe('browser sign-in: the sign-in page', () => {
  it('renders a bilingual, accessible form carrying the request', async () => {
    const params = authParams({ code_challenge: pkce().challenge });
    const { res, cookie, hidden } = await openSignIn(params);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).toContain('<html lang="zh-CN">');
    expect(res.text).toContain('<title>红联 登录 · Sign in to Honglian</title>');
    expect(res.text).toMatch(
      /<form method="post" action="\/realms\/honglian\/protocol\/openid-connect\/auth">/,
    );
    expect(res.text).toMatch(/<label for="username">用户名 <span lang="en">Username<\/span><\/label>/);
    expect(res.text).toMatch(/<input id="username" name="username" type="text"/);
    expect(res.text).toMatch(/<label for="password">密码 <span lang="en">Password<\/span><\/label>/);
    expect(res.text).toMatch(/<input id="password" name="password" type="password"/);
    expect(res.text).toMatch(/<button type="submit">登录 <span lang="en">Sign in<\/span><\/button>/);
    expect(res.text).toContain('honglian-demo');
    expect(res.text).not.toContain('role="alert"');
    expect(res.text).not.toContain('<script');
    expect(hidden).toMatchObject({
      response_type: 'code',
      client_id: 'honglian-web',
      redirect_uri: callback(),
      state: params.state,
      nonce: params.nonce,
      code_challenge: params.code_challenge,
      code_challenge_method: 'S256',
      login_token: expect.stringMatching(/^\d+\.[\w-]{43}$/),
    });
    expect(cookie).toMatch(/^HONGLIAN_LOGIN=[\w-]{22}$/);
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Path=\/realms\/honglian\//);
    const csp = res.headers['content-security-policy']!;
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain(`form-action 'self' ${new URL(url!).origin}`);
    expect(csp).toContain("default-src 'none'");
  });

  it('escapes what the request carries', async () => {
    const { res, hidden } = await openSignIn(
      authParams({
        code_challenge: pkce().challenge,
        state: '"><script>alert(1)</script>',
        login_hint: '<b>x',
      }),
    );
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('<script>');
    expect(res.text).not.toContain('<b>x');
    expect(hidden.state).toBe('"><script>alert(1)</script>');
  });

  it('shows the error again on bad credentials, with role=alert, and sends nobody anywhere', async () => {
    const page = await openSignIn(authParams({ code_challenge: pkce().challenge }));
    for (const [username, password] of [
      ['county-admin-331003', 'wrong'],
      ['nobody', 'honglian-demo'],
    ] as const) {
      const res = await postSignIn(page, username, password);
      expect(res.status).toBe(401);
      expect(res.headers.location).toBeUndefined();
      expect(res.text).toMatch(/<div id="login-error" class="alert" role="alert">用户名或密码错误 · /);
      expect(res.text).toContain('Invalid username or password');
      expect(res.text).toContain(`value="${username}"`);
      expect(res.text).not.toContain('value="wrong"');
    }
  });

  it('refuses a post without the page’s cookie or with a forged form token (CSRF)', async () => {
    const page = await openSignIn(authParams({ code_challenge: pkce().challenge }));
    const noCookie = await postSignIn({ hidden: page.hidden }, 'county-admin-331003');
    expect(noCookie.status).toBe(400);
    expect(noCookie.headers.location).toBeUndefined();
    expect(noCookie.text).toContain('role="alert"');
    expect(noCookie.text).toContain('cookies are disabled');
    // Another browser's page: its token does not go with this cookie.
    const other = await openSignIn(authParams({ code_challenge: pkce().challenge }));
    const swapped = await postSignIn({ cookie: other.cookie!, hidden: page.hidden }, 'county-admin-331003');
    expect(swapped.status).toBe(400);
    // The request changed after the page was served (another redirect URI, another challenge).
    const tampered = await postSignIn(
      { cookie: page.cookie!, hidden: { ...page.hidden, code_challenge: pkce().challenge } },
      'county-admin-331003',
    );
    expect(tampered.status).toBe(400);
    // A page left open too long.
    offsetMs = 31 * 60 * 1000;
    const stale = await postSignIn(page, 'county-admin-331003');
    expect(stale.status).toBe(400);
  });

  it('refuses unknown clients and foreign redirect URIs with an error page, never a redirect', async () => {
    const challenge = pkce().challenge;
    const cases: Params[] = [
      { client_id: 'nobody' },
      { client_id: 'api-consumer-demo' },
      { client_id: undefined },
      { redirect_uri: 'https://evil.example/callback' },
      { redirect_uri: `http://localhost:8080@evil.example/callback` },
      { redirect_uri: 'http://localhost.evil.example/callback' },
      { redirect_uri: '//evil.example/callback' },
      { redirect_uri: 'javascript:alert(1)' },
      { redirect_uri: `${callback()}#fragment` },
      { redirect_uri: 'https://localhost:5173/callback' },
      { redirect_uri: undefined },
    ];
    for (const overrides of cases) {
      const res = await request(url!).get(
        `${OIDC}/auth?${query(authParams({ code_challenge: challenge, ...overrides }))}`,
      );
      expect({ overrides, status: res.status, location: res.headers.location }).toEqual({
        overrides,
        status: 400,
        location: undefined,
      });
      expect(res.text).toContain('role="alert"');
    }
    const duplicated = await request(url!).get(
      `${OIDC}/auth?${query(authParams({ code_challenge: challenge }))}&redirect_uri=https://evil.example/`,
    );
    expect([duplicated.status, duplicated.headers.location]).toEqual([400, undefined]);
  });

  it('accepts the gateway’s own origin and local development servers as redirect URIs', async () => {
    for (const redirect of [
      `${url}/callback`,
      `${url}/console/callback?from=menu`,
      'http://localhost:5173/callback',
      'http://127.0.0.1:4173/',
    ]) {
      const res = await request(url!).get(
        `${OIDC}/auth?${query(authParams({ code_challenge: pkce().challenge, redirect_uri: redirect }))}`,
      );
      expect({ redirect, status: res.status }).toEqual({ redirect, status: 200 });
    }
  });

  it('answers a bad request of a known client on its redirect URI, as Keycloak does', async () => {
    const challenge = pkce().challenge;
    const errorOf = async (overrides: Params) => {
      const params = authParams({ code_challenge: challenge, ...overrides });
      const res = await request(url!).get(`${OIDC}/auth?${query(params)}`);
      expect(res.status).toBe(302);
      const location = new URL(res.headers.location!);
      expect(location.origin + location.pathname).toBe(callback());
      expect(location.searchParams.get('state')).toBe(params.state);
      expect(location.searchParams.get('iss')).toBe(issuer());
      expect(location.searchParams.get('code')).toBeNull();
      return location.searchParams.get('error');
    };
    expect(await errorOf({ response_type: 'token' })).toBe('unsupported_response_type');
    expect(await errorOf({ response_type: 'code id_token' })).toBe('unsupported_response_type');
    expect(await errorOf({ code_challenge: undefined })).toBe('invalid_request');
    expect(await errorOf({ code_challenge_method: undefined })).toBe('invalid_request');
    expect(await errorOf({ code_challenge_method: 'plain' })).toBe('invalid_request');
    expect(await errorOf({ code_challenge: 'too-short' })).toBe('invalid_request');
    // No single sign-on session here: a silent sign-in needs a login.
    expect(await errorOf({ prompt: 'none' })).toBe('login_required');
  });
});

describe('browser sign-in: code, tokens, refresh, logout', () => {
  it('sends the browser back with a one-time code and the state, and the code buys tokens the API accepts', async () => {
    const { params, verifier, location, code } = await signIn();
    expect(location.origin + location.pathname).toBe(callback());
    expect(location.searchParams.get('state')).toBe(params.state);
    expect(location.searchParams.get('iss')).toBe(issuer());
    expect(location.searchParams.get('session_state')).toMatch(/^[\w-]{36}$/);
    expect(code).toMatch(/^[\w-]{43}$/); // 256 random bits

    const res = await codeExchange(code, verifier);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toMatchObject({
      token_type: 'Bearer',
      expires_in: 900,
      refresh_expires_in: 1800,
      refresh_token: expect.stringMatching(/^[\w-]{43}$/),
      scope: 'openid profile email',
      session_state: location.searchParams.get('session_state'),
    });
    const access = decodeJwt(res.body.access_token);
    expect(access).toMatchObject({
      iss: issuer(),
      aud: 'honglian-gateway',
      azp: 'honglian-web',
      preferred_username: 'county-admin-331003',
      county: '331003',
      org_path: '/331000/331003',
      sid: location.searchParams.get('session_state'),
      realm_access: { roles: expect.arrayContaining(['county-admin']) },
    });
    const id = decodeJwt(res.body.id_token);
    expect(id).toMatchObject({
      iss: issuer(),
      aud: 'honglian-web',
      azp: 'honglian-web',
      typ: 'ID',
      sub: access.sub,
      nonce: params.nonce,
      sid: access.sid,
      preferred_username: 'county-admin-331003',
    });
    expect(id.at_hash).toBe(
      createHash('sha256').update(res.body.access_token).digest().subarray(0, 16).toString('base64url'),
    );

    const whoami = await request(url!).get('/api/v1/registry/whoami').set(bearer(res.body.access_token));
    expect(whoami.status).toBe(200);
    expect(whoami.body).toMatchObject({
      roles: ['county-admin'],
      county: '331003',
      scope: { level: 'county' },
    });
    // The id token is no access token.
    const withId = await request(url!).get('/api/v1/registry/whoami').set(bearer(res.body.id_token));
    expect(withId.status).toBe(401);
  });

  it('issues no id token without scope openid', async () => {
    const { code, verifier } = await signIn('city-admin', { scope: 'profile' });
    const res = await codeExchange(code, verifier);
    expect(res.status).toBe(200);
    expect(res.body.id_token).toBeUndefined();
    expect(res.body.scope).toBe('profile email');
  });

  it('refuses a wrong verifier, and the code is spent by it', async () => {
    const { code, verifier } = await signIn();
    const wrong = await codeExchange(code, pkce().verifier);
    expect([wrong.status, wrong.body]).toEqual([
      400,
      { error: 'invalid_grant', error_description: 'PKCE verification failed: Code mismatch' },
    ]);
    const after = await codeExchange(code, verifier);
    expect([after.status, after.body.error]).toEqual([400, 'invalid_grant']);
  });

  it('refuses a missing verifier, another redirect URI or another client', async () => {
    for (const overrides of [
      { code_verifier: undefined },
      { redirect_uri: 'http://localhost:5173/callback' },
      { redirect_uri: undefined },
    ] as Params[]) {
      const { code, verifier } = await signIn();
      const res = await codeExchange(code, verifier, overrides);
      expect({ overrides, status: res.status, error: res.body.error }).toEqual({
        overrides,
        status: 400,
        error: 'invalid_grant',
      });
    }
    const { code, verifier } = await signIn();
    const confidential = await codeExchange(code, verifier, {
      client_id: 'api-consumer-demo',
      client_secret: 'honglian-demo-secret',
    });
    expect([confidential.status, confidential.body.error]).toEqual([400, 'unauthorized_client']);
    const unknown = await codeExchange(code, verifier, { code: 'not-a-code' });
    expect([unknown.status, unknown.body]).toEqual([
      400,
      { error: 'invalid_grant', error_description: 'Code not valid' },
    ]);
    const missing = await codeExchange(code, verifier, { code: undefined });
    expect([missing.status, missing.body.error]).toEqual([400, 'invalid_request']);
  });

  it('refuses a code used twice, and the tokens it gave can no longer be refreshed', async () => {
    const { code, verifier } = await signIn();
    const first = await codeExchange(code, verifier);
    expect(first.status).toBe(200);
    const second = await codeExchange(code, verifier);
    expect([second.status, second.body]).toEqual([
      400,
      { error: 'invalid_grant', error_description: 'Code not valid' },
    ]);
    const refreshed = await refresh(first.body.refresh_token);
    expect([refreshed.status, refreshed.body.error]).toEqual([400, 'invalid_grant']);
  });

  it('refuses a code after its 60 seconds', async () => {
    const early = await signIn();
    const late = await signIn();
    offsetMs = 59_000;
    expect((await codeExchange(early.code, early.verifier)).status).toBe(200);
    offsetMs = 61_000;
    const res = await codeExchange(late.code, late.verifier);
    expect([res.status, res.body]).toEqual([
      400,
      { error: 'invalid_grant', error_description: 'Code not valid' },
    ]);
  });

  it('rotates refresh tokens: each works once and the next one works', async () => {
    const first = await tokens();
    const second = await refresh(first.refresh_token);
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(first.refresh_token);
    expect(decodeJwt(second.body.access_token)).toMatchObject({
      county: '331003',
      sid: decodeJwt(first.access_token).sid,
    });
    const id = decodeJwt(second.body.id_token);
    expect(id).toMatchObject({
      sub: decodeJwt(first.id_token).sub,
      auth_time: decodeJwt(first.id_token).auth_time,
    });
    expect(
      (await request(url!).get('/api/v1/registry/whoami').set(bearer(second.body.access_token))).status,
    ).toBe(200);

    const replay = await refresh(first.refresh_token);
    expect([replay.status, replay.body]).toEqual([
      400,
      { error: 'invalid_grant', error_description: 'Invalid refresh token' },
    ]);
    const third = await refresh(second.body.refresh_token);
    expect(third.status).toBe(200);
  });

  it('binds refresh tokens to their client and refuses them once expired', async () => {
    const { refresh_token } = await tokens();
    const foreign = await refresh(refresh_token, {
      client_id: 'api-consumer-demo',
      client_secret: 'honglian-demo-secret',
    });
    expect([foreign.status, foreign.body.error]).toEqual([400, 'invalid_grant']);
    // Still the owner's to use.
    const next = (await refresh(refresh_token)).body.refresh_token as string;
    offsetMs = 1801 * 1000;
    const expired = await refresh(next);
    expect([expired.status, expired.body]).toEqual([
      400,
      { error: 'invalid_grant', error_description: 'Token is not active' },
    ]);
    const missing = await refresh('');
    expect([missing.status, missing.body.error]).toEqual([400, 'invalid_request']);
  });

  it('logs out: 302 to the allowed post-logout URI with the state, and the session’s refresh token stops working', async () => {
    const { id_token, refresh_token } = await tokens();
    const res = await request(url!).get(
      `${OIDC}/logout?${query({
        id_token_hint: id_token,
        post_logout_redirect_uri: `${url}/`,
        client_id: 'honglian-web',
        state: 'bye',
      })}`,
    );
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`${url}/?state=bye`);
    const refreshed = await refresh(refresh_token);
    expect([refreshed.status, refreshed.body]).toEqual([
      400,
      { error: 'invalid_grant', error_description: 'Invalid refresh token' },
    ]);
  });

  it('refuses a foreign post-logout URI or a forged hint without ending the session', async () => {
    const { id_token, refresh_token } = await tokens();
    for (const params of [
      { id_token_hint: id_token, post_logout_redirect_uri: 'https://evil.example/' },
      { client_id: 'honglian-web', post_logout_redirect_uri: 'https://evil.example/' },
      { post_logout_redirect_uri: `${url}/` },
      { id_token_hint: `${id_token.slice(0, -4)}AAAA`, post_logout_redirect_uri: `${url}/` },
      { id_token_hint: (await tokens()).access_token },
      { id_token_hint: id_token, client_id: 'api-consumer-demo' },
    ] as Params[]) {
      const res = await request(url!).get(`${OIDC}/logout?${query(params)}`);
      expect({ params, status: res.status, location: res.headers.location }).toEqual({
        params,
        status: 400,
        location: undefined,
      });
    }
    expect((await refresh(refresh_token)).status).toBe(200);
  });

  it('says "signed out" when there is nowhere to go back to', async () => {
    const { id_token, refresh_token } = await tokens();
    const res = await request(url!).get(`${OIDC}/logout?${query({ id_token_hint: id_token })}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('您已退出登录');
    expect(res.text).toContain('You are signed out');
    expect((await refresh(refresh_token)).status).toBe(400);
    expect((await request(url!).get(`${OIDC}/logout`)).status).toBe(200);
  });

  it('lets browser apps of the allowed origins call discovery and the token endpoint (CORS)', async () => {
    const discovery = await request(url!)
      .get(`${REALM}/.well-known/openid-configuration`)
      .set('Origin', 'http://localhost:5173');
    expect(discovery.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(discovery.body).toMatchObject({
      authorization_endpoint: `${issuer()}/protocol/openid-connect/auth`,
      end_session_endpoint: `${issuer()}/protocol/openid-connect/logout`,
      code_challenge_methods_supported: ['S256'],
    });
    const token = await request(url!)
      .post(`${OIDC}/token`)
      .set('Origin', 'http://127.0.0.1:5173')
      .type('form')
      .send('grant_type=refresh_token&client_id=honglian-web&refresh_token=x');
    expect(token.headers['access-control-allow-origin']).toBe('http://127.0.0.1:5173');
    const foreign = await request(url!)
      .get(`${REALM}/.well-known/openid-configuration`)
      .set('Origin', 'https://evil.example');
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
  });
});
