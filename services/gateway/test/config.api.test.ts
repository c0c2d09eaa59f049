import request from 'supertest';
import { ConfigError, loadConfig } from '@honglian/service-kit';
import { startTestService, testContext } from '@honglian/testkit';
import {
  GatewayConfigSchema,
  createService,
  gatewaySettingsFromEnv,
  identityFromConfig,
} from '../src/index.js';

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(GatewayConfigSchema, env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => p.variable);
    throw err;
  }
};

describe('gateway configuration', () => {
  it('reads service URLs, CORS origins, limits and sizes', () => {
    const config = loadConfig(GatewayConfigSchema, {
      SERVICE_URLS: 'org-registry=http://org-registry:8080/, assessment=http://10.0.0.5:9000',
      CORS_ORIGINS: 'https://app.example.org, http://localhost:5173/',
      RATE_LIMIT_MAX: '50',
      PROXY_BODY_LIMIT: '2mb',
      TRUST_PROXY: '1',
    });
    expect(config.SERVICE_URLS).toEqual({
      'org-registry': 'http://org-registry:8080',
      assessment: 'http://10.0.0.5:9000',
    });
    expect(gatewaySettingsFromEnv(config)).toMatchObject({
      corsOrigins: ['https://app.example.org', 'http://localhost:5173'],
      rateLimit: { max: 50, anonymousMax: 120, tokenMax: 30, windowMs: 60_000 },
      proxyBodyLimitBytes: 2 * 1024 * 1024,
      trustProxy: 1,
    });
    expect(config.AUTH_MODE).toBe('embedded');
    // No proxy is trusted unless the operator says so.
    expect(gatewaySettingsFromEnv(loadConfig(GatewayConfigSchema, {})).trustProxy).toBe(false);
    expect(
      gatewaySettingsFromEnv(loadConfig(GatewayConfigSchema, { TRUST_PROXY: 'loopback' })).trustProxy,
    ).toBe('loopback');
  });

  it('names the variable when a value is wrong', () => {
    expect(problemsOf({ SERVICE_URLS: 'billing=http://billing:8080' })).toEqual(['SERVICE_URLS']);
    // A service the routing table names is known: routed by configuration, not by a gateway change.
    expect(
      problemsOf({
        API_ROUTES: 'billing=billing,registry=org-registry',
        SERVICE_URLS: 'billing=http://billing:8080',
      }),
    ).toEqual([]);
    expect(problemsOf({ API_ROUTES: 'Billing=billing' })).toEqual(['API_ROUTES']);
    expect(problemsOf({ SERVICE_URLS: 'org-registry' })).toEqual(['SERVICE_URLS']);
    expect(problemsOf({ CORS_ORIGINS: 'not a url' })).toEqual(['CORS_ORIGINS.0']);
    expect(problemsOf({ RATE_LIMIT_MAX: '0' })).toEqual(['RATE_LIMIT_MAX']);
    expect(problemsOf({ PROXY_BODY_LIMIT: 'lots' })).toEqual(['PROXY_BODY_LIMIT']);
  });
});

describe('identity wiring', () => {
  const late = { internalUrl: 'http://127.0.0.1:9', publicUrl: 'http://localhost:9' };

  it('hosts the development identity provider only with AUTH_MODE=embedded', async () => {
    const embedded = identityFromConfig(loadConfig(GatewayConfigSchema, {}), late);
    expect(embedded.devIdentity).toBeDefined();
    const keycloak = identityFromConfig(
      loadConfig(GatewayConfigSchema, { AUTH_MODE: 'keycloak', KEYCLOAK_URL: 'http://keycloak:8080' }),
      late,
    );
    expect(keycloak).toMatchObject({ mode: 'keycloak' });
    expect(keycloak.devIdentity).toBeUndefined();
    expect(keycloak.tokenUrl()).toBe('http://keycloak:8080/realms/honglian/protocol/openid-connect/token');
    // A gateway wired for Keycloak answers nothing under /realms.
    const served = await startTestService(
      createService({ ...testContext(), auth: keycloak.authenticator() }),
    );
    try {
      const token = await request(served.url)
        .post('/realms/honglian/protocol/openid-connect/token')
        .type('form')
        .send('grant_type=password&client_id=honglian-web&username=city-admin&password=honglian-demo');
      expect(token.status).toBe(404);
      expect((await request(served.url).get('/realms/honglian/protocol/openid-connect/certs')).status).toBe(
        404,
      );
    } finally {
      await served.close();
    }
  });

  it('refuses the embedded identity provider under NODE_ENV=production', () => {
    const config = loadConfig(GatewayConfigSchema, { NODE_ENV: 'production' });
    expect(() => identityFromConfig(config, late)).toThrow(ConfigError);
  });
});
