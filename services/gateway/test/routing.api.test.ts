import http from 'node:http';
import { Writable } from 'node:stream';
import { createLogger } from '@honglian/service-kit';
import request from 'supertest';
import { TEST_USERS, bearer, startTestIssuer, type TestIssuer } from '@honglian/testkit';
import { startBackends, startGateway } from './support.js';

let issuer: TestIssuer;
let backends: Awaited<ReturnType<typeof startBackends>>;
let gateway: Awaited<ReturnType<typeof startGateway>>;
let auth: { Authorization: string };

const CLOSED_PORT_URL = 'http://127.0.0.1:1';

beforeAll(async () => {
  issuer = await startTestIssuer();
  backends = await startBackends(issuer, [
    ['org-registry', '/api/v1/registry'],
    ['member-checkin', '/api/v1/checkin'],
  ]);
  gateway = await startGateway({
    auth: issuer.authenticator(),
    // volunteer-points is down; the others are not configured at all.
    services: { ...backends.urls, 'volunteer-points': CLOSED_PORT_URL },
    settings: { proxyBodyLimitBytes: 64 * 1024, corsOrigins: ['https://app.example.org'] },
  });
  auth = bearer(await issuer.token({ ...TEST_USERS.cityAdmin, sub: 'routing-user' }));
});
afterAll(async () => {
  await gateway.close();
  await backends.close();
  await issuer.close();
});

describe('routing', () => {
  it('sends each prefix to its service with the request id and trace context', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const res = await request(gateway.url)
      .get('/api/v1/registry/echo?x=1')
      .set(auth)
      .set('x-request-id', 'req-abc-123')
      .set('traceparent', traceparent);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      url: '/api/v1/registry/echo?x=1',
      requestId: 'req-abc-123',
      traceparent,
      subject: 'routing-user',
    });
    expect(res.body.forwardedFor).toMatch(/127\.0\.0\.1/);
    expect(res.headers['x-request-id']).toBe('req-abc-123');
    const checkin = await request(gateway.url).get('/api/v1/checkin/echo').set(auth);
    expect(checkin.body.url).toBe('/api/v1/checkin/echo');
  });

  it('gives a request without an id one, and the service sees the same id', async () => {
    const res = await request(gateway.url).get('/api/v1/registry/echo').set(auth);
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.requestId).toBe(res.headers['x-request-id']);
  });

  it('streams request bodies through unparsed, and refuses bodies over the limit with 413', async () => {
    const ok = await request(gateway.url)
      .post('/api/v1/registry/echo')
      .set(auth)
      .send({ text: 'x'.repeat(10_000) });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ length: 10_000 });
    // The service, not the gateway, judges the JSON.
    const malformed = await request(gateway.url)
      .post('/api/v1/registry/echo')
      .set(auth)
      .set('content-type', 'application/json')
      .send('{"text": ');
    expect(malformed.status).toBe(400);
    const big = await request(gateway.url)
      .post('/api/v1/registry/echo')
      .set(auth)
      .send({ text: 'x'.repeat(100 * 1024) });
    expect(big.status).toBe(413);
    expect(big.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('caps bodies sent without Content-Length (chunked) too', async () => {
    /** POSTs `chunks` × 1 KiB of a JSON body with Transfer-Encoding: chunked. */
    const chunked = (chunks: number) =>
      new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
        const req = http.request(`${gateway.url}/api/v1/registry/echo`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        });
        req.on('response', (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (body += d));
          res.on('end', () =>
            resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body }),
          );
        });
        req.on('error', reject);
        req.write('{"text":"');
        for (let i = 0; i < chunks; i++) req.write('x'.repeat(1024));
        req.end('"}');
      });
    const small = await chunked(8);
    expect([small.status, JSON.parse(small.body)]).toEqual([200, { length: 8 * 1024 }]);
    const big = await chunked(80); // over the 64 KiB limit
    expect(big.status).toBe(413);
    expect(big.type).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(big.body)).toMatchObject({ status: 413 });
    // The connection pool and the gateway are fine afterwards.
    expect((await request(gateway.url).get('/api/v1/registry/echo').set(auth)).status).toBe(200);
  });

  it('answers an unknown prefix with 404 problem+json', async () => {
    const res = await request(gateway.url).get('/api/v1/nothing-here/x').set(auth);
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.detail).toBe('没有服务提供此路径');
    expect(res.body.reason.en).toMatch(/No service serves \/api\/v1\/nothing-here\/x/);
  });

  it('answers 503 problem+json when the service is down or has no address', async () => {
    for (const path of ['/api/v1/points/anything', '/api/v1/evaluation/anything']) {
      const res = await request(gateway.url).get(path).set(auth);
      expect({ path, status: res.status }).toEqual({ path, status: 503 });
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['retry-after']).toBeDefined();
    }
  });

  it('answers 504 problem+json when a service does not answer within the proxy timeout', async () => {
    const hanging = http.createServer(() => undefined); // accepts, never answers
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const port = (hanging.address() as { port: number }).port;
    const slow = await startGateway({
      auth: issuer.authenticator(),
      services: { assessment: `http://127.0.0.1:${port}` },
      settings: { proxyTimeoutMs: 200 },
    });
    try {
      const res = await request(slow.url).get('/api/v1/assessment/anything').set(auth);
      expect(res.status).toBe(504);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    } finally {
      await slow.close();
      hanging.closeAllConnections();
      await new Promise((resolve) => hanging.close(resolve));
    }
  });

  it('answers a path id that does not decode with 400 problem+json, without forwarding it', async () => {
    let forwarded = 0;
    const counting = http.createServer((_req, res) => {
      forwarded += 1;
      res.writeHead(500).end();
    });
    await new Promise<void>((resolve) => counting.listen(0, '127.0.0.1', resolve));
    const port = (counting.address() as { port: number }).port;
    const edge = await startGateway({
      auth: issuer.authenticator(),
      services: { 'org-registry': `http://127.0.0.1:${port}` },
    });
    try {
      for (const path of ['/api/v1/registry/orgs/%E0%A4%A', '/api/v1/registry/orgs/%zz/tree', '/docs/%C0']) {
        for (const headers of [auth, {}]) {
          const res = await request(edge.url).get(path).set(headers);
          expect({ path, status: res.status }).toEqual({ path, status: 400 });
          expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
          expect(res.body).toMatchObject({
            title: 'Malformed request path',
            reason: { zh: expect.any(String), en: expect.any(String) },
          });
        }
      }
      expect(forwarded).toBe(0);
      // The real service behind the other gateway: 400 there too.
      const res = await request(gateway.url).get('/api/v1/registry/orgs/%E0%A4%A').set(auth);
      expect(res.status).toBe(400);
    } finally {
      await edge.close();
      counting.closeAllConnections();
      await new Promise((resolve) => counting.close(resolve));
    }
  });

  it('logs request paths and query parameter names, never query values', async () => {
    const lines: string[] = [];
    const logger = createLogger({
      name: 'gateway',
      level: 'info',
      destination: new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    });
    const logged = await startGateway({ auth: issuer.authenticator(), services: backends.urls, logger });
    try {
      const res = await request(logged.url).get('/api/v1/registry/echo?q=13800138000&limit=20').set(auth);
      expect(res.status).toBe(200);
      expect(res.body.url).toBe('/api/v1/registry/echo?q=13800138000&limit=20'); // the service still gets it
      await request(logged.url).get('/api/v1/registry/echo?q=13800138000'); // 401, logged too
      expect(lines.length).toBeGreaterThanOrEqual(2);
      expect(lines.join('\n')).not.toContain('13800138000');
      const urls = lines.map((l) => (JSON.parse(l) as { req?: { url?: string } }).req?.url);
      expect(urls).toContain('/api/v1/registry/echo?q=[redacted]&limit=[redacted]');
    } finally {
      await logged.close();
    }
  });

  it('still asks for a token before telling anything about a known service', async () => {
    expect((await request(gateway.url).get('/api/v1/points/anything')).status).toBe(401);
  });
});

