import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createKeycloakAuthenticator, loadConfig } from '@honglian/service-kit';
import { GatewayConfigSchema, defaultConsoleDir, gatewaySettingsFromEnv } from '../src/index.js';
import { startGateway } from './support.js';

/**
 * The web console at `/`: a built console in a temporary folder (CONSOLE_DIR),
 * so these tests do not depend on packages/console being built.
 */
const INDEX = '<!doctype html><html lang="zh-CN"><title>红联</title><div id="root"></div></html>';
const SCRIPT = 'console.log("红联")';

let built: string;
let empty: string;
const noAuth = () => createKeycloakAuthenticator({ serverUrl: 'http://127.0.0.1:1' });

beforeAll(() => {
  built = mkdtempSync(path.join(tmpdir(), 'honglian-console-'));
  mkdirSync(path.join(built, 'assets'));
  writeFileSync(path.join(built, 'index.html'), INDEX);
  writeFileSync(path.join(built, 'assets', 'index-3f2a9c1b.js'), SCRIPT);
  writeFileSync(path.join(built, 'robots.txt'), 'User-agent: *\nDisallow: /\n');
  writeFileSync(path.join(built, '.env'), 'SECRET=1');
  empty = mkdtempSync(path.join(tmpdir(), 'honglian-console-empty-'));
});
afterAll(() => {
  rmSync(built, { recursive: true, force: true });
  rmSync(empty, { recursive: true, force: true });
});

const html = { Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

describe('the console, built (embedded identity)', () => {
  let gw: Awaited<ReturnType<typeof startGateway>>;
  beforeAll(async () => {
    gw = await startGateway({
      auth: noAuth(),
      settings: { consoleDir: built },
      devIdentity: { publicUrl: () => gw.url },
    });
  });
  afterAll(() => gw.close());

  it('serves index.html at / with the console’s security headers, revalidated on every load', async () => {
    const res = await request(gw.url).get('/').set(html);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toBe(INDEX);
    expect(res.headers['cache-control']).toBe('no-cache');
    const csp = res.headers['content-security-policy']!;
    for (const directive of [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data:",
      "connect-src 'self' ",
      "frame-ancestors 'none'",
      "object-src 'none'",
    ]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toContain('unsafe-eval');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-frame-options']).toBe('DENY');
    // Any client asking for `/` gets the page, not only browsers.
    expect((await request(gw.url).get('/')).status).toBe(200);
    expect((await request(gw.url).head('/')).status).toBe(200);
  });

  it('serves hashed assets with a year-long immutable cache', async () => {
    const res = await request(gw.url).get('/assets/index-3f2a9c1b.js');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.text).toBe(SCRIPT);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const robots = await request(gw.url).get('/robots.txt');
    expect([robots.status, robots.headers['cache-control']]).toEqual([200, 'no-cache']);
  });

  it('answers the console’s own routes with index.html (client-side routing survives a reload)', async () => {
    for (const page of ['/members', '/dashboard/331003', '/callback?code=abc&state=xyz']) {
      const res = await request(gw.url).get(page).set(html);
      expect({ page, status: res.status, body: res.text }).toEqual({ page, status: 200, body: INDEX });
    }
  });

  it('keeps the gateway’s 404s for its own paths, missing files and non-browser requests', async () => {
    for (const [page, accept] of [
      ['/api/v1/nothing/here', html.Accept],
      ['/api/v2/members', html.Accept],
      ['/realms/other/account', html.Accept],
      ['/assets/missing-0000.js', html.Accept],
      ['/favicon.ico', html.Accept],
      ['/.env', html.Accept],
      ['/members', 'application/json'],
    ]) {
      const res = await request(gw.url).get(page!).set('Accept', accept!);
      expect({ page, status: res.status, type: res.headers['content-type'] }).toEqual({
        page,
        status: 404,
        type: expect.stringMatching(/^application\/problem\+json/),
      });
    }
    const post = await request(gw.url).post('/members').set(html).send({});
    expect(post.status).toBe(404);
  });

  it('leaves the gateway’s endpoints alone', async () => {
    expect((await request(gw.url).get('/healthz').set(html)).body).toEqual({ status: 'ok' });
    const docs = await request(gw.url).get('/docs/').set(html);
    expect(docs.status).toBe(200);
    expect(docs.text).not.toBe(INDEX);
    expect((await request(gw.url).get('/openapi.json').set(html)).body).toHaveProperty('openapi');
    const api = await request(gw.url).get('/api/v1/registry/whoami').set(html);
    expect(api.status).toBe(401);
  });

  it('tells the console where to sign in: the gateway’s own realm', async () => {
    const res = await request(gw.url).get('/console-config.json');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ authority: `${gw.url}/realms/honglian`, clientId: 'honglian-web' });
    expect(res.headers['cache-control']).toBe('no-cache');
  });
});

