import request from 'supertest';
import {
  BaseConfigSchema,
  createKeycloakAuthenticator,
  createLogger,
  createServiceApp,
  loadConfig,
  serviceContextOf,
  systemClock,
  type ServiceContext,
} from '../src/index.js';
import { memoryLogger } from './helpers.js';
import { startRealm } from './realm-fixture.js';

type Realm = Awaited<ReturnType<typeof startRealm>>;
let realm: Realm;

beforeAll(async () => {
  realm = await startRealm();
});
afterAll(() => realm.close());

function service(overrides: Partial<ServiceContext> = {}) {
  const ctx: ServiceContext = {
    logger: createLogger({ name: 'test', level: 'silent' }),
    clock: systemClock,
    auth: createKeycloakAuthenticator({ serverUrl: realm.url, jwksMinIntervalSeconds: 0 }),
    ...overrides,
  };
  return createServiceApp(ctx, { name: 'things', title: 'Things', prefix: '/api/v1/things' }).app;
}

const token = async (sub: string, azp = 'honglian-web') =>
  `Bearer ${await realm.keys.sign(realm.claims({ sub, azp }))}`;

describe('a service’s own rate limit', () => {
  it('answers 429 problem+json with Retry-After, counting each token subject apart from the IP', async () => {
    const { logger, lines } = memoryLogger();
    const app = service({ logger, rateLimit: { max: 3, anonymousMax: 2, windowMs: 60_000 } });
    const alice = await token('alice');
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await request(app).get('/api/v1/things/whoami').set('Authorization', alice)).status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    const over = await request(app).get('/api/v1/things/whoami').set('Authorization', alice);
    expect(over.status).toBe(429);
    expect(over.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(over.body).toMatchObject({
      status: 429,
      reason: { zh: expect.any(String), en: expect.any(String) },
    });
    const retryAfter = Number(over.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Same IP (as every request forwarded by the gateway), other users: their own budgets.
    expect(
      (
        await request(app)
          .get('/api/v1/things/whoami')
          .set('Authorization', await token('bob'))
      ).status,
    ).toBe(200);
    expect(
      (
        await request(app)
          .get('/api/v1/things/whoami')
          .set('Authorization', await token('alice', 'other-client'))
      ).status,
    ).toBe(200);
    // No token, or one that does not verify (any subject it claims): the IP's lower limit.
    const forged = `${(await token('mallory')).slice(0, -8)}AAAAAAAA`;
    const anonymous = [
      (await request(app).get('/api/v1/things/whoami')).status,
      (await request(app).get('/api/v1/things/whoami').set('Authorization', forged)).status,
      (await request(app).get('/api/v1/things/whoami')).status,
    ];
    expect(anonymous).toEqual([401, 401, 429]);
    // Probes and scrapes are never limited.
    expect((await request(app).get('/healthz')).status).toBe(200);
    expect((await request(app).get('/readyz')).status).toBe(200);
    // express-rate-limit finds nothing wrong with its configuration (it logs such findings as errors).
    expect(lines.filter((l) => Number(l.level) >= 50)).toEqual([]);
  });

  it('sends no RateLimit headers (behind the gateway they would replace the gateway’s own)', async () => {
    const res = await request(service())
      .get('/api/v1/things/whoami')
      .set('Authorization', await token('carol'));
    expect(res.status).toBe(200);
    expect(res.headers.ratelimit).toBeUndefined();
    expect(res.headers['ratelimit-policy']).toBeUndefined();
  });

  it('is on by default with high limits read from SERVICE_RATE_LIMIT_*, and can be turned off in code', async () => {
    const config = loadConfig(BaseConfigSchema, {});
    expect(config).toMatchObject({
      SERVICE_RATE_LIMIT_WINDOW_MS: 60_000,
      SERVICE_RATE_LIMIT_MAX: 10_000,
      SERVICE_RATE_LIMIT_ANON_MAX: 1_000,
      TRUST_PROXY: false,
    });
    const logger = createLogger({ name: 'test', level: 'silent' });
    const env = { SERVICE_RATE_LIMIT_ANON_MAX: '1', TRUST_PROXY: 'loopback' };
    const ctx = serviceContextOf(loadConfig(BaseConfigSchema, env), logger);
    expect(ctx.rateLimit).toEqual({ windowMs: 60_000, max: 10_000, anonymousMax: 1 });
    expect(ctx.trustProxy).toBe('loopback');
    const limited = service({ rateLimit: ctx.rateLimit! });
    expect((await request(limited).get('/api/v1/things/whoami')).status).toBe(401);
    expect((await request(limited).get('/api/v1/things/whoami')).status).toBe(429);
    const unlimited = service({ rateLimit: false });
    for (let i = 0; i < 3; i++)
      expect((await request(unlimited).get('/api/v1/things/whoami')).status).toBe(401);
  });

  it('ignores X-Forwarded-For for the per-IP count unless TRUST_PROXY names the proxy', async () => {
    const limits = { max: 10, anonymousMax: 1, windowMs: 60_000 };
    const from = (app: ReturnType<typeof service>, ip: string) =>
      request(app).get('/api/v1/things/whoami').set('X-Forwarded-For', ip);
    // Default: the peer's address counts, whatever the header claims.
    const direct = service({ rateLimit: limits });
    expect((await from(direct, '203.0.113.1')).status).toBe(401);
    expect((await from(direct, '203.0.113.2')).status).toBe(429);
    // Behind a trusted proxy (here: loopback) the forwarded client IP counts.
    const proxied = service({ rateLimit: limits, trustProxy: 'loopback' });
    expect((await from(proxied, '203.0.113.1')).status).toBe(401);
    expect((await from(proxied, '203.0.113.2')).status).toBe(401);
    expect((await from(proxied, '203.0.113.1')).status).toBe(429);
  });
});
