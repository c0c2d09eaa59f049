import mongoose from 'mongoose';
import request from 'supertest';
import { connectTestDatabase } from '@honglian/embedded-mongo';
import { InProcessEventBus } from '@honglian/messaging';
import { FixedClock, createLogger } from '@honglian/service-kit';
import { TEST_USERS, bearer, publishedEvents, startTestIssuer, type TestUser } from '@honglian/testkit';
import { TOPICS } from '@honglian/contracts';
import { createService } from '../src/index.js';

export const PII_KEY = Buffer.alloc(32, 7);

/** A registry on a fresh database, with a real token issuer and the in-process bus. */
export async function startRegistry(opts: { importMaxBytes?: number } = {}) {
  const db = await connectTestDatabase();
  const conn = await mongoose.createConnection(db.uri).asPromise();
  const bus = new InProcessEventBus();
  const issuer = await startTestIssuer();
  const clock = new FixedClock('2026-06-30T08:00:00+08:00');
  const service = createService({
    logger: createLogger({ name: 'org-registry-test', level: 'silent' }),
    clock,
    auth: issuer.authenticator(),
    db: conn,
    bus,
    piiKey: PII_KEY,
    ...opts,
  });
  await service.start();
  await bus.start();
  const tokens = new Map<string, string>();
  const as = async (user: TestUser) => {
    const key = JSON.stringify(user);
    if (!tokens.has(key)) tokens.set(key, await issuer.token(user, { expiresIn: 3600 }));
    return bearer(tokens.get(key)!);
  };
  const http = {
    get: async (path: string, user: TestUser) =>
      request(service.app)
        .get(`/api/v1/registry${path}`)
        .set(await as(user)),
    post: async (path: string, user: TestUser, body?: object) =>
      request(service.app)
        .post(`/api/v1/registry${path}`)
        .set(await as(user))
        .send(body),
    /** A binary download (an XLSX template). */
    getFile: async (path: string, user: TestUser) =>
      request(service.app)
        .get(`/api/v1/registry${path}`)
        .set(await as(user))
        .buffer(true)
        .parse((res, done) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => done(null, Buffer.concat(chunks)));
        }),
    /** A file as the request body (an import). */
    upload: async (
      path: string,
      user: TestUser,
      file: Buffer | string,
      contentType: string,
      headers: Record<string, string> = {},
    ) =>
      request(service.app)
        .post(`/api/v1/registry${path}`)
        .set(await as(user))
        .set(headers)
        .set('content-type', contentType)
        .send(typeof file === 'string' ? Buffer.from(file) : file),
    patch: async (path: string, user: TestUser, body: object) =>
      request(service.app)
        .patch(`/api/v1/registry${path}`)
        .set(await as(user))
        .send(body),
  };
  /** Events the registry published, after the outbox relay caught up. */
  const events = () => publishedEvents(conn, bus, TOPICS.orgRegistry, { attempts: 500 });
  return {
    service,
    conn,
    bus,
    clock,
    http,
    events,
    users: TEST_USERS,
    async close() {
      await service.stop();
      await bus.stop();
      await conn.close();
      await db.stop();
      await issuer.close();
    },
  };
}

export { expectValidEvents } from '@honglian/testkit';

/** A small city: 331000 ─ 331003 ─ st-1 ─ cm-1 ─ g-1 ─ cp-1 ─ b-1, plus a sibling community cm-2. */
export async function buildFixtureCity(http: Awaited<ReturnType<typeof startRegistry>>['http']) {
  const city = TEST_USERS.cityAdmin;
  const day = '2026-01-01';
  const create = async (body: object, user: TestUser = city) => {
    const res = await http.post('/orgs', user, { effectiveFrom: day, ...body });
    if (res.status !== 201) throw new Error(`fixture: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  await create({ id: '331000', kind: 'city', name: '台州市', parentId: null, county: '331000' });
  await create({ id: '331003', kind: 'county', name: '黄岩区', parentId: '331000' });
  await create({ id: '331002', kind: 'county', name: '椒江区', parentId: '331000' });
  await create({ id: 'st-1', kind: 'street', name: '东城街道', parentId: '331003' });
  await create({ id: 'cm-1', kind: 'community', name: '双江社区', parentId: 'st-1' });
  await create({ id: 'cm-2', kind: 'community', name: '天长社区', parentId: 'st-1' });
  await create({ id: 'g-1', kind: 'grid', name: '双江一网格', parentId: 'cm-1' });
  await create({ id: 'cp-1', kind: 'compound', name: '锦江花园', parentId: 'g-1' });
  await create({ id: 'b-1', kind: 'building', name: '1幢', parentId: 'cp-1' });
  await create({
    id: 'cp-1-branch',
    kind: 'compound-party-branch',
    name: '锦江花园党支部',
    parentId: 'cp-1',
  });
  await create({ id: 'jj-st-1', kind: 'street', name: '白云街道', parentId: '331002' });
}
