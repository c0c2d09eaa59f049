import ExcelJS from 'exceljs';
import { attendance, ids, startPoints, users, type Harness } from './support.js';

/** Every role's scope (out of scope answers like missing), bad input (4xx, nothing recorded), exports. */
describe('scopes, bad input and exports through HTTP', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startPoints();
    await h.checkin(
      attendance(ids.li, 3, { attendanceId: 'att-s-1', checkInAt: '2026-02-03T09:00:00+08:00' }),
      attendance(ids.wang, 2, {
        attendanceId: 'att-s-2',
        communityId: ids.cm2,
        checkInAt: '2026-02-04T09:00:00+08:00',
      }),
      attendance(ids.other, 5, {
        attendanceId: 'att-s-3',
        communityId: ids.cm9,
        county: '331002',
        checkInAt: '2026-02-05T09:00:00+08:00',
      }),
    );
  });
  afterAll(() => h.close());

  it('answers a balance only within scope; another county reads as not found', async () => {
    const get = async (memberId: string, user: object) =>
      (await h.http.get(`/members/${memberId}/balance`, user)).status;
    expect(await get(ids.li, users.member331003)).toBe(200);
    expect(await get(ids.wang, users.member331003)).toBe(404);
    expect(await get(ids.li, users.staff331003)).toBe(200);
    expect(await get(ids.wang, users.staff331003)).toBe(404);
    expect(await get(ids.li, users.countyAdmin331003)).toBe(200);
    expect(await get(ids.other, users.countyAdmin331003)).toBe(404);
    expect(await get('no-such-member', users.countyAdmin331003)).toBe(404);
    expect(await get(ids.other, users.cityAdmin)).toBe(200);
    expect(await get(ids.li, users.firm331003)).toBe(403);
    expect(await get(ids.li, users.resident)).toBe(403);
    expect(await get(ids.li, users.apiConsumer)).toBe(403);
    expect((await h.http.get(`/members/${ids.li}/balance`, null)).status).toBe(401);
    const outside = await h.http.get(`/members/${ids.other}/balance`, users.countyAdmin331003);
    const missing = await h.http.get('/members/no-such-member/balance', users.countyAdmin331003);
    expect(outside.body.reason).toEqual(missing.body.reason);
    expect(outside.headers['content-type']).toMatch(/application\/problem\+json/);
  });

  it('lists only what is in scope', async () => {
    const memberIds = async (user: object) =>
      ((await h.http.get('/records', user)).body.items as { memberId: string }[])
        .map((r) => r.memberId)
        .sort();
    expect(await memberIds(users.member331003)).toEqual([ids.li]);
    expect(await memberIds(users.staff331003)).toEqual([ids.li]);
    expect(await memberIds(users.countyAdmin331003)).toEqual([ids.li, ids.wang]);
    expect(await memberIds(users.cityAdmin)).toEqual([ids.other, ids.li, ids.wang]);
    // A filter narrows the caller's scope, never replaces it (found by the proof suite's sweep).
    const filtered = async (path: string, user: object) =>
      ((await h.http.get(path, user)).body.items as { memberId: string }[]).map((r) => r.memberId);
    for (const other of [ids.wang, ids.other]) {
      expect(await filtered(`/records?memberId=${other}`, users.member331003)).toEqual([]);
      expect(await filtered(`/redemptions?memberId=${other}`, users.member331003)).toEqual([]);
    }
    expect(await filtered(`/records?memberId=${ids.other}`, users.countyAdmin331003)).toEqual([]);
    expect(await filtered(`/records?memberId=${ids.li}`, users.member331003)).toEqual([ids.li]);
    const accounts = await h.http.get('/accounts', users.countyAdmin331002);
    expect(accounts.body.items.map((a: { memberId: string }) => a.memberId)).toEqual([ids.other]);
    expect((await h.http.get('/reconcile', users.cityAdmin)).body).toEqual({
      members: 3,
      entries: 3,
      mismatches: [],
    });
  });

  it('refuses bad input with 4xx problem+json and records nothing', async () => {
    const before = (await h.http.get('/reconcile', users.cityAdmin)).body;
    const item = await h.http.post('/catalogue', users.staff331003, {
      communityId: ids.cm1,
      name: '毛巾',
      price: 5,
      stock: 3,
    });
    const bad: [string, object, object, number][] = [
      ['/redemptions', users.member331003, { itemId: item.body.id, quantity: 0 }, 400],
      ['/redemptions', users.member331003, { itemId: item.body.id, extra: 1 }, 400],
      ['/redemptions', users.member331003, { itemId: 'itm-nope' }, 404],
      ['/redemptions', users.member331002, { itemId: item.body.id }, 404],
      ['/redemptions', users.member331003, { itemId: item.body.id, memberId: ids.wang }, 422],
      ['/catalogue', users.staff331003, { communityId: ids.cm1, name: '=cmd|x', price: 5, stock: 1 }, 400],
      ['/catalogue', users.staff331003, { communityId: ids.cm1, name: '毛巾', price: -1, stock: 1 }, 400],
      ['/catalogue', users.staff331003, { communityId: ids.cm9, name: '毛巾', price: 1, stock: 1 }, 422],
      [
        '/records',
        users.staff331003,
        {
          memberId: ids.li,
          communityId: ids.cm1,
          content: '服务',
          date: '2099-01-01',
          hours: 2,
          organiserName: '队',
        },
        422,
      ],
      [
        '/records',
        users.staff331003,
        {
          memberId: ids.li,
          communityId: ids.cm1,
          content: '服务',
          date: '2026-01-01',
          hours: 30,
          organiserName: '队',
        },
        400,
      ],
      [
        '/records',
        users.staff331003,
        {
          memberId: ids.other,
          communityId: ids.cm1,
          content: '服务',
          date: '2026-01-01',
          hours: 2,
          organiserName: '队',
        },
        422,
      ],
      ['/orders', users.resident, { communityId: ids.cm1, title: '' }, 400],
      ['/orders', users.resident, { communityId: ids.cm1, title: 'x', budget: 20 }, 422],
      ['/entries/award:attendance:att-s-3/reverse', users.staff331003, { reason: '错误' }, 404],
      ['/entries/not an id/reverse', users.staff331003, { reason: '错误' }, 400],
      ['/rules', users.cityAdmin, { scope: 'city', rules: {} }, 400],
      ['/rules', users.cityAdmin, { scope: 'city', rules: { pointsPerHour: 0 } }, 400],
      ['/certificates', users.staff331003, { memberId: ids.li, from: '2026-13-01', to: '2026-12-31' }, 400],
    ];
    for (const [path, user, body, status] of bad) {
      const res = await h.http.post(path, user, body);
      expect([path, body, res.status]).toEqual([path, body, status]);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    }
    expect((await h.http.get('/reconcile', users.cityAdmin)).body).toEqual(before);
    expect((await h.http.get('/redemptions', users.cityAdmin)).body.total).toBe(0);
    expect((await h.http.get('/orders', users.cityAdmin)).body.total).toBe(0);
    expect((await h.http.get(`/records?status=pending`, users.cityAdmin)).body.total).toBe(0);
    expect(
      (await h.http.get(`/catalogue?communityId=${ids.cm1}`, users.staff331003)).body.items,
    ).toHaveLength(1);
  });

  it('ranks members per community and period, as JSON, CSV and XLSX', async () => {
    const json = await h.http.get('/leaderboard?period=2026-02', users.countyAdmin331003);
    expect(json.body.rows).toEqual([
      { rank: 1, id: ids.li, county: '331003', points: 3, hours: 3 },
      { rank: 2, id: ids.wang, county: '331003', points: 2, hours: 2 },
    ]);
    const one = await h.http.get(`/leaderboard?period=2026&communityId=${ids.cm2}`, users.member331003);
    expect(one.body.rows.map((r: { id: string }) => r.id)).toEqual([ids.wang]);
    expect((await h.http.get('/leaderboard?period=2026-03', users.countyAdmin331003)).body.rows).toEqual([]);
    const csv = await h.http.get('/leaderboard?period=2026&format=csv', users.cityAdmin);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.text.split('\r\n')[1]).toBe(`1,${ids.other},331002,5,5`);
    const xlsx = await h.http.binary('/leaderboard?period=2026&format=xlsx', users.cityAdmin);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.body as never);
    expect(wb.getWorksheet('积分排行')!.getRow(2).values).toEqual([undefined, 1, ids.other, '331002', 5, 5]);
    expect((await h.http.get('/leaderboard?period=26', users.cityAdmin)).status).toBe(400);
    // The records behind it, for funders: staff see their community's only.
    const records = await h.http.get('/exports/records?period=2026-02&format=csv', users.staff331003);
    expect(records.text.split('\r\n').filter(Boolean).slice(1)).toEqual([
      `2026-02-03,${ids.li},李红,${ids.cm1},参加活动 act-1,3,双江社区,,,attendance`,
    ]);
    const wbr = new ExcelJS.Workbook();
    await wbr.xlsx.load((await h.http.binary('/exports/records?period=2026', users.cityAdmin)).body as never);
    expect(wbr.getWorksheet('志愿服务记录')!.rowCount).toBe(4);
    expect(
      (await h.http.get(`/exports/records?period=2026&communityId=${ids.cm9}`, users.staff331003)).status,
    ).toBe(422);
  });
});
