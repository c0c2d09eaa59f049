import { ConfigError, loadConfig } from '@honglian/service-kit';
import { GatewayConfigSchema, gatewaySettingsFromEnv } from '../src/index.js';

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
  });

  it('names the variable when a value is wrong', () => {
    expect(problemsOf({ SERVICE_URLS: 'billing=http://billing:8080' })).toEqual(['SERVICE_URLS']);
    expect(problemsOf({ SERVICE_URLS: 'org-registry' })).toEqual(['SERVICE_URLS']);
    expect(problemsOf({ CORS_ORIGINS: 'not a url' })).toEqual(['CORS_ORIGINS.0']);
    expect(problemsOf({ RATE_LIMIT_MAX: '0' })).toEqual(['RATE_LIMIT_MAX']);
    expect(problemsOf({ PROXY_BODY_LIMIT: 'lots' })).toEqual(['PROXY_BODY_LIMIT']);
  });
});