describe('the console with Keycloak', () => {
  it('names the public Keycloak realm and lets the console reach it', async () => {
    const gw = await startGateway({
      auth: noAuth(),
      settings: { consoleDir: built },
      console: { authority: 'https://id.honglian.example.org/realms/honglian' },
    });
    try {
      const config = await request(gw.url).get('/console-config.json');
      expect(config.body).toEqual({
        authority: 'https://id.honglian.example.org/realms/honglian',
        clientId: 'honglian-web',
      });
      const csp = (await request(gw.url).get('/').set(html)).headers['content-security-policy']!;
      expect(csp).toContain("connect-src 'self' https://id.honglian.example.org;");
      expect(csp).toContain("frame-src 'self' https://id.honglian.example.org;");
      // No development realm on a gateway wired for Keycloak.
      expect((await request(gw.url).get('/realms/honglian/protocol/openid-connect/auth')).status).toBe(404);
    } finally {
      await gw.close();
    }
  });

  it('answers 503 for the console configuration when no realm is known', async () => {
    const gw = await startGateway({ auth: noAuth(), settings: { consoleDir: built } });
    try {
      const res = await request(gw.url).get('/console-config.json');
      expect(res.status).toBe(503);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    } finally {
      await gw.close();
    }
  });
});

describe('the console, not built', () => {
  it.each([
    ['an empty folder', () => empty],
    ['a missing folder', () => path.join(empty, 'nowhere')],
  ])('says so at / and on console pages (%s), and the rest works', async (_label, dir) => {
    const gw = await startGateway({
      auth: noAuth(),
      settings: { consoleDir: dir() },
      devIdentity: { publicUrl: () => gw.url },
    });
    try {
      for (const page of ['/', '/members']) {
        const res = await request(gw.url).get(page).set(html);
        expect(res.status).toBe(503);
        expect(res.headers['content-type']).toMatch(/^text\/html/);
        expect(res.text).toContain('<html lang="zh-CN">');
        expect(res.text).toContain('红联控制台尚未构建');
        expect(res.text).toContain('The Honglian console is not built');
        expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      }
      expect((await request(gw.url).get('/assets/index.js')).status).toBe(404);
      expect((await request(gw.url).get('/healthz')).status).toBe(200);
      expect((await request(gw.url).get('/console-config.json')).status).toBe(200);
    } finally {
      await gw.close();
    }
  });
});

describe('where the console comes from', () => {
  it('defaults to the dist folder of @honglian/console', () => {
    expect(defaultConsoleDir()).toBe(
      path.resolve(__dirname, '..', '..', '..', 'packages', 'console', 'dist'),
    );
  });

  it('reads CONSOLE_DIR (relative to the working directory; empty = the default)', () => {
    const settingsOf = (env: Record<string, string>) =>
      gatewaySettingsFromEnv(loadConfig(GatewayConfigSchema, env));
    expect(settingsOf({ CONSOLE_DIR: '/srv/console' }).consoleDir).toBe(path.resolve('/srv/console'));
    expect(settingsOf({ CONSOLE_DIR: 'console/dist' }).consoleDir).toBe(path.resolve('console/dist'));
    expect(settingsOf({ CONSOLE_DIR: '' }).consoleDir).toBeUndefined();
    expect(settingsOf({}).consoleDir).toBeUndefined();
  });
});
