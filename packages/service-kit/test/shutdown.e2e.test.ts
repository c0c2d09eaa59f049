import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { createApp, serve, type ServiceHandle } from '../src/index.js';
import { memoryLogger } from './helpers.js';

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

describe('graceful shutdown', () => {
  it('finishes in-flight requests, refuses new ones, then stops consumers', async () => {
    const { logger } = memoryLogger();
    const events: string[] = [];
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const { app, readiness } = createApp({
      name: 'slow',
      logger,
      routes: (a) =>
        a.get('/slow', async (_req, res) => {
          events.push('request started');
          await released;
          res.json({ done: true });
          events.push('request answered');
        }),
    });
    const handle: ServiceHandle = {
      name: 'slow',
      app,
      readiness,
      start: async () => void events.push('consumers started'),
      stop: async () => void events.push('consumers stopped'),
    };
    const served = await serve(handle, { logger, port: 0, shutdownTimeoutMs: 2000 });
    const inFlight = get(`${served.http.url}/slow`);
    await new Promise((r) => setTimeout(r, 50));
    const closed = served.close();
    await expect(get(`${served.http.url}/healthz`)).rejects.toThrow(/ECONNREFUSED|ECONNRESET|socket hang up/);
    release();
    expect(await inFlight).toEqual({ status: 200, body: '{"done":true}' });
    await closed;
    expect(events).toEqual(['consumers started', 'request started', 'request answered', 'consumers stopped']);
  });

  it('exits 0 soon after SIGTERM', async () => {
    const child = spawn(process.execPath, [path.join(__dirname, 'fixtures', 'serve.mjs')], {
      env: { PATH: process.env.PATH, LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const url = await new Promise<string>((resolve) =>
      child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())),
    );
    expect((await get(`${url}/healthz`)).status).toBe(200);
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
  });
});
