import { TOPICS } from '@honglian/contracts';
import { expectValidEvents } from '@honglian/testkit';
import type { TestUser } from '@honglian/testkit';
import { attendance, ids, startPoints, users, type Harness } from './support.js';

/** Issue 14 items 1–3 and 6: attendance → records and points, once; rules; reversal; redemption; year end. */
describe('the points ledger through HTTP', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startPoints();
  });
  afterEach(() => h.close());

  const balance = async (memberId: string, user: TestUser = users.cityAdmin) => {
    const res = await h.http.get(`/members/${memberId}/balance`, user);
    expect(res.status).toBe(200);
    return res.body as { balance: number; hours: number; entries: number; stars: number };
  };

  it('turns a check-in at member-checkin into a record and points, exactly once however often it arrives', async () => {
    const event = attendance(ids.li, 2.5, { attendanceId: 'att-li-1' });
    await h.checkin(event);
    await h.checkin(event); // the same delivery again
    await h.checkin({ ...attendance(ids.li, 2.5, { attendanceId: 'att-li-1' }) }); // re-published under a new id
    expect(await balance(ids.li, users.member331003)).toMatchObject({ balance: 2.5, hours: 2.5, entries: 1 });
    const records = await h.http.get(`/records?memberId=${ids.li}`, users.staff331003);
    expect(records.body.items).toEqual([
      expect.objectContaining({
        source: 'attendance',
        sourceId: 'att-li-1',
        status: 'approved',
        hours: 2.5,
        memberName: '李红',
      }),
    ]);
    const entries = await h.http.get(`/members/${ids.li}/entries`, users.member331003);
    expect(entries.body.items).toEqual([
      expect.objectContaining({
        id: 'award:attendance:att-li-1',
        kind: 'award',
        points: 2.5,
        ruleVersion: 'city-0',
        cause: { type: 'attendance', id: 'att-li-1' },
      }),
    ]);
    const awarded = (await h.events(TOPICS.volunteerPoints)).filter((e) =>
      e.type.endsWith('points.awarded.v1'),
    );
    expect(awarded).toHaveLength(1);
    expectValidEvents(await h.events());
  });

  it('caps points per activity and per day, and a new rule version affects new entries only', async () => {
    await h.checkin(attendance(ids.li, 10, { checkInAt: '2026-03-01T06:00:00+08:00' })); // capped at 8 per activity
    await h.checkin(attendance(ids.li, 6, { checkInAt: '2026-03-01T16:30:00+08:00' })); // 4 left of the day's 12
    expect(await balance(ids.li)).toMatchObject({ balance: 12, hours: 16 });
    const v = await h.http.post('/rules', users.countyAdmin331003, {
      scope: '331003',
      rules: { pointsPerHour: 2 },
    });
    expect(v.status).toBe(201);
    expect(v.body).toMatchObject({ scope: '331003', version: 1 });
    await h.checkin(attendance(ids.li, 1, { checkInAt: '2026-03-02T08:00:00+08:00' }));
    const entries = (await h.http.get(`/members/${ids.li}/entries`, users.cityAdmin)).body.items as {
      points: number;
      ruleVersion: string;
    }[];
    expect(entries.map((e) => [e.points, e.ruleVersion]).sort()).toEqual([
      [2, 'city-0+331003-1'],
      [4, 'city-0'],
      [8, 'city-0'],
    ]);
    // Another county's rules are not this admin's to set: answered as not found.
    expect(
      (await h.http.post('/rules', users.countyAdmin331003, { scope: '331002', rules: { pointsPerHour: 3 } }))
        .status,
    ).toBe(404);
    expect(
      (await h.http.post('/rules', users.countyAdmin331003, { scope: 'city', rules: { pointsPerHour: 3 } }))
        .status,
    ).toBe(403);
    const rules = await h.http.get('/rules?county=331003', users.countyAdmin331003);
    expect(rules.body).toMatchObject({
      version: 'city-0+331003-1',
      rules: { pointsPerHour: 2, capPerActivity: 8 },
    });
  });

  it('caps a record by the day it was served, not the day it is approved', async () => {
    const record = async (date: string) => {
      const res = await h.http.post('/records', users.staff331003, {
        memberId: ids.li,
        communityId: ids.cm1,
        content: '义务巡逻',
        date,
        hours: 8,
        organiserName: '双江社区志愿队',
      });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    const approve = async (id: string) =>
      expect((await h.http.post(`/records/${id}/approve`, users.staff331003, {})).status).toBe(200);
    // Three days of service approved together: each day has its own cap of 12.
    for (const id of [await record('2026-02-27'), await record('2026-02-28'), await record('2026-03-01')])
      await approve(id);
    expect(await balance(ids.li)).toMatchObject({ balance: 24, hours: 24 });
    // A second record for 1 March approved another day: 4 left of that day's 12.
    const late = await record('2026-03-01');
    h.clock.advance(86_400_000);
    await approve(late);
    expect(await balance(ids.li)).toMatchObject({ balance: 28, hours: 32 });
  });

  it('does not let a reversed award use up the day it was for', async () => {
    await h.checkin(
      attendance(ids.li, 8, { attendanceId: 'att-dup', checkInAt: '2026-03-01T08:00:00+08:00' }),
    );
    await h.checkin(attendance(ids.li, 6, { checkInAt: '2026-03-01T17:00:00+08:00' })); // 4 left of 12
    const rev = await h.http.post('/entries/award:attendance:att-dup/reverse', users.staff331003, {
      reason: '登记错误',
    });
    expect(rev.status).toBe(201);
    const fixed = await h.http.post('/records', users.staff331003, {
      memberId: ids.li,
      communityId: ids.cm1,
      content: '活动补录',
      date: '2026-03-01',
      hours: 8,
      organiserName: '双江社区志愿队',
    });
    expect((await h.http.post(`/records/${fixed.body.id}/approve`, users.staff331003, {})).status).toBe(200);
    // 4 + 8 = 12: the day's cap, with the reversed 8 no longer counted.
    expect(await balance(ids.li)).toMatchObject({ balance: 12, hours: 14 });
  });

  it('holds records for approval when the rules say so; approval earns once', async () => {
    await h.http.post('/rules', users.cityAdmin, { scope: 'city', rules: { approvalRequired: true } });
    await h.checkin(attendance(ids.li, 3, { attendanceId: 'att-pending' }));
    expect(await balance(ids.li)).toMatchObject({ balance: 0 });
    const manual = await h.http.post('/records', users.staff331003, {
      memberId: ids.li,
      communityId: ids.cm1,
      content: '义务理发',
      date: '2026-03-01',
      hours: 2,
      organiserName: '双江社区志愿队',
    });
    expect(manual.status).toBe(201);
    expect(manual.body.status).toBe('pending');
    expect((await h.http.post(`/records/${manual.body.id}/approve`, users.staff331003, {})).status).toBe(200);
    const twice = await h.http.post(`/records/${manual.body.id}/approve`, users.staff331003, {});
    expect([twice.status, twice.body]).toEqual([409, expect.objectContaining({ status: 409 })]);
    expect(
      (await h.http.post(`/records/rec-att-att-pending/approve`, users.staff331003, { note: 'ok' })).status,
    ).toBe(200);
    expect(await balance(ids.li)).toMatchObject({ balance: 5, hours: 5, entries: 2 });
    // A member cannot approve; staff of another community do not see the record.
    expect((await h.http.post(`/records/${manual.body.id}/reject`, users.member331003, {})).status).toBe(403);
    expect((await h.http.post(`/records/${manual.body.id}/reject`, users.staff2, {})).status).toBe(404);
  });

  it('reverses an entry with a reason, once, and the balance is restored', async () => {
    await h.checkin(attendance(ids.li, 4, { attendanceId: 'att-wrong' }));
    expect(await balance(ids.li)).toMatchObject({ balance: 4, hours: 4 });
    const rev = await h.http.post('/entries/award:attendance:att-wrong/reverse', users.staff331003, {
      reason: '重复登记',
    });
    expect(rev.status).toBe(201);
    expect(rev.body).toMatchObject({
      kind: 'reversal',
      points: -4,
      hours: -4,
      reverses: 'award:attendance:att-wrong',
      reason: '重复登记',
    });
    expect(await balance(ids.li)).toMatchObject({ balance: 0, hours: 0, entries: 2 });
    const again = await h.http.post('/entries/award:attendance:att-wrong/reverse', users.staff331003, {
      reason: '再次',
    });
    expect(again.status).toBe(409);
    expect(again.body.reason).toEqual({ zh: expect.any(String), en: expect.any(String) });
    expect(
      (await h.http.post('/entries/award:attendance:att-wrong/reverse', users.member331003, { reason: 'x' }))
        .status,
    ).toBe(403);
    expect((await h.http.get('/reconcile', users.cityAdmin)).body).toMatchObject({ mismatches: [] });
  });

  it('lets exactly 3 of 20 concurrent redemptions through against a balance that covers 3', async () => {
    await h.checkin(attendance(ids.li, 6, { checkInAt: '2026-03-01T08:00:00+08:00' }));
    const item = await h.http.post('/catalogue', users.staff331003, {
      communityId: ids.cm1,
      name: '洗衣液',
      price: 2,
      stock: 100,
    });
    expect(item.status).toBe(201);
    await h.auth(users.member331003);
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        h.http.post('/redemptions', users.member331003, { itemId: item.body.id }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(3);
    expect(statuses.filter((s) => s === 409)).toHaveLength(17);
    expect(await balance(ids.li)).toMatchObject({ balance: 0, entries: 4 });
    const stock = await h.http.get(`/catalogue?communityId=${ids.cm1}`, users.staff331003);
    expect(stock.body.items[0].stock).toBe(97);
    // Cancelling one gives the points and the stock back, once.
    const one = results.find((r) => r.status === 201)!.body as { id: string };
    expect(
      (await h.http.post(`/redemptions/${one.id}/cancel`, users.member331003, { reason: '不需要了' })).status,
    ).toBe(200);
    expect(
      (await h.http.post(`/redemptions/${one.id}/cancel`, users.member331003, { reason: '再次' })).status,
    ).toBe(409);
    expect(await balance(ids.li)).toMatchObject({ balance: 2 });
    expect(
      (await h.http.get(`/catalogue?communityId=${ids.cm1}`, users.staff331003)).body.items[0].stock,
    ).toBe(98);
    const explained = await h.http.get(`/members/${ids.li}/explain`, users.member331003);
    expect(explained.body.account).toEqual(explained.body.fromEntries);
  });

  it('clears unused points at the year end where the community says so, and carries them over elsewhere', async () => {
    await h.checkin(attendance(ids.li, 5, { checkInAt: '2026-11-01T09:00:00+08:00' }));
    await h.checkin(
      attendance(ids.wang, 3, { communityId: ids.cm2, checkInAt: '2026-11-01T09:00:00+08:00' }),
    );
    expect(
      (await h.http.put(`/communities/${ids.cm1}/year-end`, users.staff331003, { yearEnd: 'clear' })).status,
    ).toBe(200);
    h.clock.set('2026-12-31T23:00:00+08:00');
    expect((await h.service.runJobs()).yearEnd).toEqual({ year: 2025, expired: 0 });
    h.clock.set('2027-01-01T00:30:00+08:00');
    await h.checkin(attendance(ids.li, 1, { checkInAt: '2027-01-01T00:00:00+08:00' })); // earned in the new year: kept
    expect((await h.service.runJobs()).yearEnd).toEqual({ year: 2026, expired: 1 });
    expect((await h.service.runJobs()).yearEnd).toEqual({ year: 2026, expired: 0 }); // once per year
    expect(await balance(ids.li)).toMatchObject({ balance: 1, hours: 6 });
    expect(await balance(ids.wang)).toMatchObject({ balance: 3 });
    expect((await h.http.get('/reconcile', users.cityAdmin)).body.mismatches).toEqual([]);
  });

  it('never clears points earned after the year end, even when some were spent before the job ran', async () => {
    await h.checkin(attendance(ids.li, 5, { checkInAt: '2026-11-01T09:00:00+08:00' }));
    await h.checkin(attendance(ids.li, 5, { checkInAt: '2026-11-02T09:00:00+08:00' }));
    await h.http.put(`/communities/${ids.cm1}/year-end`, users.staff331003, { yearEnd: 'clear' });
    h.clock.set('2027-01-02T10:00:00+08:00');
    await h.checkin(attendance(ids.li, 5, { checkInAt: '2027-01-02T08:00:00+08:00' })); // new year: kept
    const item = await h.http.post('/catalogue', users.staff331003, {
      communityId: ids.cm1,
      name: '大米',
      price: 8,
      stock: 5,
    });
    expect((await h.http.post('/redemptions', users.member331003, { itemId: item.body.id })).status).toBe(
      201,
    );
    // 10 held at the year end, 8 of them spent since: 2 expire, the 5 earned in 2027 stay.
    expect((await h.service.runJobs()).yearEnd).toEqual({ year: 2026, expired: 1 });
    const expiry = await h.http.get(`/members/${ids.li}/entries?kind=expiry`, users.cityAdmin);
    expect(expiry.body.items.map((e: { points: number }) => e.points)).toEqual([-2]);
    expect(await balance(ids.li)).toMatchObject({ balance: 5, hours: 15 });
  });
});
