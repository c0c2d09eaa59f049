import express from 'express';
import request from 'supertest';
import { problemErrorHandler } from '../src/index.js';
import { memoryLogger } from './helpers.js';

/** Client errors raised by parsers other than JSON keep their 4xx status: never a 500. */
describe('problem+json for other parsers’ client errors', () => {
  const { logger, lines } = memoryLogger('svc');
  const app = express();
  app.post('/form', express.urlencoded({ extended: false, parameterLimit: 3 }), (_req, res) => {
    res.json({ ok: true });
  });
  // A bare express router (no kit app in front) decoding a param itself.
  app.get('/orgs/:id', (req, res) => {
    res.json({ id: req.params.id });
  });
  app.use(problemErrorHandler(logger));

  it('answers a form with too many fields with 413, not 500, and logs no error', async () => {
    const res = await request(app).post('/form').type('form').send('a=1&b=2&c=3&d=4&e=5');
    expect(res.status).toBe(413);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 413, detail: 'The request body has too many parameters.' });
    expect(lines.filter((l) => Number(l.level) >= 50)).toEqual([]);
  });

  it('still accepts a form within the limit', async () => {
    expect((await request(app).post('/form').type('form').send('a=1')).body).toEqual({ ok: true });
  });

  it('answers a path param the router cannot decode with 400, not 500, and logs no error', async () => {
    const res = await request(app).get('/orgs/%E0%A4%A');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 400, title: 'Malformed request path' });
    expect(lines.filter((l) => Number(l.level) >= 50)).toEqual([]);
  });
});
