import { TEST_USERS, startModule, type TestUser } from '@honglian/testkit';
import { orgRegistryModule } from '../src/index.js';

export const PII_KEY = Buffer.alloc(32, 7);

/**
 * The registry module served by testkit's `startModule`: a fresh database, a real token issuer,
 * the in-process bus and a fixed clock, with a fixed PII key.
 */
export async function startRegistry(opts: { importMaxBytes?: number } = {}) {
  const h = await startModule(orgRegistryModule, { settings: { piiKey: PII_KEY, ...opts } });
  const http = {
    get: (path: string, user: TestUser) => h.http.get(path, user),
    post: (path: string, user: TestUser, body?: object) => h.http.post(path, user, body),
    /** A binary download (an XLSX template). */
    getFile: (path: string, user: TestUser) => h.http.binary(path, user),
    /** A file as the request body (an import). */
    upload: (
      path: string,
      user: TestUser,
      file: Buffer | string,
      contentType: string,
      headers: Record<string, string> = {},
    ) => h.http.upload(path, user, file, contentType, headers),
    patch: (path: string, user: TestUser, body: object) => h.http.patch(path, user, body),
  };
  return {
    service: h.service,
    conn: h.conn,
    bus: h.bus,
    clock: h.clock,
    http,
    /** Events the registry published, after the outbox relay caught up. */
    events: () => h.events(),
    users: TEST_USERS,
    close: () => h.close(),
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
