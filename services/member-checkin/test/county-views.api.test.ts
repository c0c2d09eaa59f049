import ExcelJS from 'exceljs';
import { DAY, HOUR } from '../src/domain/rules.js';
import {
  fixtureEvents,
  ids,
  member,
  other,
  otherCountyEvents,
  startCheckin,
  users,
  type Harness,
} from './support.js';

/**
 * The lists a county works from (README "County views"): overdue reports, members below the
 * yearly hours, 报而不到 flags, red-flagged units — scoped, with names, totals, and as files.
 *
 * 黄岩 (331003): Li reported at X (residence) and Y (work) and served 2 h at X in January; Wang
 * filed a residence report nobody confirmed; the third member (a formula-like name) never
 * reported. All joined on 2026-01-01, so their reports were due by 2026-01-31.
 */
type Row = Record<string, unknown>;

describe('county views', () => {
  let h: Harness;
  const memberIds = (body: { items: Row[] }) => body.items.map((r) => r.memberId).sort();

  beforeAll(async () => {
    h = await startCheckin({ rules: { yearlyHoursExpected: 20 } });
    await h.publishRegistry(...fixtureEvents(), ...otherCountyEvents());
    for (const [kind, community, staff] of [
      ['residence', ids.X, users.staffX],
      ['work', ids.Y, users.staffY],
    ] as const) {
      const r = await h.http.post('/reports', users.li, { kind, communityId: community });
      expect((await h.http.post(`/reports/${r.body.id}/confirm`, staff)).status).toBe(200);
    }
    expect(
      (await h.http.post('/reports', users.wang, { kind: 'residence', communityId: ids.X })).status,
    ).toBe(201);
    // Li serves two hours at X on 5 January (witnessed in and out by X's staff).
    const act = await h.http.post('/activities', users.staffX, {
      communityId: ids.X,
      title: '楼道清理',
      startsAt: h.clock.now().toISOString(),
      endsAt: new Date(h.clock.now().getTime() + 3 * HOUR).toISOString(),
    });
    const witnessed = { activityId: act.body.id, memberId: ids.li };
    expect((await h.http.post('/attendances/check-in', users.staffX, witnessed)).status).toBe(201);
    h.clock.advance(2 * HOUR);
    expect((await h.http.post('/attendances/check-out', users.staffX, witnessed)).status).toBe(200);
    h.clock.set(new Date('2026-02-10T09:00:00+08:00'));
  });
  afterAll(() => h.close());

  it('lists the reports owed past the 30-day deadline, with names, longest overdue first', async () => {
    const res = await h.http.get('/views/overdue-reports?county=331003', users.countyAdmin331003);
    expect(res.status).toBe(200);
    const owed = res.body.items.filter((r: Row) => r.memberId !== other.sun);
    expect(owed.map((r: Row) => [r.memberId, r.kind])).toEqual(
      expect.arrayContaining([
        [ids.wang, 'work'],
        [ids.evil, 'residence'],
        [ids.evil, 'work'],
      ]),
    );
    expect(owed.some((r: Row) => r.memberId === ids.li)).toBe(false);
    const evilHome = owed.find((r: Row) => r.memberId === ids.evil && r.kind === 'residence');
    expect(evilHome).toMatchObject({
      since: '2026-01-01',
      dueOn: '2026-01-31',
      daysOverdue: 10,
      communities: [{ id: ids.X, name: '双江社区' }],
      workUnitName: '黄岩区住房和城乡建设局',
      kindLabel: { zh: '居住地社区报到', en: expect.any(String) },
    });
    expect(res.body.total).toBe(res.body.items.length);

    // A page of one, then the next: the total stays the whole list.
    const first = await h.http.get('/views/overdue-reports?limit=1', users.countyAdmin331003);
    expect(first.body).toMatchObject({ total: res.body.total, nextCursor: '1' });
    const second = await h.http.get('/views/overdue-reports?limit=1&cursor=1', users.countyAdmin331003);
    expect(second.body.items[0]).toEqual(res.body.items[1]);
  });

  it('tells the member (and their county) in the summary which reports they owe, where, by when', async () => {
    const evil = await h.http.get(`/members/${ids.evil}/summary`, users.countyAdmin331003);
    expect(evil.body.owed).toEqual([
      {
        kind: 'residence',
        communities: [{ id: ids.X, name: '双江社区' }],
        since: '2026-01-01',
        dueOn: '2026-01-31',
        overdue: true,
      },
      {
        kind: 'work',
        // The city-made pairing of the bureau with 椒江's Z counts too.
        communities: [
          { id: other.Z, name: '海门社区' },
          { id: ids.Y, name: '天长社区' },
        ],
        since: '2026-01-01',
        dueOn: '2026-01-31',
        overdue: true,
      },
    ]);
    expect((await h.http.get(`/members/${ids.li}/summary`, users.li)).body.owed).toEqual([]);
    // A community's view of a member says nothing of their other duties.
    expect((await h.http.get(`/members/${ids.wang}/summary`, users.staffX)).body.owed).toEqual([]);
  });

  it('shows a community’s staff only what is owed to their communities; another county nothing', async () => {
    const x = await h.http.get('/views/overdue-reports', users.staffX);
    expect(x.body.items.map((r: Row) => r.communities)).not.toContainEqual([{ id: ids.Y, name: '天长社区' }]);
    expect(x.body.items.some((r: Row) => r.memberId === ids.evil && r.kind === 'residence')).toBe(true);
    const y = await h.http.get('/views/overdue-reports?kind=work', users.staffY);
    expect(memberIds(y.body)).toEqual(expect.arrayContaining([ids.evil, ids.wang]));
    const elsewhere = await h.http.get('/views/overdue-reports?county=331003', users.countyAdmin331002);
    expect(elsewhere.body).toEqual({ items: [], nextCursor: null, total: 0 });
    const own = await h.http.get('/views/overdue-reports', users.countyAdmin331002);
    expect(own.body.items.every((r: Row) => r.county === other.county)).toBe(true);
  });

  it('lists members below the yearly hours, prorated to the period, fewest first', async () => {
    const res = await h.http.get('/views/low-hours?period=2026-01', users.countyAdmin331003);
    expect(res.status).toBe(200);
    // 20 h a year over January's 31 days.
    expect(res.body).toMatchObject({ yearlyHours: 20, expectedHours: 1.7, period: { label: '2026-01' } });
    expect(memberIds(res.body)).toEqual(expect.arrayContaining([ids.wang, ids.evil]));
    expect(memberIds(res.body)).not.toContain(ids.li); // 2 h served
    expect(res.body.items[0]).toMatchObject({
      hours: 0,
      shortfall: 1.7,
      workUnitName: '黄岩区住房和城乡建设局',
    });
    expect(res.body.total).toBe(res.body.items.length);

    // A community's staff: the members active there, with the hours served there. Li served at
    // X, so X's staff see nobody short; Y's staff see Li with none of her hours (served at X).
    expect((await h.http.get('/views/low-hours?period=2026-01', users.staffX)).body.total).toBe(0);
    const y = await h.http.get('/views/low-hours?period=2026-01', users.staffY);
    expect(y.body.items).toEqual([expect.objectContaining({ memberId: ids.li, hours: 0, attendances: 0 })]);
  });

  it('lists 报而不到 reports county-wide with names, and exports them as CSV and XLSX', async () => {
    h.clock.set(new Date(new Date('2026-01-05T09:00:00+08:00').getTime() + 181 * DAY));
    await h.service.scan();
    const res = await h.http.get('/views/no-shows', users.countyAdmin331003);
    expect(res.status).toBe(200);
    // Both of Li's reports: 181 days since her last attendance (X) and since activation (Y).
    expect(res.body.total).toBe(2);
    expect(res.body.items.find((r: Row) => r.kind === 'work')).toMatchObject({
      memberId: ids.li,
      memberName: '李红',
      communityId: ids.Y,
      communityName: '天长社区',
      daysWithoutAttendance: 181,
    });
    expect((await h.http.get('/views/no-shows', users.staffY)).body.items).toEqual([
      expect.objectContaining({ communityId: ids.Y }),
    ]);
    expect((await h.http.get('/views/no-shows?kind=work', users.staffX)).body.total).toBe(0);
    expect((await h.http.get('/views/no-shows', users.countyAdmin331002)).body.total).toBe(0);
    expect((await h.http.get(`/views/no-shows?communityId=${ids.X}`, users.cityAdmin)).body).toMatchObject({
      total: 1,
      items: [{ kind: 'residence', communityName: '双江社区' }],
    });

    const csv = await h.http.get('/views/no-shows?format=csv', users.countyAdmin331003);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.text).toContain('李红');
    expect(csv.text).toContain('天长社区');
    const xlsx = await h.http.binary('/views/no-shows?format=xlsx', users.countyAdmin331003);
    expect(xlsx.headers['content-type']).toMatch(/spreadsheetml/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.body as never);
    const rows = wb.getWorksheet('报而不到')!.getSheetValues().filter(Boolean) as unknown[][];
    expect(rows).toHaveLength(3); // the header and both reports
    expect(rows[1]).toContain('李红');
  });

  it('lists the units whose report or completion rate is below 95 %, and every unit on request', async () => {
    const res = await h.http.get('/views/units?period=2026-H1', users.countyAdmin331003);
    expect(res.status).toBe(200);
    const bureau = res.body.items.find((u: Row) => u.unitId === ids.unit);
    expect(bureau).toMatchObject({ unitName: '黄岩区住房和城乡建设局', redFlag: true });
    expect(bureau.redFlags.map((f: Row) => f.code)).toContain('report-rate');
    expect(res.body.threshold).toBe(0.95);
    const all = await h.http.get('/views/units?period=2026-H1&all=true', users.countyAdmin331003);
    expect(all.body.total).toBeGreaterThanOrEqual(res.body.total);
    // A community's staff do not manage the bureau's placement.
    expect((await h.http.get('/views/units?period=2026-H1', users.staffX)).body.total).toBe(0);
    expect(
      (await h.http.get('/views/units?period=2026-H1', users.countyAdmin331002)).body.items,
    ).not.toContainEqual(expect.objectContaining({ unitId: ids.unit }));
    const csv = await h.http.get('/views/units?period=2026-H1&format=csv', users.countyAdmin331003);
    expect(csv.text).toContain('黄岩区住房和城乡建设局');
  });

  it('counts every member working at a unit, wherever they live, as the unit’s feedback sheet does', async () => {
    // 钱进 lives in 椒江 (so her record is 椒江's) and works at 黄岩's housing bureau.
    await h.publishRegistry(
      member('331002-member-09', '钱进', {
        county: other.county,
        partyOrgId: other.unitParty,
        residenceCompoundId: other.compound,
        residenceCommunityId: other.Z,
      }),
    );
    const sheet = await h.http.get(`/units/${ids.unit}/feedback?period=2026-H1`, users.countyAdmin331003);
    expect(sheet.status).toBe(200);
    const all = await h.http.get('/views/units?period=2026-H1&all=true', users.countyAdmin331003);
    const bureau = all.body.items.find((u: Row) => u.unitId === ids.unit);
    expect(bureau).toMatchObject({
      members: sheet.body.totals.members,
      reported: sheet.body.totals.reported,
      reportRate: sheet.body.totals.reportRate,
    });
    expect(sheet.body.members.map((m: Row) => m.memberId)).toContain('331002-member-09');
  });

  it('every list answers its total', async () => {
    const reports = await h.http.get('/reports?limit=1', users.countyAdmin331003);
    expect(reports.body.items).toHaveLength(1);
    expect(reports.body.total).toBe(3);
  });

  it('refuses bad filters with 400 and members with 403', async () => {
    for (const path of [
      '/views/overdue-reports?cursor=abc',
      '/views/low-hours?period=2026-13',
      '/views/units?all=yes',
      '/views/no-shows?format=pdf',
      '/views/no-shows?kind=home',
    ]) {
      const res = await h.http.get(path, users.countyAdmin331003);
      expect([path, res.status, res.headers['content-type']]).toEqual([
        path,
        400,
        expect.stringMatching(/^application\/problem\+json/),
      ]);
    }
    expect((await h.http.get('/views/no-shows', users.li)).status).toBe(403);
  });
});
