import { idNumberCheckChar } from '../src/domain/identifiers.js';
import { buildFixtureCity, expectValidEvents, startRegistry } from './support.js';

const idNumber = (seq: number, birth = '19850612') => {
  const first17 = `331003${birth}${String(seq).padStart(3, '0')}`;
  return first17 + idNumberCheckChar(first17);
};
const TODAY = '2026-06-30'; // the harness clock
const PAST = '2026-03-01';

/**
 * Effective-dated moves and transfers never rewrite earlier versions: each version is filed under
 * the county and paths of its own units, and read by that place's managers (README, Moves).
 */
describe('moves and transfers keep each county its own versions', () => {
  let reg: Awaited<ReturnType<typeof startRegistry>>;
  const u = () => reg.users;
  const ids = (res: { body: { items: { id: string }[] } }) => res.body.items.map((m) => m.id);

  beforeAll(async () => {
    reg = await startRegistry();
    await buildFixtureCity(reg.http);
    const city = u().cityAdmin;
    const org = async (body: object) => {
      const res = await reg.http.post('/orgs', city, { effectiveFrom: '2026-01-01', ...body });
      if (res.status !== 201) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    };
    await org({ id: 'bureau', kind: 'agency-unit', name: '黄岩住建局', parentId: '331003' });
    await org({
      id: 'bureau-party',
      kind: 'agency-party-organisation',
      name: '黄岩住建局党委',
      parentId: 'bureau',
    });
    await org({ id: 'jj-cm-1', kind: 'community', name: '白云社区', parentId: 'jj-st-1' });
    await org({ id: 'jj-g-1', kind: 'grid', name: '白云一网格', parentId: 'jj-cm-1' });
    await org({ id: 'jj-cp-1', kind: 'compound', name: '白云花园', parentId: 'jj-g-1' });
    await org({ id: 'jj-bureau', kind: 'agency-unit', name: '椒江住建局', parentId: '331002' });
    await org({
      id: 'jj-party',
      kind: 'agency-party-organisation',
      name: '椒江住建局党委',
      parentId: 'jj-bureau',
    });
  });
  afterAll(() => reg.close());

  it('a move to another county leaves the old county its past (asOf) and gives the new county only the present', async () => {
    const city = u().cityAdmin;
    const registered = await reg.http.post('/members', city, {
      id: 'm-move',
      name: '周敏',
      idNumber: idNumber(1),
      phone: '13800000001',
      category: 'in-service',
      partyOrgId: 'cp-1-branch',
      workUnitId: 'bureau',
      residenceCompoundId: 'cp-1',
      residenceBuildingId: 'b-1',
      effectiveFrom: '2026-01-01',
    });
    expect(registered.status).toBe(201);
    const moved = await reg.http.patch('/members/m-move', city, {
      workUnitId: 'jj-bureau',
      residenceCompoundId: 'jj-cp-1',
      residenceBuildingId: null,
      effectiveFrom: TODAY,
    });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ county: '331002', residenceCompoundId: 'jj-cp-1', validFrom: TODAY });

    const old = u().countyAdmin331003;
    const past = await reg.http.get(`/members/m-move?asOf=${PAST}`, old);
    expect(past.status).toBe(200);
    expect(past.body).toMatchObject({ county: '331003', residenceCompoundId: 'cp-1', validTo: TODAY });
    expect((await reg.http.get('/members/m-move', old)).status).toBe(404);
    const oldHistory = await reg.http.get('/members/m-move/history', old);
    expect(oldHistory.body.versions.map((v: { county: string }) => v.county)).toEqual(['331003']);
    expect(ids(await reg.http.get(`/members?asOf=${PAST}`, old))).toContain('m-move');
    expect(ids(await reg.http.get('/members', old))).not.toContain('m-move');
    // Community staff of the old community: the same.
    const staff = u().staff331003;
    expect((await reg.http.get(`/members/m-move?asOf=${PAST}`, staff)).status).toBe(200);
    expect((await reg.http.get('/members/m-move', staff)).status).toBe(404);
    expect(ids(await reg.http.get(`/members?asOf=${PAST}&compoundId=cp-1`, staff))).toEqual(['m-move']);
    // Nor may the old county change the member any longer.
    expect(
      (await reg.http.patch('/members/m-move', old, { name: '周敏敏', effectiveFrom: TODAY })).status,
    ).toBe(404);

    const now = u().countyAdmin331002;
    expect((await reg.http.get('/members/m-move', now)).body).toMatchObject({ county: '331002' });
    expect((await reg.http.get(`/members/m-move?asOf=${PAST}`, now)).status).toBe(404);
    const newHistory = await reg.http.get('/members/m-move/history', now);
    expect(newHistory.body.versions.map((v: { county: string }) => v.county)).toEqual(['331002']);
    expect(ids(await reg.http.get('/members', now))).toContain('m-move');
    expect(ids(await reg.http.get(`/members?asOf=${PAST}`, now))).not.toContain('m-move');

    const all = await reg.http.get('/members/m-move/history', city);
    expect(all.body.versions.map((v: { county: string }) => v.county)).toEqual(['331003', '331002']);

    const events = (await reg.events()).filter((e) => e.subject === 'm-move');
    expectValidEvents(events);
    expect(events.map((e) => [e.type, e.county, (e.data as { county: string }).county])).toEqual([
      ['honglian.org-registry.member.registered.v1', '331003', '331003'],
      ['honglian.org-registry.member.changed.v1', '331002', '331002'],
    ]);
  });

  it('a transfer to another county’s party organisation does the same', async () => {
    const city = u().cityAdmin;
    const registered = await reg.http.post('/members', city, {
      id: 'm-transfer',
      name: '吴刚',
      idNumber: idNumber(2),
      phone: '13800000002',
      category: 'in-service',
      partyOrgId: 'jj-party',
      workUnitId: 'jj-bureau',
      effectiveFrom: '2026-01-01',
    });
    expect(registered.body).toMatchObject({ county: '331002' });
    const moved = await reg.http.post('/members/m-transfer/transfer', city, {
      toPartyOrgId: 'bureau-party',
      effectiveFrom: TODAY,
    });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ county: '331003', partyOrgId: 'bureau-party' });

    const old = u().countyAdmin331002;
    expect((await reg.http.get(`/members/m-transfer?asOf=${PAST}`, old)).body).toMatchObject({
      county: '331002',
      partyOrgId: 'jj-party',
    });
    expect((await reg.http.get('/members/m-transfer', old)).status).toBe(404);
    expect(ids(await reg.http.get(`/members?asOf=${PAST}&partyOrgId=jj-party`, old))).toEqual(['m-transfer']);
    expect(ids(await reg.http.get('/members', old))).not.toContain('m-transfer');

    const now = u().countyAdmin331003;
    expect((await reg.http.get('/members/m-transfer', now)).body).toMatchObject({ county: '331003' });
    expect((await reg.http.get(`/members/m-transfer?asOf=${PAST}`, now)).status).toBe(404);
    expect(
      (await reg.http.get('/members/m-transfer/history', now)).body.versions.map(
        (v: { partyOrgId: string }) => v.partyOrgId,
      ),
    ).toEqual(['bureau-party']);

    const events = (await reg.events()).filter((e) => e.subject === 'm-transfer');
    expect(events.at(-1)).toMatchObject({
      type: 'honglian.org-registry.member.transferred.v1',
      county: '331003',
      data: { county: '331003', partyOrgId: 'bureau-party', fromPartyOrgId: 'jj-party' },
    });
  });
});
