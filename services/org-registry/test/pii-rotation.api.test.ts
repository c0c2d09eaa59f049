import { stringify } from 'csv-stringify/sync';
import { InProcessEventBus } from '@honglian/messaging';
import { buildModuleService, createLogger, type ServiceOf } from '@honglian/service-kit';
import { TEST_USERS, startModule, type ModuleHarness, type TestUser } from '@honglian/testkit';
import request from 'supertest';
import { keyIdOf, orgRegistryModule, rotateRegistryPiiKey, type RotationOptions } from '../src/index.js';
import { idNumberCheckChar } from '../src/domain/identifiers.js';
import { PiiVault } from '../src/domain/pii.js';
import type { MemberDoc } from '../src/domain/records.js';
import { buildFixtureCity } from './support.js';

/**
 * Rotating PII_KEY (deploy/README.md, Rotating PII_KEY): members registered and imported under key
 * A are re-sealed under key B by the rotation `honglian pii rotate` runs. The service configured
 * with B (and A as PII_KEY_PREVIOUS while it runs, then B alone) reveals the same values, finds
 * the members by ID number and phone, and refuses a duplicate ID number, before, during (even
 * half-way) and after; a resumed or repeated rotation ends in the same state.
 */

const KEY_A = Buffer.alloc(32, 7);
const KEY_B = Buffer.alloc(32, 11);
const KEY_C = Buffer.alloc(32, 13);
const silent = createLogger({ name: 'pii-rotation-test', level: 'silent' });

function idNumber(seq: number): string {
  const first17 = `33100319900101${String(seq).padStart(3, '0')}`;
  return first17 + idNumberCheckChar(first17);
}

/** The members, and what they must keep: ID number and the phone of each version, in clear. */
const PEOPLE = [
  { id: 'm-01', name: '周敏', idNumber: idNumber(1), phones: ['13800000001'], via: 'api' },
  { id: 'm-02', name: '王芳', idNumber: idNumber(2), phones: ['13800000002', '13800000022'], via: 'api' },
  ...Array.from({ length: 7 }, (_, i) => ({
    id: `m-1${i}`,
    name: `陈晓${i}`,
    idNumber: idNumber(10 + i),
    phones: [`137000000${10 + i}`],
    via: 'import',
  })),
];

type Registry = ModuleHarness<typeof orgRegistryModule>;
type Service = ServiceOf<typeof orgRegistryModule>;

