import { createPublicKey } from 'node:crypto';
import request from 'supertest';
import {
  HttpProblem,
  createAuthenticator,
  AuthEnvSchema,
  ConfigError,
  createLogger,
  createKeycloakAuthenticator,
  createServiceApp,
  FixedClock,
  loadConfig,
  resolveAuthSettings,
  tokenEndpointOf,
} from '../src/index.js';
import { requestWith, startRealm } from './realm-fixture.js';

const envOf = (vars: Record<string, string>) => ({
  ...loadConfig(AuthEnvSchema, vars),
  NODE_ENV: vars.NODE_ENV ?? 'development',
});
const read = (v: string | (() => string)) => (typeof v === 'function' ? v() : v);

describe('identity settings from the environment', () => {
  it('defaults to the embedded realm on the gateway at http://localhost:8080', () => {
    const s = resolveAuthSettings(envOf({}));
    expect(s).toMatchObject({
      mode: 'embedded',
      realm: 'honglian',
      audience: 'honglian-gateway',
      clockSkewSeconds: 60,
    });
    expect(resolveAuthSettings(envOf({ KEYCLOAK_CLOCK_SKEW_SECONDS: '5' })).clockSkewSeconds).toBe(5);
    expect(read(s.issuer)).toBe('http://localhost:8080/realms/honglian');
    expect(tokenEndpointOf(s)).toBe('http://localhost:8080/realms/honglian/protocol/openid-connect/token');
  });

  it('issues as PUBLIC_URL while fetching keys from the gateway’s own address, read late', () => {
    const gateway: { url?: string } = {};
    const s = resolveAuthSettings(envOf({}), {
      internalUrl: () => gateway.url!,
      publicUrl: () => gateway.url!.replace('127.0.0.1', 'localhost'),
    });
    gateway.url = 'http://127.0.0.1:40123';
    expect(read(s.serverUrl)).toBe('http://127.0.0.1:40123');
    expect(read(s.issuer)).toBe('http://localhost:40123/realms/honglian');
    const fixed = resolveAuthSettings(envOf({ PUBLIC_URL: 'https://api.example.org/' }));
    expect(read(fixed.issuer)).toBe('https://api.example.org/realms/honglian');
  });

  it('uses KEYCLOAK_URL and KEYCLOAK_ISSUER in keycloak mode', () => {
    const s = resolveAuthSettings(
      envOf({
        AUTH_MODE: 'keycloak',
        KEYCLOAK_URL: 'http://keycloak:8080',
        KEYCLOAK_ISSUER: 'http://localhost:8180/realms/honglian',
        KEYCLOAK_AUDIENCE: 'api',
      }),
    );
    expect(s).toMatchObject({ mode: 'keycloak', serverUrl: 'http://keycloak:8080', audience: 'api' });
    expect(read(s.issuer)).toBe('http://localhost:8180/realms/honglian');
  });

  it('refuses contradictory settings, naming the variable', () => {
    const refused = (vars: Record<string, string>) => {
      try {
        resolveAuthSettings(envOf(vars));
      } catch (err) {
        if (err instanceof ConfigError) return err.problems.map((p) => p.variable);
        throw err;
      }
      return [];
    };
    expect(refused({ NODE_ENV: 'production' })).toEqual(['AUTH_MODE']);
    expect(refused({ KEYCLOAK_CLOCK_SKEW_SECONDS: '-1' })).toEqual(['KEYCLOAK_CLOCK_SKEW_SECONDS']);
    expect(refused({ AUTH_MODE: 'keycloak' })).toEqual(['KEYCLOAK_URL']);
    expect(
      refused({ AUTH_MODE: 'keycloak', KEYCLOAK_URL: 'http://k', KEYCLOAK_ISSUER: 'http://k/realms/other' }),
    ).toEqual(['KEYCLOAK_ISSUER']);
    expect(() => loadConfig(AuthEnvSchema, { AUTH_MODE: 'magic' })).toThrow(/AUTH_MODE/);
    expect(() => loadConfig(AuthEnvSchema, { KEYCLOAK_URL: 'ftp://k' })).toThrow(/KEYCLOAK_URL/);
  });
});

describe('KEYCLOAK_REALM_PUBLIC_KEY', () => {
  it('verifies with the configured PEM key from the environment and never fetches the JWKS', async () => {
    const realm = await startRealm();
    try {
      const jwk = realm.keys.jwks().keys[0]!;
      const pem = createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' })
        .export({ format: 'pem', type: 'spki' })
        .toString();
      const auth = createAuthenticator(
        resolveAuthSettings(
          envOf({ AUTH_MODE: 'keycloak', KEYCLOAK_URL: realm.url, KEYCLOAK_REALM_PUBLIC_KEY: pem }),
        ),
      );
      const status = async (token: string) => {
        try {
          return (await auth.authenticate(requestWith(`Bearer ${token}`))).subject;
        } catch (err) {
          if (err instanceof HttpProblem) return err.status;
          throw err;
        }
      };
      expect(await status(await realm.keys.sign(realm.claims()))).toBe('user-1');
      // A fixed key means no rotation: a token signed by a newer key is refused.
      realm.keys.rotate();
      expect(await status(await realm.keys.sign(realm.claims()))).toBe(401);
      expect(realm.fetches).toBe(0);
    } finally {
      await realm.close();
    }
  });
});

describe('GET <prefix>/whoami', () => {
  it('is there on every service with an authenticator, and needs a valid token', async () => {
    const realm = await startRealm();
    try {
      const service = createServiceApp(
        {
          logger: createLogger({ name: 't', level: 'silent' }),
          clock: new FixedClock('2026-01-01T00:00:00Z'),
          auth: createKeycloakAuthenticator({ serverUrl: realm.url }),
        },
        { name: 'sample', prefix: '/api/v1/sample', title: 'Sample' },
      );
      expect((await request(service.app).get('/api/v1/sample/whoami')).status).toBe(401);
      const token = await realm.keys.sign(realm.claims({ org_path: '/331000/331003' }));
      const res = await request(service.app)
        .get('/api/v1/sample/whoami')
        .set('Authorization', `Bearer ${token}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        service: 'sample',
        subject: 'user-1',
        clientId: 'honglian-web',
        roles: ['county-admin'],
        county: '331003',
        orgPath: '/331000/331003',
        scope: { level: 'county', county: '331003' },
      });
      const doc = await request(service.app).get('/openapi.json');
      expect(doc.body.paths['/api/v1/sample/whoami'].get.security).toEqual([{ bearerAuth: [] }]);
    } finally {
      await realm.close();
    }
  });
});
