import request from 'supertest';
import { z } from 'zod';
import {
  ApiRouter,
  HttpProblem,
  buildOpenApiDocument,
  createApp,
  createOpenApiRegistry,
  type Authenticator,
  type Principal,
} from '../src/index.js';
import { memoryLogger } from './helpers.js';

const Org = z.strictObject({ name: z.string().min(1).max(100), kind: z.enum(['street', 'community']) });

function build(opts: { principal?: Principal } = {}) {
  const { logger, lines } = memoryLogger('svc');
  const registry = createOpenApiRegistry();
  const auth: Authenticator = {
    async authenticate() {
      if (!opts.principal)
        throw new HttpProblem(401, 'Missing bearer token', { headers: { 'WWW-Authenticate': 'Bearer' } });
      return opts.principal;
    },
  };
  const api = new ApiRouter({ registry, basePath: '/api/v1/things', auth });
  api
    .route(
      {
        method: 'post',
        path: '/orgs',
        summary: 'Create',
        roles: ['county-admin'],
        request: { body: Org },
        responses: { 201: { description: 'Created', schema: Org } },
      },
      ({ body, principal }) => ({ status: 201, body: { ...body, by: principal.subject } }),
    )
    .route(
      {
        method: 'get',
        path: '/orgs/:id',
        summary: 'Read',
        request: {
          params: z.object({ id: z.string().regex(/^o\d+$/) }),
          query: z.strictObject({ asOf: z.iso.date().optional() }),
        },
        responses: { 200: { description: 'The org' } },
      },
      ({ params, query }) => ({ body: { id: params.id, asOf: query.asOf ?? null } }),
    )
    .route(
      {
        method: 'get',
        path: '/boom',
        summary: 'Fails',
        public: true,
        responses: { 200: { description: 'never' } },
      },
      () => {
        throw new Error('secret internals at /srv/app.js:12');
      },
    );
  const svc = createApp({
    name: 'svc',
    logger,
    bodyLimit: '2kb',
    openapi: () => buildOpenApiDocument(registry, { title: 'Things', version: '1.0.0' }),
    routes: (app) => app.use('/api/v1/things', api.router),
  });
  return { ...svc, lines };
}

const admin: Principal = { subject: 'u1', roles: ['county-admin'], county: '331003' };

