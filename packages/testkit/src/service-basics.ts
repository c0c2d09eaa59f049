import request from 'supertest';
import { FixedClock, createLogger, type ServiceContext, type ServiceHandle } from '@honglian/service-kit';

/** A context for building a service in tests: silent logs, a fixed clock. */
export function testContext(overrides: Partial<ServiceContext> = {}): ServiceContext {
  return {
    logger: createLogger({ name: 'test', level: 'silent' }),
    clock: new FixedClock('2026-06-30T08:00:00+08:00'),
    ...overrides,
  };
}

/**
 * What every service answers whatever its domain: health, readiness,
 * metrics, its OpenAPI document, and problem+json for unknown routes,
 * malformed bodies and malformed paths.
 */
export function describeServiceBasics(
  spec: { name: string; prefix: string; title: string },
  create: (ctx: ServiceContext) => ServiceHandle,
): void {
  describe(`${spec.name} service basics`, () => {
    const service = create(testContext());

    it('answers /healthz and /readyz', async () => {
      expect((await request(service.app).get('/healthz')).body).toEqual({ status: 'ok' });
      expect((await request(service.app).get('/readyz')).status).toBe(200);
    });

    it('serves its OpenAPI 3.1 document', async () => {
      const res = await request(service.app).get('/openapi.json');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ openapi: '3.1.0', info: { title: spec.title } });
    });

    it('serves Prometheus metrics labelled with its name', async () => {
      const res = await request(service.app).get('/metrics');
      expect(res.text).toContain(`service="${spec.name}"`);
    });

    it('answers unknown routes and malformed JSON with problem+json', async () => {
      const missing = await request(service.app).get(`${spec.prefix}/no-such-thing`);
      expect(missing.status).toBe(404);
      expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
      const malformed = await request(service.app)
        .post(`${spec.prefix}/no-such-thing`)
        .set('content-type', 'application/json')
        .send('{oops');
      expect(malformed.status).toBe(400);
      expect(malformed.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(malformed.text).not.toMatch(/at .*\.js:\d+/);
    });

    it('answers a path that does not decode (malformed percent-encoding) with 400 problem+json', async () => {
      const res = await request(service.app).get(`${spec.prefix}/no-such-thing/%E0%A4%A`);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    });
  });
}
