import request from 'supertest';
import { createApp } from '../src/index.js';
import { memoryLogger } from './helpers.js';

describe('/metrics with METRICS_TOKEN', () => {
  const token = 'scrape-secret-0123456789';
  const { app } = createApp({ name: 'svc', logger: memoryLogger('svc').logger, metricsToken: token });

  it('answers 401 problem+json without the token or with another one', async () => {
    for (const header of [undefined, 'Bearer wrong-token-0123456789', token]) {
      const req = request(app).get('/metrics');
      const res = await (header ? req.set('authorization', header) : req);
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.text).not.toMatch(/http_requests/);
    }
  });

  it('serves Prometheus text with the token; health stays open', async () => {
    const res = await request(app).get('/metrics').set('authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toMatch(/# TYPE/);
    expect((await request(app).get('/healthz')).status).toBe(200);
  });

  it('is open without a configured token (internal ports only)', async () => {
    const open = createApp({ name: 'svc', logger: memoryLogger('svc').logger }).app;
    expect((await request(open).get('/metrics')).status).toBe(200);
  });
});