describe('PII key rotation', () => {
  let h: Registry;
  const admin = TEST_USERS.countyAdmin331003;
  const members = () => h.conn.db!.collection<MemberDoc>('members');
  const rawMembers = async () =>
    members()
      .find({}, { sort: { _id: 1 } })
      .toArray();

  /** The registry on the same database, configured with these keys (the service as rolled out). */
  const registryWith = (piiKey: Buffer, piiKeyPrevious?: Buffer): Service =>
    buildModuleService(orgRegistryModule, {
      checkResponses: true,
      logger: silent,
      clock: h.clock,
      auth: h.issuer.authenticator(),
      db: h.conn,
      bus: new InProcessEventBus(),
      settings: { ...h.settings, piiKey, ...(piiKeyPrevious ? { piiKeyPrevious } : {}) },
    }) as Service;

  const call = async (svc: Service, method: 'get' | 'post', path: string, user: TestUser, body?: object) => {
    const req = request(svc.app)
      [method](`${orgRegistryModule.prefix}${path}`)
      .set(await h.auth(user));
    return body ? req.send(body) : req;
  };
  const reveal = async (svc: Service, id: string) => {
    const res = await call(svc, 'get', `/members/${id}/reveal`, admin);
    expect(res.status).toBe(200);
    return { idNumber: res.body.idNumber as string, phone: res.body.phone as string };
  };
  const search = async (svc: Service, body: object) => {
    const res = await call(svc, 'post', '/members/search', admin, { ...body, asOf: '2026-06-30' });
    expect(res.status).toBe(200);
    return (res.body.items as { id: string }[]).map((m) => m.id);
  };
  const registration = (p: { id: string; name: string; idNumber: string; phone: string }) => ({
    id: p.id,
    name: p.name,
    idNumber: p.idNumber,
    phone: p.phone,
    category: 'retired',
    partyOrgId: 'cp-1-branch',
    residenceCompoundId: 'cp-1',
    effectiveFrom: '2026-01-01',
  });
  const importCsv = (rows: { id: string; name: string; idNumber: string; phone: string }[]) =>
    stringify(
      rows.map((p) => ({
        党员编号: p.id,
        姓名: p.name,
        身份证号: p.idNumber,
        手机号: p.phone,
        党员类别: '退休党员',
        所属党组织编码: 'cp-1-branch',
        居住小区编码: 'cp-1',
        生效日期: '2026-01-01',
      })),
      { header: true, bom: true },
    );
  const importMembers = async (svc: Service, rows: Parameters<typeof importCsv>[0]) =>
    (
      await request(svc.app)
        .post(`${orgRegistryModule.prefix}/imports?kind=members&dryRun=false`)
        .set(await h.auth(admin))
        .set('content-type', 'text/csv')
        .send(importCsv(rows))
    ).body as { status?: string; created?: number; unchanged?: number; report?: { errors: unknown[] } };

  /** Everything the service must still answer with the key it runs with. */
  async function expectEverythingReadable(svc: Service) {
    for (const p of PEOPLE) {
      expect(await reveal(svc, p.id)).toEqual({ idNumber: p.idNumber, phone: p.phones.at(-1) });
      expect(await search(svc, { idNumber: p.idNumber })).toEqual([p.id]);
      expect(await search(svc, { phone: p.phones.at(-1) })).toEqual([p.id]);
    }
    // The phone of an earlier version is found on its day.
    const before = await call(svc, 'post', '/members/search', admin, {
      phone: '13800000002',
      asOf: '2026-03-01',
    });
    expect(before.body.items.map((m: { id: string }) => m.id)).toEqual(['m-02']);
    // A duplicate ID number is refused, by the API and by an import (neither creates a member).
    const dup = await call(svc, 'post', '/members', admin, {
      ...registration({ id: 'm-dup', name: '重复', idNumber: PEOPLE[0]!.idNumber, phone: '13900000099' }),
    });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ field: 'idNumber', memberId: 'm-01' });
    const imported = await importMembers(svc, [
      { id: 'm-dup2', name: '重复', idNumber: PEOPLE[3]!.idNumber, phone: '13900000098' },
    ]);
    expect(imported.report?.errors).toEqual([
      expect.objectContaining({
        column: '身份证号',
        reason: expect.objectContaining({ en: 'duplicate ID number' }),
      }),
    ]);
    // A re-upload of what is registered stays "unchanged", whichever key sealed the record.
    const again = await importMembers(
      svc,
      PEOPLE.filter((p) => p.via === 'import').map((p) => ({ ...p, phone: p.phones[0]! })),
    );
    expect(again).toMatchObject({ created: 0, unchanged: PEOPLE.length - 2 });
    expect(await members().countDocuments({ _id: { $in: ['m-dup', 'm-dup2'] } })).toBe(0);
  }

  /** Every stored hash is the one key B gives the value, and every member and version is stamped with B. */
  async function expectAllOnKeyB() {
    const b = new PiiVault(KEY_B);
    const docs = await rawMembers();
    expect(docs.map((d) => d._id)).toEqual(PEOPLE.map((p) => p.id));
    for (const doc of docs) {
      const p = PEOPLE.find((x) => x.id === doc._id)!;
      expect(doc.piiKeyId).toBe(keyIdOf(KEY_B));
      expect(doc.idHash).toBe(b.hash(p.idNumber));
      expect(b.decrypt(doc.idEnc)).toBe(p.idNumber);
      expect(doc.versions.map((v) => v.piiKeyId)).toEqual(p.phones.map(() => keyIdOf(KEY_B)));
      expect(doc.versions.map((v) => v.phoneHash)).toEqual(p.phones.map((x) => b.hash(x)));
      expect(doc.versions.map((v) => b.decrypt(v.phoneEnc))).toEqual(p.phones);
    }
  }

  const rotate = (opts: RotationOptions = {}, previousKey: Buffer = KEY_A) =>
    rotateRegistryPiiKey(h.conn, { key: KEY_B, previousKey }, silent, opts);

  beforeAll(async () => {
    h = await startModule(orgRegistryModule, { settings: { piiKey: KEY_A } });
    await buildFixtureCity({ ...h.http, getFile: (path, user) => h.http.binary(path, user) });
    for (const p of PEOPLE.filter((x) => x.via === 'api')) {
      const res = await h.http.post('/members', admin, registration({ ...p, phone: p.phones[0]! }));
      expect(res.status).toBe(201);
    }
    const changed = await h.http.patch('/members/m-02', admin, {
      phone: PEOPLE[1]!.phones[1],
      effectiveFrom: '2026-05-01',
    });
    expect(changed.status).toBe(200);
    const res = await importMembers(
      h.service,
      PEOPLE.filter((p) => p.via === 'import').map((p) => ({ ...p, phone: p.phones[0]! })),
    );
    expect(res).toMatchObject({ status: 'applied', created: PEOPLE.length - 2 });
    // Two members as recorded before key ids were kept: nothing says which key sealed them.
    await members().updateMany(
      { _id: { $in: ['m-01', 'm-13'] } },
      { $unset: { piiKeyId: '', 'versions.$[].piiKeyId': '' } },
    );
  });
  afterAll(() => h.close());

  it('before: key A alone reads everything; stamps say key A', async () => {
    await expectEverythingReadable(h.service);
    const stamped = await members().countDocuments({ piiKeyId: keyIdOf(KEY_A) });
    expect(stamped).toBe(PEOPLE.length - 2);
  });

  it('refuses to rotate from a key that did not seal the data, writing nothing', async () => {
    const before = await rawMembers();
    const report = await rotate({}, KEY_C);
    expect(report.failures).toEqual(PEOPLE.map((p) => ({ memberId: p.id, reason: 'unreadable' })));
    expect(report.resealed.members).toBe(0);
    expect(report.remaining).toBe(PEOPLE.length);
    expect(await rawMembers()).toEqual(before);
  });

  it('a dry run counts what would change and changes nothing', async () => {
    const before = await rawMembers();
    const report = await rotate({ dryRun: true });
    expect(report).toMatchObject({
      dryRun: true,
      keyId: keyIdOf(KEY_B),
      previousKeyId: keyIdOf(KEY_A),
      pending: PEOPLE.length,
      remaining: PEOPLE.length,
      resealed: { members: PEOPLE.length, idNumbers: PEOPLE.length, phones: PEOPLE.length + 1 },
      failures: [],
    });
    expect(await rawMembers()).toEqual(before);
  });

  it('during: the service on key B with A as previous reads everything, before and half-way', async () => {
    const during = registryWith(KEY_B, KEY_A);
    await expectEverythingReadable(during);

    // A rotation that dies after its first batch (3 members) leaves the others on key A.
    const batches: number[] = [];
    await expect(
      rotate({
        batchSize: 3,
        onBatch: (p) => {
          batches.push(p.resealed.members);
          throw new Error('crash');
        },
      }),
    ).rejects.toThrow('crash');
    expect(batches).toEqual([3]);
    expect(await members().countDocuments({ piiKeyId: keyIdOf(KEY_B) })).toBe(3);
    await expectEverythingReadable(during);

    // A change meanwhile seals its new phone under B beside versions still on A.
    PEOPLE[2]!.phones.push('13800000033');
    const patched = await request(during.app)
      .patch(`${orgRegistryModule.prefix}/members/m-10`)
      .set(await h.auth(admin))
      .send({ phone: '13800000033', effectiveFrom: '2026-06-01' });
    expect(patched.status).toBe(200);
    await expectEverythingReadable(during);

    // Resumed: only the rest is re-sealed.
    const report = await rotate({ batchSize: 3 });
    expect(report).toMatchObject({ pending: PEOPLE.length - 3, remaining: 0, failures: [] });
    expect(report.resealed.members).toBe(PEOPLE.length - 3);
    await expectEverythingReadable(during);
    await expectAllOnKeyB();
  });

  it('a second run changes nothing', async () => {
    const before = await rawMembers();
    const report = await rotate();
    expect(report).toMatchObject({ pending: 0, remaining: 0, resealed: { members: 0 }, failures: [] });
    expect(await rawMembers()).toEqual(before);
  });

  it('after: key B alone reads everything; key A alone finds nothing any more', async () => {
    await expectEverythingReadable(registryWith(KEY_B));
    await expectAllOnKeyB();
    const stale = registryWith(KEY_A);
    expect(await search(stale, { idNumber: PEOPLE[0]!.idNumber })).toEqual([]);
    expect((await call(stale, 'get', '/members/m-01/reveal', admin)).status).toBe(500);
  });
});
