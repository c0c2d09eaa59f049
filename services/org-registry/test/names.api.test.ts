import { parse } from 'csv-parse/sync';
import type { TestUser } from '@honglian/testkit';
import { creditCodeCheckChar, idNumberCheckChar } from '../src/domain/identifiers.js';
import { buildFixtureCity, startRegistry } from './support.js';

/**
 * Names beside ids (README, Names beside ids): every answer and export that names units or members
 * by id gives their names as they stood on the day asked (asOf, else today), looked up once per
 * page; unit names whatever county the unit is in (a visible link to it shows its name), a
 * member's name only to whom may read that member on that day.
 */

const TODAY = '2026-06-30'; // the harness clock
const BEFORE_RENAME = '2026-03-01';
const first17 = '33100319800101001';
const ID_NUMBER = first17 + idNumberCheckChar(first17);
const creditCode = (body: string) => body + creditCodeCheckChar(body);

type Registry = Awaited<ReturnType<typeof startRegistry>>;

describe('names beside ids', () => {
  let reg: Registry;
  const u = () => reg.users;
  const ok = async (res: Promise<{ status: number; body: Record<string, unknown> }>, status = 201) => {
    const r = await res;
    if (r.status !== status) throw new Error(`${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };

  beforeAll(async () => {
    reg = await startRegistry();
    await buildFixtureCity(reg.http);
    const city = u().cityAdmin;
    const org = (body: object) => ok(reg.http.post('/orgs', city, { effectiveFrom: '2026-01-01', ...body }));
    await org({ id: 'bureau', kind: 'agency-unit', name: '黄岩住建局', parentId: '331003' });
    await org({
      id: 'bureau-party',
      kind: 'agency-party-organisation',
      name: '黄岩住建局党委',
      parentId: 'bureau',
    });
    await org({ id: 'alliance-1', kind: 'alliance', name: '黄岩红色物业联盟', parentId: '331003' });
    // 椒江 (331002): a firm serving 黄岩's compound, and an agency the city pairs with a 黄岩 community.
    await org({
      id: 'jj-firm',
      kind: 'property-firm',
      name: '椒江安居物业',
      parentId: '331002',
      creditCode: creditCode('91331002MA2NAME00'),
    });
    await org({ id: 'jj-bureau', kind: 'agency-unit', name: '椒江住建局', parentId: '331002' });
    await org({
      id: 'jj-party',
      kind: 'agency-party-organisation',
      name: '椒江住建局党委',
      parentId: 'jj-bureau',
    });
    await org({ id: 'jj-cm-1', kind: 'community', name: '白云社区', parentId: 'jj-st-1' });
    await org({ id: 'jj-cp-1', kind: 'compound', name: '白云花园', parentId: 'jj-cm-1' });
    const huangyan = u().countyAdmin331003;
    await ok(
      reg.http.post('/members', huangyan, {
        id: 'm-1',
        name: '周敏',
        idNumber: ID_NUMBER,
        phone: '13800000001',
        category: 'in-service',
        partyOrgId: 'cp-1-branch',
        workUnitId: 'bureau',
        residenceCompoundId: 'cp-1',
        residenceBuildingId: 'b-1',
        effectiveFrom: '2026-01-01',
      }),
    );
    // The compound is renamed from April: answers about March name it as it was.
    await ok(reg.http.patch('/orgs/cp-1', city, { name: '锦江新苑', effectiveFrom: '2026-04-01' }), 200);
    await ok(
      reg.http.post('/contracts', huangyan, {
        id: 'ct-1',
        firmId: 'jj-firm',
        compoundId: 'cp-1',
        validFrom: '2026-01-01',
      }),
    );
    await ok(
      reg.http.post('/pairings', city, {
        id: 'pr-cross',
        agencyOrgId: 'jj-party',
        targetId: 'cm-1',
        validFrom: '2026-01-01',
      }),
    );
    await ok(
      reg.http.post('/appointments', huangyan, {
        memberId: 'm-1',
        orgId: 'cp-1-branch',
        post: '书记',
        validFrom: '2026-01-01',
      }),
    );
    await ok(
      reg.http.post('/alliances/alliance-1/members', huangyan, {
        memberOrgId: 'bureau',
        validFrom: '2026-02-01',
      }),
    );
  });
  afterAll(() => reg.close());

  it('a member carries the names of their units as they stood on the day asked', async () => {
    const admin = u().countyAdmin331003;
    const names = {
      partyOrgName: '锦江花园党支部',
      workUnitName: '黄岩住建局',
      residenceBuildingName: '1幢',
    };
    const now = await reg.http.get('/members?compoundId=cp-1', admin);
    expect(now.body.items).toEqual([
      expect.objectContaining({ id: 'm-1', ...names, residenceCompoundName: '锦江新苑' }),
    ]);
    const march = await reg.http.get(`/members?compoundId=cp-1&asOf=${BEFORE_RENAME}`, admin);
    expect(march.body.items[0]).toMatchObject({ ...names, residenceCompoundName: '锦江花园' });
    expect((await reg.http.get('/members/m-1', admin)).body.residenceCompoundName).toBe('锦江新苑');
    expect((await reg.http.get(`/members/m-1?asOf=${BEFORE_RENAME}`, admin)).body.residenceCompoundName).toBe(
      '锦江花园',
    );
    // A history names each version as of its own first day.
    const history = await reg.http.get('/members/m-1/history', admin);
    expect(history.body.versions[0]).toMatchObject({
      validFrom: '2026-01-01',
      residenceCompoundName: '锦江花园',
    });
  });

  it('a unit carries its parent’s name: one unit, a list, a tree and a history', async () => {
    const admin = u().countyAdmin331003;
    expect((await reg.http.get('/orgs/b-1', admin)).body.parentName).toBe('锦江新苑');
    expect((await reg.http.get(`/orgs/b-1?asOf=${BEFORE_RENAME}`, admin)).body.parentName).toBe('锦江花园');
    const list = await reg.http.get('/orgs?parentId=cp-1', admin);
    expect(list.body.items.map((o: { id: string; parentName: string }) => [o.id, o.parentName])).toEqual([
      ['b-1', '锦江新苑'],
      ['cp-1-branch', '锦江新苑'],
    ]);
    const tree = await reg.http.get(`/orgs/g-1/tree?asOf=${BEFORE_RENAME}`, admin);
    expect(tree.body).toMatchObject({
      parentName: '双江社区',
      children: [{ id: 'cp-1', parentName: '双江一网格' }],
    });
    expect(tree.body.children[0].children.map((c: { parentName: string }) => c.parentName)).toEqual([
      '锦江花园',
      '锦江花园',
    ]);
    const history = await reg.http.get('/orgs/cp-1/history', admin);
    expect(
      history.body.versions.map((v: { name: string; parentName: string }) => [v.name, v.parentName]),
    ).toEqual([
      ['锦江花园', '双江一网格'],
      ['锦江新苑', '双江一网格'],
    ]);
  });

  it('a contract names the firm (city-wide public, here of another county) and the compound', async () => {
    const admin = u().countyAdmin331003;
    const now = await reg.http.get('/contracts?compoundId=cp-1', admin);
    expect(now.body.items).toEqual([
      expect.objectContaining({
        id: 'ct-1',
        fromId: 'jj-firm',
        fromName: '椒江安居物业',
        toName: '锦江新苑',
      }),
    ]);
    const march = await reg.http.get(`/contracts/ct-1?asOf=${BEFORE_RENAME}`, admin);
    expect(march.body).toMatchObject({ fromName: '椒江安居物业', toName: '锦江花园' });
  });

  it('a city-made cross-county pairing names the other county’s agency to the target’s county (the link is visible)', async () => {
    const res = await reg.http.get('/pairings?targetId=cm-1', u().countyAdmin331003);
    expect(res.body.items).toEqual([
      expect.objectContaining({
        id: 'pr-cross',
        fromName: '椒江住建局党委',
        agencyUnitId: 'jj-bureau',
        agencyUnitName: '椒江住建局',
        toName: '双江社区',
      }),
    ]);
    // The agency's county does not see the pairing at all (filed at the target): nothing to name.
    expect((await reg.http.get('/pairings?targetId=cm-1', u().countyAdmin331002)).body.items).toEqual([]);
  });

  it('an alliance membership names the alliance and the member unit', async () => {
    const res = await reg.http.get('/alliance-memberships?allianceId=alliance-1', u().countyAdmin331003);
    expect(res.body.items).toEqual([
      expect.objectContaining({ fromName: '黄岩红色物业联盟', toId: 'bureau', toName: '黄岩住建局' }),
    ]);
  });

  it('the coverage report names the units of each gap', async () => {
    const res = await reg.http.get('/coverage?orgId=cm-1', u().countyAdmin331003);
    expect(res.status).toBe(200);
    expect(res.body.gaps.buildingsWithoutLeader).toMatchObject({
      ids: ['b-1'],
      units: [{ id: 'b-1', name: '1幢' }],
    });
    expect(res.body.gaps.compoundsWithoutOwnersCommittee.units).toEqual([{ id: 'cp-1', name: '锦江新苑' }]);
    const march = await reg.http.get(`/coverage?orgId=cm-1&asOf=${BEFORE_RENAME}`, u().countyAdmin331003);
    expect(march.body.gaps.compoundsWithoutOwnersCommittee.units).toEqual([{ id: 'cp-1', name: '锦江花园' }]);
  });

  it('the CSV exports put a name column beside each id column', async () => {
    const admin = u().countyAdmin331003;
    const rows = async (path: string) =>
      parse((await reg.http.get(path, admin)).text.replace(/^\uFEFF/, ''), { columns: true }) as Record<
        string,
        string
      >[];
    const orgs = await rows(`/exports/orgs.csv?parentId=cp-1&asOf=${BEFORE_RENAME}`);
    expect(orgs.map((o) => [o['编码'], o['上级编码'], o['上级名称']])).toEqual([
      ['b-1', 'cp-1', '锦江花园'],
      ['cp-1-branch', 'cp-1', '锦江花园'],
    ]);
    const members = await rows('/exports/members.csv?compoundId=cp-1');
    expect(members).toEqual([
      expect.objectContaining({
        党员编号: 'm-1',
        所属党组织编码: 'cp-1-branch',
        所属党组织名称: '锦江花园党支部',
        工作单位编码: 'bureau',
        工作单位名称: '黄岩住建局',
        居住小区编码: 'cp-1',
        居住小区名称: '锦江新苑',
        居住楼栋编码: 'b-1',
        居住楼栋名称: '1幢',
      }),
    ]);
  });

  it('names a page in one query per collection, whatever its length', async () => {
    const admin = u().countyAdmin331003;
    const finds: string[] = [];
    reg.conn.set('debug', (collection: string, method: string) => {
      if (method === 'find') finds.push(collection);
    });
    try {
      const orgFinds = async (path: string) => {
        finds.length = 0;
        const res = await reg.http.get(path, admin);
        expect(res.status).toBe(200);
        return { items: res.body.items.length as number, orgs: finds.filter((c) => c === 'orgs').length };
      };
      const one = await orgFinds('/orgs?county=331003&limit=1');
      const many = await orgFinds('/orgs?county=331003&limit=10');
      expect([one.items, many.items]).toEqual([1, 10]);
      // The page's candidates, the total's pass and one query for the parents' names.
      expect(many.orgs).toBe(one.orgs);
      expect(many.orgs).toBe(3);
      const members = await orgFinds('/members');
      expect(members.orgs).toBe(1);
    } finally {
      reg.conn.set('debug', false);
    }
  });

  it('an appointment names the member only to whom may read the member that day (after a move, not the old county)', async () => {
    const huangyan = u().countyAdmin331003;
    const fromName = async (user: TestUser = huangyan, asOf = TODAY) =>
      (await reg.http.get(`/appointments?orgId=cp-1-branch&asOf=${asOf}`, user)).body.items.map(
        (a: { fromId: string; fromName: string | null; toName: string }) => [a.fromId, a.fromName, a.toName],
      );
    expect(await fromName()).toEqual([['m-1', '周敏', '锦江花园党支部']]);
    // The city moves her to 椒江 from today: 黄岩 keeps the appointment (its organisation's) and her past.
    await ok(
      reg.http.patch('/members/m-1', u().cityAdmin, {
        residenceCompoundId: 'jj-cp-1',
        residenceBuildingId: null,
        effectiveFrom: TODAY,
      }),
      200,
    );
    expect(await fromName()).toEqual([['m-1', null, '锦江花园党支部']]);
    expect(
      JSON.stringify((await reg.http.get('/appointments?orgId=cp-1-branch', huangyan)).body),
    ).not.toContain('周敏');
    expect(await fromName(huangyan, BEFORE_RENAME)).toEqual([['m-1', '周敏', '锦江花园党支部']]);
    expect(await fromName(u().cityAdmin)).toEqual([['m-1', '周敏', '锦江花园党支部']]);
  });
});
