import { AttendanceRecorded, NoShowCleared } from '@honglian/contracts';
import { DAY, MINUTE } from '../src/domain/rules.js';
import { fixtureEvents, ids, startCheckin, users, type Harness } from './support.js';

/**
 * Attendance integrity: a session shorter than its kind's minimum is recorded but credits
 * nothing, completes no report and clears no 报而不到 flag; a whistle call measures each arrival;
 * activity dates stay within the configured horizon.
 */
describe('attendance integrity and input sanity', () => {
  let h: Harness;
  let residence = '';
  beforeAll(async () => {
    h = await startCheckin();
    await h.publishRegistry(...fixtureEvents());
    residence = (await h.http.post('/reports', users.li, { kind: 'residence', communityId: ids.X })).body.id;
    await h.http.post(`/reports/${residence}/confirm`, users.staffX);
    const wang = (await h.http.post('/reports', users.wang, { kind: 'residence', communityId: ids.X })).body
      .id;
    await h.http.post(`/reports/${wang}/confirm`, users.staffX);
  });
  afterAll(() => h.close());

  const at = (iso: string) => new Date(iso).getTime();
  const recorded = async () => (await h.events()).filter((e) => e.type === AttendanceRecorded.type);

  it('a 0-minute witnessed attendance is recorded but completes no report, clears no flag and adds no hours', async () => {
    // 180 days after activation without attendance: 报而不到.
    h.clock.set(new Date(at('2026-01-05T09:00:00+08:00') + 181 * DAY));
    await h.service.scan();
    expect((await h.http.get(`/reports/${residence}`, users.staffX)).body.noShow).toBe(true);
    const day = h.clock.now();
    const startsAt = new Date(day.getTime()).toISOString();
    const act = await h.http.post('/activities', users.staffX, {
      communityId: ids.X,
      title: '合影活动',
      startsAt,
      endsAt: new Date(day.getTime() + 2 * 60 * MINUTE).toISOString(),
    });
    const witness = { activityId: act.body.id, memberId: ids.li };
    const eventsBefore = (await recorded()).length;

    // Check-in and check-out back to back (the same minute is refused as out of order; 30 s is not).
    expect((await h.http.post('/attendances/check-in', users.staffX, witness)).status).toBe(201);
    h.clock.advance(30_000);
    const out = await h.http.post('/attendances/check-out', users.staffX, witness);
    expect(out.status).toBe(200);
    expect(out.body).toMatchObject({ status: 'closed', creditedMinutes: 0, hours: 0, measuredMinutes: 0 });
    expect(out.body.flags).toContain('below-minimum');

    // 10 minutes is still under the 30 minutes an activity needs.
    h.clock.advance(MINUTE);
    await h.http.post('/attendances/check-in', users.staffX, witness);
    h.clock.advance(10 * MINUTE);
    const short = (await h.http.post('/attendances/check-out', users.staffX, witness)).body;
    expect(short).toMatchObject({ creditedMinutes: 0, hours: 0, measuredMinutes: 10 });
    expect(short.flags).toContain('below-minimum');

    const report = (await h.http.get(`/reports/${residence}`, users.staffX)).body;
    expect(report).toMatchObject({ noShow: true, lastAttendanceAt: null });
    const summary = (await h.http.get(`/members/${ids.li}/summary?period=2026-H1`, users.li)).body;
    expect(summary).toMatchObject({ attendances: 0, hours: 0, completed: false, noShow: true });
    expect((await recorded()).length).toBe(eventsBefore);
    expect((await h.events()).some((e) => e.type === NoShowCleared.type)).toBe(false);
    // Both stay on record for the community.
    const listed = (await h.http.get(`/attendances?activityId=${act.body.id}`, users.staffX)).body.items;
    expect(listed).toHaveLength(2);

    // 45 minutes counts: credited, the report is attended and the flag clears.
    h.clock.advance(MINUTE);
    await h.http.post('/attendances/check-in', users.staffX, witness);
    h.clock.advance(45 * MINUTE);
    const real = (await h.http.post('/attendances/check-out', users.staffX, witness)).body;
    expect(real).toMatchObject({ creditedMinutes: 45, hours: 0.75, measuredMinutes: 45 });
    expect(real.flags).not.toContain('below-minimum');
    expect((await h.http.get(`/reports/${residence}`, users.staffX)).body.noShow).toBe(false);
    expect((await recorded()).length).toBe(eventsBefore + 1);
  });

  it('a whistle call measures each arrival against arrivalWithinMinutes, on the attendance and the responses', async () => {
    h.clock.set('2026-08-01T09:00:00+08:00');
    const call = await h.http.post('/activities', users.staffX, {
      kind: 'call',
      communityId: ids.X,
      title: '防汛吹哨',
      startsAt: '2026-08-01T09:00:00+08:00',
      endsAt: '2026-08-01T12:00:00+08:00',
      arrivalWithinMinutes: 20,
    });
    expect(call.status).toBe(201);
    const id = call.body.id as string;
    h.clock.advance(2 * MINUTE);
    expect((await h.http.post(`/activities/${id}/responses`, users.li, {})).body).toMatchObject({
      checkedInAt: null,
      arrivalMinutes: null,
      arrivedInTime: null,
    });
    await h.http.post(`/activities/${id}/responses`, users.wang, {});
    const token = async () => (await h.http.get(`/activities/${id}/qr`, users.staffX)).body.token as string;

    h.clock.set('2026-08-01T09:12:00+08:00');
    const li = await h.http.post('/attendances/check-in', users.li, { token: await token() });
    expect(li.body).toMatchObject({ activityKind: 'call', arrivalMinutes: 12, arrivedInTime: true });
    h.clock.set('2026-08-01T09:25:30+08:00');
    const wang = await h.http.post('/attendances/check-in', users.wang, { token: await token() });
    expect(wang.body).toMatchObject({ arrivalMinutes: 25, arrivedInTime: false });

    // A call needs 15 minutes to count.
    h.clock.set('2026-08-01T09:30:00+08:00');
    const liOut = await h.http.post('/attendances/check-out', users.li, { token: await token() });
    expect(liOut.body).toMatchObject({ creditedMinutes: 18, arrivalMinutes: 12, arrivedInTime: true });

    const responses = (await h.http.get(`/activities/${id}/responses`, users.staffX)).body.items;
    const byMember = Object.fromEntries(responses.map((r: { memberId: string }) => [r.memberId, r]));
    expect(byMember[ids.li]).toMatchObject({
      checkedInAt: new Date('2026-08-01T09:12:00+08:00').toISOString(),
      arrivalMinutes: 12,
      arrivedInTime: true,
    });
    expect(byMember[ids.wang]).toMatchObject({ arrivalMinutes: 25, arrivedInTime: false });
    // The attendance list of the call says the same.
    const list = (await h.http.get(`/attendances?activityId=${id}`, users.staffX)).body.items;
    expect(list.map((a: { arrivalMinutes: number }) => a.arrivalMinutes).sort()).toEqual([12, 25]);
  });

  it('refuses activity dates beyond the horizon or in absurd years, and an end before the start', async () => {
    h.clock.set('2026-09-01T09:00:00+08:00');
    const post = (startsAt: string, endsAt: string) =>
      h.http.post('/activities', users.staffX, { communityId: ids.X, title: '远期活动', startsAt, endsAt });
    const before = await h.conn.db!.collection('activities').countDocuments();
    const absurd = await post('2999-01-01T09:00:00+08:00', '2999-01-01T11:00:00+08:00');
    expect(absurd.status).toBe(422);
    expect(absurd.body).toMatchObject({
      field: 'startsAt',
      reason: { en: 'an activity may start at most 365 days ahead' },
    });
    expect((await post('2027-10-01T09:00:00+08:00', '2027-10-01T11:00:00+08:00')).status).toBe(422);
    const backwards = await post('2026-09-02T11:00:00+08:00', '2026-09-02T09:00:00+08:00');
    expect(backwards.status).toBe(400);
    expect(await h.conn.db!.collection('activities').countDocuments()).toBe(before);
    expect((await post('2027-08-01T09:00:00+08:00', '2027-08-01T11:00:00+08:00')).status).toBe(201);
  });
});

