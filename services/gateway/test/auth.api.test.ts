import request from 'supertest';
import { TEST_USERS, bearer, brokenTokens, startTestIssuer, type TestIssuer } from '@honglian/testkit';
import { startBackends, startGateway } from './support.js';

let issuer: TestIssuer;
let backends: Awaited<ReturnType<typeof startBackends>>;
let gateway: Awaited<ReturnType<typeof startGateway>>;

beforeAll(async () => {
  issuer = await startTestIssuer();
  backends = await startBackends(issuer, [['org-registry', '/api/v1/registry']]);
  gateway = await startGateway({ auth: issuer.authenticator(), services: backends.urls });
});
afterAll(async () => {
  await gateway.close();
  await backends.close();
  await issuer.close();
});

const PROTECTED = '/api/v1/registry/county-only';

describe('tokens through the gateway', () => {
  it('answers 401 to each broken token (testkit’s matrix), then 403 without the role, then 200 with it — all problem+json', async () => {
    const admin = TEST_USERS.countyAdmin331003;
    const cases = await brokenTokens(issuer, admin);
    // The gateway decides on its own: in front of a service that is down, it still answers 401, not 503.
    const alone = await startGateway({
      auth: issuer.authenticator(),
      services: { 'org-registry': 'http://127.0.0.1:1' },
    });
    try {
      for (const url of [gateway.url, alone.url]) {
        for (const { name, token, challenge } of cases) {
          const call = request(url).get(PROTECTED);
          const res = await (token === undefined ? call : call.set(bearer(token)));
          expect({ name, status: res.status, challenge: res.headers['www-authenticate'] }).toEqual({
            name,
            status: 401,
            challenge,
          });
          expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
          expect(res.body).toMatchObject({ status: 401, title: 'Unauthorized' });
        }
      }
    } finally {
      await alone.close();
    }

    const noRole = await request(gateway.url)
      .get(PROTECTED)
      .set(bearer(await issuer.token(TEST_USERS.noRole)));
    expect(noRole.status).toBe(403);
    expect(noRole.headers['content-type']).toMatch(/^application\/problem\+json/);

    const ok = await request(gateway.url)
      .get(PROTECTED)
      .set(bearer(await issuer.token(admin)));
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ county: '331003' });
  });

  it('accepts tokens signed by a key published after start, without a restart', async () => {
    const before = await issuer.token(TEST_USERS.countyAdmin331003);
    expect((await request(gateway.url).get(PROTECTED).set(bearer(before))).status).toBe(200);
    issuer.keys.rotate();
    const after = await issuer.token(TEST_USERS.countyAdmin331003);
    expect((await request(gateway.url).get(PROTECTED).set(bearer(after))).status).toBe(200);
    // Tokens signed before the rotation stay valid while the old key is published.
    expect((await request(gateway.url).get(PROTECTED).set(bearer(before))).status).toBe(200);
  });

  it('lets a service refuse a request that did not come with a token, even past the gateway', async () => {
    const direct = await request(backends.urls['org-registry']!).get('/api/v1/registry/echo');
    expect(direct.status).toBe(401);
    expect(direct.headers['www-authenticate']).toBe('Bearer');
    const forged = await request(backends.urls['org-registry']!)
      .get('/api/v1/registry/echo')
      .set(bearer(await issuer.token(TEST_USERS.cityAdmin, { foreignKey: true })));
    expect(forged.status).toBe(401);
  });
});

describe('token times', () => {
  it('refuses a token issued or valid only in the future (401 invalid_token), at the gateway and at the service', async () => {
    const now = Math.floor(Date.now() / 1000);
    const user = { ...TEST_USERS.countyAdmin331003, sub: 'time-traveller' };
    const future = {
      iat: await issuer.token(user, { expiresIn: 7200, claims: { iat: now + 3600 } }),
      nbf: await issuer.token(user, { expiresIn: 7200, claims: { nbf: now + 3600 } }),
    };
    const direct = backends.urls['org-registry']!;
    for (const [claim, token] of Object.entries(future)) {
      for (const base of [gateway.url, direct]) {
        const res = await request(base).get(PROTECTED).set(bearer(token));
        expect({ claim, base, status: res.status }).toEqual({ claim, base, status: 401 });
        expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
    }
    // Clocks a little apart (within the 60 s allowance) are fine.
    const skewed = await issuer.token(user, { claims: { iat: now + 20 } });
    expect((await request(gateway.url).get(PROTECTED).set(bearer(skewed))).status).toBe(200);
  });
});

describe('rate limits', () => {
  it('answers 429 with Retry-After once a caller exceeds its limit, counting callers apart', async () => {
    const limited = await startGateway({
      auth: issuer.authenticator(),
      services: backends.urls,
      settings: { rateLimit: { max: 3, anonymousMax: 2, windowMs: 60_000 } },
    });
    try {
      const alice = bearer(await issuer.token({ ...TEST_USERS.countyAdmin331003, sub: 'alice' }));
      const bob = bearer(await issuer.token({ ...TEST_USERS.countyAdmin331003, sub: 'bob' }));
      for (let i = 0; i < 3; i++) {
        expect((await request(limited.url).get('/api/v1/registry/echo').set(alice)).status).toBe(200);
      }
      const over = await request(limited.url).get('/api/v1/registry/echo').set(alice);
      expect(over.status).toBe(429);
      expect(over.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
      // Another caller has its own budget.
      expect((await request(limited.url).get('/api/v1/registry/echo').set(bob)).status).toBe(200);
      // Without a valid token, the client IP is counted, with the lower limit.
      const anonymous = [];
      for (let i = 0; i < 3; i++)
        anonymous.push((await request(limited.url).get('/api/v1/registry/echo')).status);
      expect(anonymous).toEqual([401, 401, 429]);
    } finally {
      await limited.close();
    }
  });

  it('counts the peer address, not X-Forwarded-For, unless TRUST_PROXY names the proxy', async () => {
    const rateLimit = { max: 10, anonymousMax: 1, windowMs: 60_000 };
    const from = (url: string, ip: string) =>
      request(url).get('/api/v1/registry/echo').set('X-Forwarded-For', ip);
    const direct = await startGateway({
      auth: issuer.authenticator(),
      services: backends.urls,
      settings: { rateLimit },
    });
    const proxied = await startGateway({
      auth: issuer.authenticator(),
      services: backends.urls,
      settings: { rateLimit, trustProxy: 'loopback' },
    });
    try {
      // Default (TRUST_PROXY unset): a local process cannot pick its client IP.
      expect((await from(direct.url, '203.0.113.1')).status).toBe(401);
      expect((await from(direct.url, '203.0.113.2')).status).toBe(429);
      // Behind a proxy the operator trusts (here loopback), the forwarded client IP counts.
      expect((await from(proxied.url, '203.0.113.1')).status).toBe(401);
      expect((await from(proxied.url, '203.0.113.2')).status).toBe(401);
      expect((await from(proxied.url, '203.0.113.1')).status).toBe(429);
    } finally {
      await direct.close();
      await proxied.close();
    }
  });
});
