import request from 'supertest';
import { describeModuleBasics } from '@honglian/testkit';
import { SERVICE, memberCheckinModule } from '../src/index.js';
import { QR_SECRET, startCheckin, type Harness } from './support.js';

/** Every route documented (the kit's basics, below, check health, metrics, problems and tokens). */
describe(`${SERVICE.name} OpenAPI document`, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startCheckin();
  });
  afterAll(() => h.close());

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
});

describeModuleBasics(memberCheckinModule, {
  settings: (fromEnv) => ({ ...fromEnv, qrSecret: QR_SECRET, scanIntervalMs: 0 }),
});
