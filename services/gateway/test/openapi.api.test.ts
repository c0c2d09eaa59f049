import http from 'node:http';
import request from 'supertest';
import { startTestIssuer } from '@honglian/testkit';
import { cachedMergedOpenApi } from '../src/index.js';
import { startGateway } from './support.js';

describe('merged OpenAPI document', () => {
  it('fetches each service’s document once per burst of requests, not once per request', async () => {
    let fetches = 0;
    const service = http.createServer((req, res) => {
      if (req.url === '/openapi.json') fetches += 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ openapi: '3.1.0', paths: { '/api/v1/assessment/x': {} } }));
    });
    await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
    const issuer = await startTestIssuer();
    const gateway = await startGateway({
      auth: issuer.authenticator(),
      services: { assessment: `http://127.0.0.1:${(service.address() as { port: number }).port}` },
    });
    try {
      const answers = await Promise.all(
        Array.from({ length: 5 }, () => request(gateway.url).get('/openapi.json')),
      );
      for (const res of answers) expect(Object.keys(res.body.paths)).toEqual(['/api/v1/assessment/x']);
      expect(fetches).toBe(1);
    } finally {
      await gateway.close();
      await issuer.close();
      service.closeAllConnections();
      await new Promise((resolve) => service.close(resolve));
    }
  });

  it('loads again once the cached document is older than its lifetime, or after a failure', async () => {
    let clock = 0;
    let loads = 0;
    let fail = false;
    const cached = cachedMergedOpenApi(
      async () => {
        loads += 1;
        if (fail) throw new Error('boom');
        return { loads };
      },
      { ttlMs: 1000, now: () => clock },
    );
    expect(await cached()).toEqual({ loads: 1 });
    clock = 999;
    expect(await cached()).toEqual({ loads: 1 });
    clock = 1000;
    fail = true;
    await expect(cached()).rejects.toThrow('boom');
    fail = false;
    expect(await cached()).toEqual({ loads: 3 });
  });
});