describe('integrity rules are configurable', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startCheckin({
      rules: { minCreditedMinutes: { activity: 0, call: 0 }, activityHorizonDays: 30 },
    });
    await h.publishRegistry(...fixtureEvents());
    const r = (await h.http.post('/reports', users.li, { kind: 'residence', communityId: ids.X })).body.id;
    await h.http.post(`/reports/${r}/confirm`, users.staffX);
  });
  afterAll(() => h.close());

  it('a city without a minimum credits short sessions; a 30-day horizon refuses day 60', async () => {
    h.clock.set('2026-02-01T09:00:00+08:00');
    const far = await h.http.post('/activities', users.staffX, {
      communityId: ids.X,
      title: '远期活动',
      startsAt: '2026-04-01T09:00:00+08:00',
      endsAt: '2026-04-01T11:00:00+08:00',
    });
    expect(far.body).toMatchObject({ field: 'startsAt' });
    const act = await h.http.post('/activities', users.staffX, {
      communityId: ids.X,
      title: '短时活动',
      startsAt: '2026-02-01T09:00:00+08:00',
      endsAt: '2026-02-01T11:00:00+08:00',
    });
    const witness = { activityId: act.body.id, memberId: ids.li };
    await h.http.post('/attendances/check-in', users.staffX, witness);
    h.clock.advance(5 * MINUTE);
    const out = (await h.http.post('/attendances/check-out', users.staffX, witness)).body;
    expect(out).toMatchObject({ creditedMinutes: 5 });
    expect(out.flags).not.toContain('below-minimum');
  });
});
