import type { TestUser } from '@honglian/testkit';
import { idNumberCheckChar } from '../src/domain/identifiers.js';
import { buildFixtureCity, startRegistry } from './support.js';

/**
 * Every list answers `total`: how many records match in the caller's scope over every page, by the
 * same rule as the page (README, Totals); for members, by the version in force on the day, so a
 * move counts in the county that manages each version.
 */

const TODAY = '2026-06-30'; // the harness clock
const PAST = '2026-03-01';
const idNumber = (seq: number) => {
  const first17 = `33100319700101${String(seq).padStart(3, '0')}`;
  return first17 + idNumberCheckChar(first17);
};

type Registry = Awaited<ReturnType<typeof startRegistry>>;
interface PageBody {
  items: { id: string }[];
  nextCursor: string | null;
  total: number;
}

describe('list totals', () => {
  let reg: Registry;
  const u = () => reg.users;

  /** Every page of a list: the ids in order, and the total each page stated. */
  async function walk(path: string, user: TestUser, limit: number) {
    const ids: string[] = [];
    const totals: number[] = [];
    let cursor: string | null = null;
    do {
      const sep = path.includes('?') ? '&' : '?';
      const res = await reg.http.get(`${path}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, user);
      expect(res.status).toBe(200);
      const body = res.body as PageBody;
      ids.push(...body.items.map((i) => i.id));
      totals.push(body.total);
      cursor = body.nextCursor;
    } while (cursor);
    return { ids, totals };
  }
  /** The total each page states is the number of records all pages hold, and the same on every page. */
  async function total(path: string, user: TestUser, limit = 2): Promise<number> {
    const { ids, totals } = await walk(path, user, limit);
    expect(new Set(totals)).toEqual(new Set([ids.length]));
    return ids.length;
  }

  beforeAll(async () => {
    reg = await startRegistry();
    await buildFixtureCity(reg.http);
    const city = u().cityAdmin;
    const org = async (body: object) => {
      const res = await reg.http.post('/orgs', city, { effectiveFrom: '2026-01-01', ...body });
      if (res.status !== 201) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    };
    await org({ id: 'jj-cm-1', kind: 'community', name: '白云社区', parentId: 'jj-st-1' });
    await org({ id: 'jj-cp-1', kind: 'compound', name: '白云花园', parentId: 'jj-cm-1' });
    await org({
      id: 'jj-cp-1-branch',
      kind: 'compound-party-branch',
      name: '白云花园党支部',
      parentId: 'jj-cp-1',
    });
    // Two buildings from April: before then cp-1 has one.
    await org({ id: 'b-2', kind: 'building', name: '2幢', parentId: 'cp-1', effectiveFrom: '2026-04-01' });
    await org({ id: 'b-3', kind: 'building', name: '3幢', parentId: 'cp-1', effectiveFrom: '2026-04-01' });
    for (const [i, name] of ['甲', '乙', '丙', '丁', '戊'].entries()) {
      const res = await reg.http.post('/members', u().countyAdmin331003, {
        id: `m-${i + 1}`,
        name: `党员${name}`,
        idNumber: idNumber(i + 1),
        phone: `1390000000${i}`,
        category: 'retired',
        partyOrgId: 'cp-1-branch',
        residenceCompoundId: 'cp-1',
        effectiveFrom: '2026-01-01',
      });
      expect(res.status).toBe(201);
    }
    // m-3 moves to 椒江 from today: 黄岩 counts her in its past only, 椒江 in its present only.
    const moved = await reg.http.patch('/members/m-3', city, {
      residenceCompoundId: 'jj-cp-1',
      effectiveFrom: TODAY,
    });
    expect(moved.status).toBe(200);
  });
  afterAll(() => reg.close());

  it('units: the total of the whole list in scope on the day, the same on every page', async () => {
    expect(await total('/orgs?parentId=cp-1', u().countyAdmin331003)).toBe(4); // b-1, b-2, b-3, branch
    expect(await total(`/orgs?parentId=cp-1&asOf=${PAST}`, u().countyAdmin331003)).toBe(2);
    expect(await total('/orgs?kind=building', u().countyAdmin331002)).toBe(0);
    expect(await total('/orgs', u().staff331003, 3)).toBe(7); // cm-1, g-1, cp-1, b-1, b-2, b-3, branch
  });

  it('members: exact per version in force, after a move too', async () => {
    const huangyan = u().countyAdmin331003;
    const jiaojiang = u().countyAdmin331002;
    expect(await total('/members', huangyan)).toBe(4);
    expect(await total(`/members?asOf=${PAST}`, huangyan)).toBe(5);
    expect(await total('/members', jiaojiang)).toBe(1);
    expect(await total(`/members?asOf=${PAST}`, jiaojiang)).toBe(0);
    expect(await total('/members?compoundId=cp-1', u().cityAdmin, 1)).toBe(4);
    expect(await total('/members?q=甲', huangyan)).toBe(1);
    expect(await total('/members?asOf=2025-12-31', u().cityAdmin)).toBe(0);
    const search = await reg.http.post('/members/search', huangyan, { compoundId: 'cp-1', limit: 1 });
    expect([search.body.items.length, search.body.total]).toEqual([1, 4]);
  });

  it('relations, the reveal log and the review cases', async () => {
    const admin = u().countyAdmin331003;
    // m-3 is filed in 椒江 now: 黄岩 appoints the others.
    for (const [memberId, orgId] of [
      ['m-1', 'cp-1-branch'],
      ['m-2', 'b-1'],
      ['m-4', 'b-2'],
    ]) {
      const res = await reg.http.post('/appointments', admin, {
        memberId,
        orgId,
        post: '楼栋长',
        validFrom: '2026-04-01',
      });
      expect(res.status).toBe(201);
    }
    expect(await total('/appointments', admin)).toBe(3);
    expect(await total(`/appointments?asOf=${PAST}`, admin)).toBe(0);
    expect(await total('/appointments?memberId=m-1', admin)).toBe(1);
    expect(await total('/appointments', u().countyAdmin331002)).toBe(0);
    expect(await total('/contracts', admin)).toBe(0);

    for (const id of ['m-1', 'm-2', 'm-3']) await reg.http.get(`/members/${id}/reveal`, admin);
    // The reveal log goes by the member's county: m-3 is filed in 椒江 now (黄岩's attempt is 椒江's entry).
    expect(await total('/reveals', admin)).toBe(2);
    expect(await total('/reveals', u().countyAdmin331002)).toBe(1);
    expect(await total('/reveals?memberId=m-1', u().cityAdmin)).toBe(1);

    // 椒江 tries to register 黄岩's member: a review case for the city admin.
    const clash = await reg.http.post('/members', u().countyAdmin331002, {
      name: '重复',
      idNumber: idNumber(1),
      phone: '13700000000',
      category: 'retired',
      partyOrgId: 'jj-cp-1-branch',
      residenceCompoundId: 'jj-cp-1',
      effectiveFrom: '2026-01-01',
    });
    expect(clash.status).toBe(409);
    const reviews = await reg.http.get('/identity-reviews', u().cityAdmin);
    expect([reviews.body.items.length, reviews.body.total]).toEqual([1, 1]);
  });
});
