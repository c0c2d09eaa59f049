import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose';
import type { SigningKeyRing } from '@honglian/service-kit';
import { DEMO_PASSWORD, DEMO_WEB_CLIENT_ID, type DemoUser } from '@honglian/contracts';
import { NO_STORE, OAuthError, formOf, paramsOf, sameSecret, type Form } from './oauth.js';
import {
  INVALID_CREDENTIALS,
  LOGIN_EXPIRED,
  loginPage,
  messagePage,
  pageSecurityPolicy,
  type Bilingual,
} from './pages.js';
import { allowedRedirect, responseUrl } from './redirects.js';
import type { SessionStore } from './sessions.js';

/**
 * The browser side of the development identity provider, as Keycloak answers
 * it: the authorization endpoint (a sign-in page for the authorization code
 * flow with PKCE S256), the sign-in form's post (a one-time code back to the
 * client) and RP-initiated logout.
 *
 * Cross-site request forgery of the sign-in form: the page sets a random
 * `HttpOnly; SameSite=Strict` cookie (once per browser) and carries an HMAC of
 * that cookie, the time and the authorization request in the hidden field
 * `login_token`; the post is refused unless the field matches the cookie the
 * browser sent, so a form posted from another site (which cannot send the
 * cookie) or replayed after 30 minutes signs nobody in. State and PKCE protect
 * the client's side of the flow on top of that.
 */
export interface BrowserFlowContext {
  realm: string;
  issuer(): string;
  users: readonly DemoUser[];
  password: string;
  keys: SigningKeyRing;
  store: SessionStore;
  nowSeconds(): number;
}

export interface BrowserFlow {
  authorize: RequestHandler;
  login: RequestHandler;
  logout: RequestHandler;
}

/** The parameters of an authorization request the sign-in form carries, in this order. */
const REQUEST_FIELDS = [
  'response_type',
  'client_id',
  'redirect_uri',
  'response_mode',
  'scope',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
] as const;

/** RFC 7636: 43 to 128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~". */
export const PKCE_VALUE = /^[A-Za-z0-9._~-]{43,128}$/;
const LIMITS = { state: 2048, nonce: 512, scope: 512, login_hint: 255 } as const;
const LOGIN_COOKIE = 'HONGLIAN_LOGIN';
/** How long a sign-in page may stay open (Keycloak's "Login timeout"). */
const LOGIN_TIMEOUT_SECONDS = 1800;

export interface AuthRequest {
  clientId: string;
  redirectUri: string;
  redirect: URL;
  responseMode: 'query' | 'fragment';
  codeChallenge: string;
  /** What the client asked for. */
  scope: string;
  state?: string;
  nonce?: string;
  prompt?: string;
  loginHint?: string;
  /** The request's own parameters, as the sign-in form carries them. */
  fields: Record<string, string>;
}

type Checked =
  | { request: AuthRequest }
  | { page: Bilingual }
  /** An error the client gets back on its (checked) redirect URI. */
  | { redirect: string };

const page = (zh: string, en: string): Checked => ({ page: { zh, en } });

