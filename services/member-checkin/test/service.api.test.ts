import request from 'supertest';
import { SERVICE } from '../src/index.js';
import { startCheckin, type Harness } from './support.js';

/** What every service answers (testkit's describeServiceBasics needs a service without a database). */
describe(`${SERVICE.name} service basics`, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startCheckin();
  });
  afterAll(() => h.close());

  it('answers /healthz and /readyz (database and outbox)', async () => {
    expect((await request(h.service.app).get('/healthz')).body).toEqual({ status: 'ok' });
    const ready = await request(h.service.app).get('/readyz');
    expect(ready.status).toBe(200);
  });

  it('serves its OpenAPI 3.1 document with every route', async () => {
    const res = await request(h.service.app).get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ openapi: '3.1.0', info: { title: SERVICE.title } });
    const paths = Object.keys(res.body.paths);
    for (const p of [
      '/api/v1/checkin/reports',
      '/api/v1/checkin/reports/{id}/confirm',
      '/api/v1/checkin/activities/{id}/qr',
      '/api/v1/checkin/attendances/check-in',
      '/api/v1/checkin/units/{unitId}/feedback',
      '/api/v1/checkin/members/{id}/summary',
    ])
      expect(paths).toContain(p);
  });

  it('serves Prometheus metrics labelled with its name', async () => {
    expect((await request(h.service.app).get('/metrics')).text).toContain(`service="${SERVICE.name}"`);
  });

  it('answers unknown routes and malformed JSON with problem+json', async () => {
    const missing = await request(h.service.app).get(`${SERVICE.prefix}/no-such-thing`);
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
    const malformed = await request(h.service.app)
      .post(`${SERVICE.prefix}/reports`)
      .set('content-type', 'application/json')
      .send('{oops');
    expect(malformed.status).toBe(400);
    expect(malformed.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(malformed.text).not.toMatch(/at .*\.js:\d+/);
  });
});
