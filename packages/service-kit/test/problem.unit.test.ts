import express from 'express';
import request from 'supertest';
import { createApp, createLogger, notFound, problemErrorHandler } from '../src/index.js';
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
    const res = await request(app)
      .post('/form')
      .type('form')
      .set('accept-language', 'en')
      .send('a=1&b=2&c=3&d=4&e=5');
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

describe('problem+json speaks the language the client prefers', () => {
  const { app: langApp } = createApp({
    name: 'lang-test',
    logger: createLogger({ name: 'test', level: 'silent' }),
    routes: (a) =>
      a.get('/missing', () => {
        throw notFound();
      }),
  });

  it('Chinese by default, English when Accept-Language prefers it; both always in reason', async () => {
    const zh = await request(langApp).get('/missing');
    expect(zh.status).toBe(404);
    expect(zh.headers['content-language']).toBe('zh-CN');
    expect(zh.headers.vary).toMatch(/Accept-Language/i);
    expect(zh.body).toMatchObject({
      detail: '记录不存在或不在您的管辖范围内',
      reason: {
        zh: '记录不存在或不在您的管辖范围内',
        en: 'The resource does not exist or is outside your scope.',
      },
    });
    const en = await request(langApp).get('/missing').set('accept-language', 'en-US,en;q=0.9,zh;q=0.5');
    expect(en.headers['content-language']).toBe('en');
    expect(en.body.detail).toBe('The resource does not exist or is outside your scope.');
    const zhFirst = await request(langApp).get('/missing').set('accept-language', 'zh-CN,zh;q=0.9,en;q=0.8');
    expect(zhFirst.body.detail).toBe('记录不存在或不在您的管辖范围内');
    // A route the app does not have, a malformed body: the kit's own problems too.
    expect((await request(langApp).get('/nope')).body.reason).toEqual({
      zh: expect.stringMatching(/[\u4e00-\u9fff]/),
      en: expect.any(String),
    });
  });
});