export function browserFlow(ctx: BrowserFlowContext): BrowserFlow {
  const { store } = ctx;
  const csrfKey = randomBytes(32);
  const publicOrigin = () => new URL(ctx.issuer()).origin;
  /** The public path of the realm (PUBLIC_URL may carry a path prefix). */
  const realmPath = () => new URL(ctx.issuer()).pathname.replace(/\/+$/, '');

  const check = (p: Form): Checked => {
    if (!p.client_id) return page('缺少参数：client_id', 'Missing parameter: client_id');
    if (p.client_id !== DEMO_WEB_CLIENT_ID) {
      return page('客户端不存在或不允许浏览器登录', 'Client not found.');
    }
    const redirect = allowedRedirect(p.redirect_uri, publicOrigin());
    if (!redirect) return page('参数无效：redirect_uri', 'Invalid parameter: redirect_uri');
    const mode = p.response_mode === 'fragment' ? 'fragment' : 'query';
    const state = p.state !== undefined && p.state.length <= LIMITS.state ? p.state : undefined;
    const fail = (error: string, description: string): Checked => ({
      redirect: responseUrl(redirect, mode, {
        error,
        error_description: description,
        state,
        iss: ctx.issuer(),
      }),
    });
    if (p.response_mode !== undefined && p.response_mode !== 'query' && p.response_mode !== 'fragment') {
      return fail('invalid_request', 'Invalid parameter: response_mode');
    }
    if (!p.response_type) return fail('invalid_request', 'Missing parameter: response_type');
    if (p.response_type !== 'code') {
      return fail(
        'unsupported_response_type',
        'Client is not allowed to initiate browser login with given response_type',
      );
    }
    if (!p.code_challenge_method) return fail('invalid_request', 'Missing parameter: code_challenge_method');
    if (p.code_challenge_method !== 'S256') {
      return fail(
        'invalid_request',
        'Invalid parameter: code challenge method is not matching the configured one',
      );
    }
    if (!p.code_challenge) return fail('invalid_request', 'Missing parameter: code_challenge');
    if (!PKCE_VALUE.test(p.code_challenge))
      return fail('invalid_request', 'Invalid parameter: code_challenge');
    for (const [name, max] of Object.entries(LIMITS)) {
      if ((p[name]?.length ?? 0) > max) return fail('invalid_request', `Invalid parameter: ${name}`);
    }
    const fields: Record<string, string> = {};
    for (const name of REQUEST_FIELDS) if (p[name] !== undefined) fields[name] = p[name];
    return {
      request: {
        clientId: p.client_id,
        redirectUri: p.redirect_uri!,
        redirect,
        responseMode: mode,
        codeChallenge: p.code_challenge,
        scope: p.scope ?? '',
        fields,
        ...(state !== undefined ? { state } : {}),
        ...(p.nonce !== undefined ? { nonce: p.nonce } : {}),
        ...(p.prompt !== undefined ? { prompt: p.prompt } : {}),
        ...(p.login_hint !== undefined ? { loginHint: p.login_hint } : {}),
      },
    };
  };

  const loginToken = (cookie: string, issuedAt: number, fields: Record<string, string>) =>
    createHmac('sha256', csrfKey)
      .update(JSON.stringify([cookie, issuedAt, REQUEST_FIELDS.map((name) => fields[name] ?? null)]))
      .digest('base64url');

  const validLoginToken = (token: string | undefined, cookie: string | undefined, request: AuthRequest) => {
    const match = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token ?? '');
    if (!match || !cookie) return false;
    const issuedAt = Number(match[1]);
    const age = ctx.nowSeconds() - issuedAt;
    if (age < -60 || age > LOGIN_TIMEOUT_SECONDS) return false;
    const expected = Buffer.from(loginToken(cookie, issuedAt, request.fields));
    const given = Buffer.from(match[2]!);
    return given.length === expected.length && timingSafeEqual(given, expected);
  };

  const sendPage = (res: Response, status: number, html: string, formTargets: string[] = []) => {
    res
      .status(status)
      .set(NO_STORE)
      .set('Content-Security-Policy', pageSecurityPolicy(formTargets))
      .type('html')
      .send(html);
  };

  const errorPage = (res: Response, message: Bilingual) =>
    sendPage(
      res,
      400,
      messagePage({ title: { zh: '红联 登录错误', en: 'Honglian sign-in error' }, message, alert: true }),
    );

  const redirectTo = (res: Response, url: string) => {
    res.set(NO_STORE).redirect(302, url);
  };

  const renderLogin = (
    req: Request,
    res: Response,
    request: AuthRequest,
    opts: { status: number; error?: Bilingual; username?: string },
  ) => {
    let cookie = loginCookieOf(req);
    if (!cookie) {
      cookie = randomBytes(16).toString('base64url');
      res.cookie(LOGIN_COOKIE, cookie, {
        httpOnly: true,
        sameSite: 'strict',
        secure: ctx.issuer().startsWith('https:'),
        path: `${realmPath()}/`,
      });
    }
    const issuedAt = ctx.nowSeconds();
    const username = (opts.username ?? request.loginHint ?? '').slice(0, LIMITS.login_hint);
    sendPage(
      res,
      opts.status,
      loginPage({
        action: `${realmPath()}/protocol/openid-connect/auth`,
        realm: ctx.realm,
        hidden: {
          ...request.fields,
          login_token: `${issuedAt}.${loginToken(cookie, issuedAt, request.fields)}`,
        },
        ...(username ? { username } : {}),
        ...(opts.error ? { error: opts.error } : {}),
        ...(ctx.password === DEMO_PASSWORD ? { demoPassword: DEMO_PASSWORD } : {}),
      }),
      // The post answers with a redirect to the client: `form-action` must allow its origin.
      [request.redirect.origin],
    );
  };

  /** GET …/auth: the sign-in page, or the error (on the redirect URI once it is known to be the client's). */
  const authorize: RequestHandler = (req, res) => {
    let params: Form;
    try {
      params = paramsOf(req.query);
    } catch (err) {
      if (!(err instanceof OAuthError)) throw err;
      return errorPage(res, { zh: '参数重复', en: err.description });
    }
    const checked = check(params);
    if ('page' in checked) return errorPage(res, checked.page);
    if ('redirect' in checked) return redirectTo(res, checked.redirect);
    const { request } = checked;
    // No single sign-on cookie here: a silent (prompt=none) request always needs a login.
    if (request.prompt === 'none') {
      return redirectTo(
        res,
        responseUrl(request.redirect, request.responseMode, {
          error: 'login_required',
          state: request.state,
          iss: ctx.issuer(),
        }),
      );
    }
    renderLogin(req, res, request, { status: 200 });
  };

  /** POST …/auth: the sign-in form. Good credentials: 302 to the client with a one-time code. */
  const login: RequestHandler = (req, res) => {
    let form: Form;
    try {
      form = formOf(req);
    } catch (err) {
      if (!(err instanceof OAuthError)) throw err;
      return errorPage(res, { zh: '请求无效', en: err.description });
    }
    const checked = check(form);
    if ('page' in checked) return errorPage(res, checked.page);
    if ('redirect' in checked) return redirectTo(res, checked.redirect);
    const { request } = checked;
    const username = (form.username ?? '').trim();
    if (!validLoginToken(form.login_token, loginCookieOf(req), request)) {
      return renderLogin(req, res, request, { status: 400, error: LOGIN_EXPIRED, username });
    }
    const user = ctx.users.find((u) => u.username === username.toLowerCase());
    // The password is compared even for an unknown user: the answer takes as long either way.
    const passwordOk = sameSecret(form.password ?? '', ctx.password);
    if (!user || !passwordOk) {
      return renderLogin(req, res, request, { status: 401, error: INVALID_CREDENTIALS, username });
    }
    const { session, code } = store.open(
      {
        username: user.username,
        clientId: request.clientId,
        scope: request.scope,
        ...(request.nonce !== undefined ? { nonce: request.nonce } : {}),
      },
      { redirectUri: request.redirectUri, codeChallenge: request.codeChallenge },
    );
    redirectTo(
      res,
      responseUrl(request.redirect, request.responseMode, {
        state: request.state,
        session_state: session.id,
        iss: ctx.issuer(),
        code,
      }),
    );
  };

  /** The claims of an ID token this realm signed (expired ones too, as Keycloak accepts them as a hint). */
  const idTokenClaims = async (token: string): Promise<Record<string, unknown> | undefined> => {
    try {
      const jwks = createLocalJWKSet(ctx.keys.jwks() as JSONWebKeySet);
      const { payload } = await compactVerify(token, jwks, { algorithms: ['RS256'] });
      const claims = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
      return claims.iss === ctx.issuer() && claims.typ === 'ID' ? claims : undefined;
    } catch {
      return undefined;
    }
  };

  /**
   * GET or POST …/logout (RP-initiated logout): ends the session the
   * `id_token_hint` names, then 302 to `post_logout_redirect_uri` (the same
   * rule as redirect URIs) or a "signed out" page. Nothing is ended when
   * anything is wrong.
   */
  const logout: RequestHandler = async (req, res) => {
    let params: Form;
    try {
      params =
        req.method === 'POST' && req.is('application/x-www-form-urlencoded')
          ? formOf(req)
          : paramsOf(req.query);
    } catch (err) {
      if (!(err instanceof OAuthError)) throw err;
      return errorPage(res, { zh: '请求无效', en: err.description });
    }
    let clientId = params.client_id;
    let sessionId: string | undefined;
    if (params.id_token_hint) {
      const claims = await idTokenClaims(params.id_token_hint);
      if (!claims)
        return errorPage(res, { zh: '参数无效：id_token_hint', en: 'Invalid parameter: id_token_hint' });
      const hinted = typeof claims.azp === 'string' ? claims.azp : undefined;
      if (clientId && clientId !== hinted) {
        return errorPage(res, {
          zh: 'client_id 与 id_token_hint 的客户端不一致',
          en: 'Parameter client_id different than the client from id_token_hint',
        });
      }
      clientId = hinted;
      if (typeof claims.sid === 'string') sessionId = claims.sid;
    }
    let target: URL | undefined;
    if (params.post_logout_redirect_uri) {
      if (!clientId) {
        return errorPage(res, {
          zh: '使用 post_logout_redirect_uri 时须提供 id_token_hint 或 client_id',
          en: 'Either the id_token_hint or the client_id parameter is required when post_logout_redirect_uri is used',
        });
      }
      target =
        clientId === DEMO_WEB_CLIENT_ID
          ? allowedRedirect(params.post_logout_redirect_uri, publicOrigin())
          : undefined;
      if (!target) return errorPage(res, { zh: '退出后跳转地址无效', en: 'Invalid redirect uri' });
    }
    if (sessionId) store.end(sessionId);
    if (target) {
      return redirectTo(res, responseUrl(target, 'query', { state: params.state?.slice(0, LIMITS.state) }));
    }
    sendPage(
      res,
      200,
      messagePage({
        title: { zh: '红联 已退出', en: 'Signed out of Honglian' },
        message: { zh: '您已退出登录。', en: 'You are signed out.' },
        link: { href: `${publicOrigin()}/`, zh: '返回红联', en: 'Back to Honglian' },
      }),
    );
  };

  return { authorize, login, logout };
}

/** The scope granted for a request: `openid` (an id token) when asked for, with Keycloak's defaults. */
export function grantedScope(requested: string): string {
  return requested.split(' ').includes('openid') ? 'openid profile email' : 'profile email';
}

/** `at_hash` of an id token: the left half of the access token's SHA-256, base64url. */
export function accessTokenHash(accessToken: string): string {
  return createHash('sha256').update(accessToken).digest().subarray(0, 16).toString('base64url');
}

function loginCookieOf(req: Request): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === LOGIN_COOKIE) {
      const value = part.slice(eq + 1).trim();
      return /^[A-Za-z0-9_-]{22}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}
