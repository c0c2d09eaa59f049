import type { AnyServiceModule } from '@honglian/service-kit';
import request from 'supertest';
import { startModule, type ModuleHarness, type ModuleHarnessOptions } from './module-harness.js';

/**
 * What every module-built service answers once the kit started it: healthy, ready with its
 * database (and outbox, bus) checks, its OpenAPI document, metrics labelled with its name,
 * problem+json for unknown routes, malformed JSON and undecodable paths, and the consumer groups
 * it declared. The module counterpart of `describeServiceBasics`.
 */
export function describeModuleBasics<M extends AnyServiceModule>(
  module: M,
  opts: ModuleHarnessOptions<M> = {},
): void {
  describe(`${module.name} module basics`, () => {
    let h: ModuleHarness<M>;
    beforeAll(async () => {
      h = await startModule(module, opts);
    });
    afterAll(async () => h?.close());

    it('is ready once started, with the kit’s checks', async () => {
      const res = await request(h.service.app).get('/readyz');
      expect(res.status).toBe(200);
      expect(res.body.checks.mongodb).toEqual({ ok: true });
      if (module.outbox) expect(res.body.checks.outbox).toEqual({ ok: true });
      if (h.service.consumers.length > 0) expect(res.body.checks.bus).toEqual({ ok: true });
    });

    it('serves its OpenAPI document', async () => {
      const res = await request(h.service.app).get('/openapi.json');
      expect(res.body).toMatchObject({ openapi: '3.1.0', info: { title: module.title } });
    });

    it('answers /healthz and serves Prometheus metrics labelled with its name', async () => {
      expect((await request(h.service.app).get('/healthz')).body).toEqual({ status: 'ok' });
      expect((await request(h.service.app).get('/metrics')).text).toContain(`service="${module.name}"`);
    });

    it('answers unknown routes, malformed JSON and undecodable paths with problem+json', async () => {
      const res = await request(h.service.app).get(`${module.prefix}/no-such-thing`);
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      const malformed = await request(h.service.app)
        .post(`${module.prefix}/no-such-thing`)
        .set('content-type', 'application/json')
        .send('{oops');
      expect(malformed.status).toBe(400);
      expect(malformed.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(malformed.text).not.toMatch(/at .*\.js:\d+/);
      const undecodable = await request(h.service.app).get(`${module.prefix}/no-such-thing/%E0%A4%A`);
      expect(undecodable.status).toBe(400);
      expect(undecodable.headers['content-type']).toMatch(/^application\/problem\+json/);
    });

    it('names its consumer groups after itself', () => {
      for (const c of h.service.consumers) expect(c.group.startsWith(`${module.name}.`)).toBe(true);
    });
  });
}
