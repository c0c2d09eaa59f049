import { spawnSync } from 'node:child_process';
import path from 'node:path';
import request from 'supertest';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { SigningKeyRing, createKeycloakAuthenticator } from '@honglian/service-kit';
import { bearer, startTestService, testContext } from '@honglian/testkit';
import {
  DEMO_DIRECTORY,
  DevIdentityRefused,
  createDevIdentityProvider,
  createService,
  type GatewayHandle,
} from '../src/index.js';
import { backendService } from './support.js';

const REALM = '/realms/honglian';
const TOKEN = `${REALM}/protocol/openid-connect/token`;

let url: string | undefined;
let gateway: GatewayHandle;
const keys = new SigningKeyRing();
const closers: (() => Promise<void>)[] = [];

/** The gateway as `honglian start` wires it: hosting the realm, verifying through its own JWKS. */
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
    devIdentity: { publicUrl: () => url!, keys },
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

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const passwordGrant = (username: string, password = 'honglian-demo', clientId = 'honglian-web') =>
  request(url!)
    .post(TOKEN)
    .type('form')
    .send(form({ grant_type: 'password', client_id: clientId, username, password }));

describe('development identity provider', () => {
  it('publishes a discovery document and a JWKS like Keycloak', async () => {
    const discovery = await request(url!).get(`${REALM}/.well-known/openid-configuration`);
    expect(discovery.status).toBe(200);
    expect(discovery.body).toMatchObject({
      issuer: `${url}${REALM}`,
      token_endpoint: `${url}${TOKEN}`,
      jwks_uri: `${url}${REALM}/protocol/openid-connect/certs`,
      authorization_endpoint: `${url}${REALM}/protocol/openid-connect/auth`,
      end_session_endpoint: `${url}${REALM}/protocol/openid-connect/logout`,
      grant_types_supported: expect.arrayContaining([
        'authorization_code',
        'refresh_token',
        'password',
        'client_credentials',
      ]),
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    });
    const jwks = await request(url!).get(`${REALM}/protocol/openid-connect/certs`);
    expect(jwks.body.keys).toEqual([
      expect.objectContaining({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: keys.currentKid }),
    ]);
    expect(jwks.body.keys[0]).not.toHaveProperty('d');
  });

  it('issues a Keycloak-shaped token for a demo user’s right password', async () => {
    const res = await passwordGrant('county-admin-331003');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
    expect(decodeProtectedHeader(res.body.access_token)).toMatchObject({
      alg: 'RS256',
      kid: keys.currentKid,
    });
    const claims = decodeJwt(res.body.access_token);
    const user = DEMO_DIRECTORY.users.find((u) => u.username === 'county-admin-331003')!;
    expect(claims).toMatchObject({
      iss: `${url}${REALM}`,
      aud: 'honglian-gateway',
      azp: 'honglian-web',
      typ: 'Bearer',
      sub: user.subject,
      preferred_username: 'county-admin-331003',
      county: '331003',
      org_path: '/331000/331003',
    });
    expect(claims.realm_access).toEqual({ roles: expect.arrayContaining(['county-admin']) });
    expect(claims.exp! - claims.iat!).toBe(900);
    expect(typeof claims.jti).toBe('string');
  });

  it('refuses a wrong password or unknown user with 401 invalid_grant', async () => {
    for (const res of [await passwordGrant('county-admin-331003', 'wrong'), await passwordGrant('nobody')]) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: 'invalid_grant', error_description: 'Invalid user credentials' });
    }
  });

  it('issues service-account tokens for client_credentials, secret in the body or HTTP Basic', async () => {
    const post = await request(url!)
      .post(TOKEN)
      .type('form')
      .send(
        form({
          grant_type: 'client_credentials',
          client_id: 'api-consumer-demo',
          client_secret: 'honglian-demo-secret',
        }),
      );
    expect(post.status).toBe(200);
    expect(decodeJwt(post.body.access_token)).toMatchObject({
      azp: 'api-consumer-demo',
      preferred_username: 'service-account-api-consumer-demo',
      realm_access: { roles: expect.arrayContaining(['api-consumer']) },
    });
    const basic = await request(url!)
      .post(TOKEN)
      .auth('api-consumer-demo', 'honglian-demo-secret')
      .type('form')
      .send(form({ grant_type: 'client_credentials' }));
    expect(basic.status).toBe(200);
  });

  it('refuses a wrong client secret with 401 invalid_client', async () => {
    const wrong = await request(url!)
      .post(TOKEN)
      .type('form')
      .send(
        form({ grant_type: 'client_credentials', client_id: 'api-consumer-demo', client_secret: 'nope' }),
      );
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('invalid_client');
    const basic = await request(url!)
      .post(TOKEN)
      .auth('api-consumer-demo', 'nope')
      .type('form')
      .send(form({ grant_type: 'client_credentials' }));
    expect(basic.status).toBe(401);
    expect(basic.headers['www-authenticate']).toMatch(/^Basic/);
  });

  it('answers other mistakes with Keycloak’s OAuth errors', async () => {
    const post = (fields: Record<string, string>) =>
      request(url!).post(TOKEN).type('form').send(form(fields));
    expect((await post({ grant_type: 'implicit', client_id: 'honglian-web' })).body.error).toBe(
      'unsupported_grant_type',
    );
    expect((await post({ grant_type: 'authorization_code', client_id: 'honglian-web' })).body).toEqual({
      error: 'invalid_request',
      error_description: 'Missing parameter: code',
    });
    expect((await post({ client_id: 'honglian-web' })).body.error).toBe('invalid_request');
    const publicCc = await post({ grant_type: 'client_credentials', client_id: 'honglian-web' });
    expect([publicCc.status, publicCc.body.error]).toEqual([401, 'unauthorized_client']);
    const noDirect = await post({
      grant_type: 'password',
      client_id: 'api-consumer-demo',
      client_secret: 'honglian-demo-secret',
      username: 'city-admin',
      password: 'honglian-demo',
    });
    expect([noDirect.status, noDirect.body.error]).toEqual([400, 'unauthorized_client']);
    const json = await request(url!).post(TOKEN).send({ grant_type: 'password' });
    expect([json.status, json.body.error]).toEqual([400, 'invalid_request']);
    const many = await request(url!)
      .post(TOKEN)
      .type('form')
      .send(Array.from({ length: 60 }, (_, i) => `p${i}=1`).join('&'));
    expect([many.status, many.body.error]).toEqual([400, 'invalid_request']);
    const huge = await request(url!)
      .post(TOKEN)
      .type('form')
      .send(form({ grant_type: 'password', username: 'x'.repeat(20_000) }));
    expect(huge.status).toBe(413);
    expect(huge.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('issues tokens that work on the API through the gateway and on the service', async () => {
    const token = (await passwordGrant('county-admin-331003')).body.access_token as string;
    const res = await request(url!).get('/api/v1/registry/whoami').set(bearer(token));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ roles: ['county-admin'], county: '331003', scope: { level: 'county' } });
  });

  it('keeps verifying after a key rotation: old and new tokens both work', async () => {
    const old = (await passwordGrant('city-admin')).body.access_token as string;
    keys.rotate();
    const fresh = (await passwordGrant('city-admin')).body.access_token as string;
    expect(decodeProtectedHeader(fresh).kid).toBe(keys.currentKid);
    for (const token of [old, fresh]) {
      expect((await request(url!).get('/api/v1/registry/whoami').set(bearer(token))).status).toBe(200);
    }
  });

  it('limits token requests per client IP: 429 problem+json with Retry-After', async () => {
    const limited = createService({
      ...testContext(),
      auth: createKeycloakAuthenticator({ serverUrl: 'http://127.0.0.1:1' }),
      settings: { rateLimit: { tokenMax: 2 } },
      devIdentity: { publicUrl: 'http://localhost:1' },
    });
    const served = await startTestService(limited);
    try {
      const statuses: number[] = [];
      let last: request.Response | undefined;
      for (let i = 0; i < 3; i++) {
        last = await request(served.url)
          .post(TOKEN)
          .type('form')
          .send(form({ grant_type: 'password', client_id: 'honglian-web', username: 'x', password: 'y' }));
        statuses.push(last.status);
      }
      expect(statuses).toEqual([401, 401, 429]);
      expect(last!.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await served.close();
    }
  });

  it('refuses to exist with NODE_ENV=production', () => {
    expect(() => createDevIdentityProvider({ publicUrl: 'http://x', nodeEnv: 'production' })).toThrow(
      DevIdentityRefused,
    );
  });

  it('stops the gateway process at start with NODE_ENV=production and AUTH_MODE=embedded', () => {
    const run = spawnSync(process.execPath, [path.join(__dirname, '..', 'dist', 'main.js')], {
      env: { PATH: process.env.PATH!, NODE_ENV: 'production', PORT: '0' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/AUTH_MODE: embedded .*refused when NODE_ENV=production/);
  });
});