describe('API documents', () => {
  it('merges every reachable service’s OpenAPI paths and components, and says which were missing', async () => {
    const res = await request(gateway.url).get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/registry/whoami',
        '/api/v1/registry/echo',
        '/api/v1/registry/county-only',
        '/api/v1/checkin/whoami',
        '/api/v1/checkin/echo',
      ]),
    );
    expect(res.body.components.schemas).toHaveProperty('Problem');
    expect(res.body.components.securitySchemes).toHaveProperty('bearerAuth');
    expect(res.body['x-honglian-services']).toMatchObject({
      'org-registry': { ok: true },
      'member-checkin': { ok: true },
      'volunteer-points': { ok: false },
    });
  });

  it('serves the docs page and its assets from the gateway itself', async () => {
    const redirect = await request(gateway.url).get('/docs');
    expect(redirect.status).toBe(301);
    const page = await request(gateway.url).get('/docs/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toMatch(/swagger-ui/);
    expect(page.text).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
    const csp = page.headers['content-security-policy'] as string;
    expect(csp).toMatch(/script-src 'self'/);
    const script = await request(gateway.url).get('/docs/swagger-ui-bundle.js');
    expect(script.status).toBe(200);
    const init = await request(gateway.url).get('/docs/swagger-ui-init.js');
    expect(init.text).toMatch(/openapi\.json/);
  });
});

describe('health', () => {
  it('answers /healthz, and /readyz only when every service is ready', async () => {
    expect((await request(gateway.url).get('/healthz')).body).toEqual({ status: 'ok' });
    const notReady = await request(gateway.url).get('/readyz');
    expect(notReady.status).toBe(503);
    expect(notReady.body.checks).toMatchObject({
      'org-registry': { ok: true },
      'member-checkin': { ok: true },
      'volunteer-points': { ok: false },
    });
    const healthy = await startGateway({ auth: issuer.authenticator(), services: backends.urls });
    try {
      expect((await request(healthy.url).get('/readyz')).status).toBe(200);
    } finally {
      await healthy.close();
    }
  });
});

describe('CORS', () => {
  it('answers preflights from allowed origins and ignores others', async () => {
    const pre = await request(gateway.url)
      .options('/api/v1/registry/echo')
      .set('Origin', 'https://app.example.org')
      .set('Access-Control-Request-Method', 'GET')
      .set('Access-Control-Request-Headers', 'authorization');
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('https://app.example.org');
    expect(pre.headers['access-control-allow-headers']).toMatch(/Authorization/);
    const ok = await request(gateway.url)
      .get('/api/v1/registry/echo')
      .set(auth)
      .set('Origin', 'https://app.example.org');
    expect(ok.headers['access-control-allow-origin']).toBe('https://app.example.org');
    const other = await request(gateway.url)
      .get('/api/v1/registry/echo')
      .set(auth)
      .set('Origin', 'https://evil.example');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});
