import { Writable } from 'node:stream';
import request from 'supertest';
import { createApp, createLogger } from '../src/index.js';

// Above info, requests are not logged one by one; failures still are, in pino-http's shape.

function build(level: string) {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const { app } = createApp({
    name: 'svc',
    logger: createLogger({ name: 'svc', level, destination }),
    routes: (a) => {
      a.get('/ok', (_req, res) => {
        res.json({ ok: true });
      });
      a.get('/down', (_req, res) => {
        res.status(503).json({ down: true });
      });
    },
  });
  return { app, lines };
}

describe('request logging', () => {
  it('at warn: keeps request ids, logs nothing for successes and a "request errored" line for a 5xx', async () => {
    const { app, lines } = build('warn');
    const ok = await request(app).get('/ok?phone=13800138000').set('x-request-id', 'req-1');
    expect(ok.headers['x-request-id']).toBe('req-1');
    expect((await request(app).get('/ok')).headers['x-request-id']).toMatch(/^[\w-]{36}$/);
    const down = await request(app).get('/down?phone=13800138000').set('x-request-id', 'req-2');
    expect(down.status).toBe(503);
    await request(app).get('/readyz');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 50,
      msg: 'request errored',
      req: { id: 'req-2', method: 'GET', url: '/down?phone=[redacted]', query: { phone: '[redacted]' } },
      res: { statusCode: 503 },
      err: { message: 'failed with status code 503' },
    });
    expect(typeof lines[0]!.responseTime).toBe('number');
    expect(JSON.stringify(lines)).not.toContain('13800138000');
  });

  it('at info: every request, as pino-http logs it', async () => {
    const { app, lines } = build('info');
    await request(app).get('/ok').set('authorization', 'Bearer secret-token');
    await request(app).get('/down');
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [30, 'request completed'],
      [50, 'request errored'],
    ]);
    expect(lines[0]).toMatchObject({ req: { url: '/ok', headers: { authorization: '[redacted]' } } });
  });
});