describe('service app', () => {
  it('answers /healthz with {"status":"ok"}', async () => {
    const res = await request(build().app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('reports readiness from registered checks, including failing and hanging ones', async () => {
    const { app, readiness } = build();
    readiness.register('database', () => ({ ok: true }));
    expect((await request(app).get('/readyz')).status).toBe(200);
    readiness.register('bus', async () => {
      throw new Error('broker unreachable');
    });
    const res = await request(app).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body.checks.bus).toEqual({ ok: false, detail: 'broker unreachable' });
    expect(res.body.checks.database).toEqual({ ok: true });
  });

  it('serves Prometheus metrics that count requests by route pattern', async () => {
    const { app } = build({ principal: admin });
    await request(app).get('/api/v1/things/orgs/o1');
    const res = await request(app).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toMatch(
      /http_requests_total\{method="GET",route="\/api\/v1\/things\/orgs\/:id",status="200",service="svc"\} 1/,
    );
    expect(res.text).toMatch(/process_cpu_user_seconds_total/);
  });

  it('answers an unknown route with 404 problem+json', async () => {
    const res = await request(build().app).get('/nope');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      instance: '/nope',
    });
  });

  it('answers malformed JSON with 400 problem+json and an oversized body with 413', async () => {
    const { app } = build({ principal: admin });
    const bad = await request(app)
      .post('/api/v1/things/orgs')
      .set('content-type', 'application/json')
      .set('accept-language', 'en')
      .send('{"name": ');
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(bad.body.detail).toBe('The request body is not valid JSON.');
    const big = await request(app)
      .post('/api/v1/things/orgs')
      .send({ name: 'x'.repeat(5000), kind: 'street' });
    expect(big.status).toBe(413);
    expect(big.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('answers validation errors with 400 naming the failing fields, unknown fields included', async () => {
    const res = await request(build({ principal: admin }).app)
      .post('/api/v1/things/orgs')
      .send({ name: '', kind: 'galaxy', colour: 'red' });
    expect(res.status).toBe(400);
    const names = res.body.invalid_params.map((p: { name: string }) => p.name).sort();
    expect(names).toEqual(['body', 'body.kind', 'body.name']);
    expect(JSON.stringify(res.body.invalid_params)).toMatch(/colour/);
    // Each reason in both languages (zod's zh-CN messages), the detail in Chinese by default.
    const kind = res.body.invalid_params.find((p: { name: string }) => p.name === 'body.kind');
    expect(kind).toMatchObject({
      reason: expect.stringMatching(/[a-z]/),
      reason_zh: expect.stringMatching(/[\u4e00-\u9fff]/),
    });
    expect(res.body.detail).toMatch(/^请求无效：/);
    expect(res.body.reason.en).toMatch(/^Invalid request: /);
  });

  it('validates params and query', async () => {
    const { app } = build({ principal: admin });
    expect((await request(app).get('/api/v1/things/orgs/xyz')).body.invalid_params[0].name).toBe('params.id');
    const q = await request(app).get('/api/v1/things/orgs/o1?asOf=yesterday');
    expect(q.status).toBe(400);
    expect(q.body.invalid_params[0].name).toBe('query.asOf');
    expect((await request(app).get('/api/v1/things/orgs/o1?asOf=2026-01-31')).body).toEqual({
      id: 'o1',
      asOf: '2026-01-31',
    });
  });

  it('needs a token (401) and the role (403)', async () => {
    const anonymous = await request(build().app)
      .post('/api/v1/things/orgs')
      .send({ name: 'A', kind: 'street' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toBe('Bearer');
    const member = await request(build({ principal: { subject: 'm', roles: ['member'] } }).app)
      .post('/api/v1/things/orgs')
      .send({ name: 'A', kind: 'street' });
    expect(member.status).toBe(403);
    const ok = await request(build({ principal: admin }).app)
      .post('/api/v1/things/orgs')
      .send({ name: 'A', kind: 'street' });
    expect(ok.status).toBe(201);
    expect(ok.body).toEqual({ name: 'A', kind: 'street', by: 'u1' });
  });

  it('answers an unexpected error with an opaque 500 and logs it', async () => {
    const { app, lines } = build();
    const res = await request(app).get('/api/v1/things/boom');
    expect(res.status).toBe(500);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.text).not.toMatch(/secret internals|\.js:\d+|at /);
    expect(lines.some((l) => l.msg === 'unhandled error')).toBe(true);
  });

  it('keeps a sane request id, replaces an unsafe one, and logs it', async () => {
    const { app, lines } = build();
    const kept = await request(app).get('/nope').set('x-request-id', 'abc-123');
    expect(kept.headers['x-request-id']).toBe('abc-123');
    const replaced = await request(app).get('/nope').set('x-request-id', 'bad id; drop');
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines.some((l) => (l.req as { id?: string } | undefined)?.id === 'abc-123')).toBe(true);
  });

  it('sets security headers and hides the framework', async () => {
    const res = await request(build().app).get('/healthz');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('publishes an OpenAPI 3.1 document built from the route schemas', async () => {
    const res = await request(build().app).get('/openapi.json');
    expect(res.body.openapi).toBe('3.1.0');
    const post = res.body.paths['/api/v1/things/orgs'].post;
    expect(post.security).toEqual([{ bearerAuth: [] }]);
    expect(post.requestBody.content['application/json'].schema.properties.kind.enum).toEqual([
      'street',
      'community',
    ]);
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '403']));
    const get = res.body.paths['/api/v1/things/orgs/{id}'].get;
    expect(get.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual(
      expect.arrayContaining(['path:id', 'query:asOf']),
    );
    // A public operation documents that it needs no token (a gateway's bearer default does not apply).
    expect(res.body.paths['/api/v1/things/boom'].get.security).toEqual([]);
  });

  it('answers a path whose percent-encoding does not decode with 400 problem+json, not 500', async () => {
    const { app } = build({ principal: admin });
    for (const path of ['/api/v1/things/orgs/%E0%A4%A', '/api/v1/things/orgs/%zz', '/nope/%C0']) {
      const res = await request(app).get(path).set('accept-language', 'en');
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({
        title: 'Malformed request path',
        status: 400,
        detail: 'The request path contains a malformed percent-encoding.',
        reason: { zh: expect.any(String), en: expect.any(String) },
      });
    }
    // Well-formed encodings still reach the route (and its validation).
    expect((await request(app).get('/api/v1/things/orgs/%6F1')).body).toEqual({ id: 'o1', asOf: null });
  });

  it('logs the path and query parameter names of a request, never the query values', async () => {
    const { app, lines } = build({ principal: admin });
    await request(app).get('/api/v1/things/orgs/o1?q=13800138000&asOf=2026-01-31');
    await request(app).get('/nope?phone=13800138000&flag');
    const logged = JSON.stringify(lines);
    expect(logged).not.toContain('13800138000');
    expect(logged).not.toContain('2026-01-31');
    const requests = lines.map((l) => l.req as { url: string; query: unknown } | undefined);
    expect(requests).toContainEqual(
      expect.objectContaining({
        url: '/api/v1/things/orgs/o1?q=[redacted]&asOf=[redacted]',
        query: { q: '[redacted]', asOf: '[redacted]' },
      }),
    );
    expect(requests).toContainEqual(expect.objectContaining({ url: '/nope?phone=[redacted]&flag' }));
  });

  it('refuses to declare a protected route without an authenticator', () => {
    const api = new ApiRouter({ registry: createOpenApiRegistry(), basePath: '' });
    expect(() =>
      api.route({ method: 'get', path: '/x', summary: 'x', responses: {} }, () => undefined),
    ).toThrow(/no authenticator/);
  });
});
