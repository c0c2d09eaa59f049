import {
  AttendanceAutoClosed,
  AttendanceRecorded,
  CallIssued,
  CallResponded,
  MemberChanged,
} from '@honglian/contracts';
import { HOUR, MINUTE } from '../src/domain/rules.js';
import { REGISTRY_GROUP } from '../src/index.js';
import { fixtureEvents, ids, member, org, startCheckin, users, type Harness } from './support.js';

const FENCE = { lat: 28.6469, lng: 121.2618, radiusMeters: 200 };

describe('attendance, calls, bad input, scoping and the read model', () => {
  let h: Harness;
  let residence: string;
  beforeAll(async () => {
    h = await startCheckin();
    await h.publishRegistry(...fixtureEvents());
    residence = (await h.http.post('/reports', users.li, { kind: 'residence', communityId: ids.X })).body.id;
    await h.http.post(`/reports/${residence}/confirm`, users.staffX);
  });
  afterAll(() => h.close());

  const activity = async (body: object, staff: object = users.staffX) => {
    const res = await h.http.post('/activities', staff, { communityId: ids.X, title: '志愿服务', ...body });
    expect(res.status).toBe(201);
    return res.body as { id: string };
  };
  const token = async (activityId: string, staff: object = users.staffX) =>
    (await h.http.get(`/activities/${activityId}/qr`, staff)).body.token as string;
  const counts = async () => ({
    reports: await h.conn.db!.collection('reports').countDocuments(),
    attendances: await h.conn.db!.collection('attendances').countDocuments(),
    activities: await h.conn.db!.collection('activities').countDocuments(),
    responses: await h.conn.db!.collection('activity_responses').countDocuments(),
    qrUses: await h.conn.db!.collection('qr_uses').countDocuments(),
    outbox: await h.conn.db!.collection('outbox').countDocuments(),
  });

  describe('QR tokens', () => {
    it('refuses a replayed token, an expired one and one of another activity', async () => {
      h.clock.set('2026-02-01T09:00:00+08:00');
      const a = await activity({
        startsAt: '2026-02-01T09:00:00+08:00',
        endsAt: '2026-02-01T11:00:00+08:00',
      });
      const b = await activity({
        startsAt: '2026-02-01T09:00:00+08:00',
        endsAt: '2026-02-01T11:00:00+08:00',
      });
      const t = await token(a.id);
      expect((await h.http.post('/attendances/check-in', users.li, { token: t })).status).toBe(201);
      h.clock.advance(HOUR);
      // The same token again (a screenshot kept from check-in): refused as a replay, even for check-out.
      const replay = await h.http.post('/attendances/check-out', users.li, { token: t });
      expect(replay.status).toBe(422); // an hour later it has long expired
      expect(replay.body).toMatchObject({
        code: 'expired',
        reason: { zh: '二维码已过期，请扫描最新二维码' },
      });
      const fresh = await token(a.id);
      const out = await h.http.post('/attendances/check-out', users.li, { token: fresh });
      expect(out.status).toBe(200);
      expect(out.body.hours).toBe(1);
      // Within its validity, the same token is refused the second time.
      const again = await h.http.post('/attendances/check-in', users.li, { token: fresh });
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({
        code: 'replayed',
        reason: { zh: '二维码已使用过，请扫描最新二维码' },
      });
      // Another member may scan the same screen.
      const other = await h.http.post('/attendances/check-in', users.wang, { token: fresh });
      expect(other.status).toBe(201);
      // Checking out in the same minute is refused (times out of order); later it is fine.
      const sameMinute = await h.http.post('/attendances/check-out', users.wang, {
        token: await token(a.id),
      });
      expect(sameMinute.status).toBe(422);
      h.clock.advance(30 * MINUTE);
      const wangOut = await h.http.post('/attendances/check-out', users.wang, { token: await token(a.id) });
      expect(wangOut.body).toMatchObject({ status: 'closed', hours: 0.5 });
      // A token of activity a is not one of b, and a forged one is refused.
      const tb = await token(b.id);
      const forged = tb.replace(b.id, a.id);
      expect((await h.http.post('/attendances/check-in', users.li, { token: forged })).body).toMatchObject({
        code: 'forged',
      });
      expect(
        (
          await h.http.post('/attendances/check-in', users.li, {
            token: 'act-nothing.1.abcdefgh.' + 'x'.repeat(43),
          })
        ).status,
      ).toBe(422);
    });

    it('is issued only to staff managing the community, and only while the activity is open', async () => {
      h.clock.set('2026-02-02T08:00:00+08:00');
      const a = await activity({
        startsAt: '2026-02-02T09:00:00+08:00',
        endsAt: '2026-02-02T10:00:00+08:00',
      });
      expect((await h.http.get(`/activities/${a.id}/qr`, users.staffX)).status).toBe(409); // opens 08:30
      h.clock.set('2026-02-02T08:31:00+08:00');
      expect((await h.http.get(`/activities/${a.id}/qr`, users.staffX)).status).toBe(200);
      expect((await h.http.get(`/activities/${a.id}/qr`, users.staffY)).status).toBe(404);
      expect((await h.http.get(`/activities/${a.id}/qr`, users.li)).status).toBe(403);
    });
  });

  describe('sessions', () => {
    it('refuses overlapping sessions of one member', async () => {
      h.clock.set('2026-02-03T09:00:00+08:00');
      const a = await activity({
        startsAt: '2026-02-03T09:00:00+08:00',
        endsAt: '2026-02-03T12:00:00+08:00',
      });
      const b = await activity({
        startsAt: '2026-02-03T09:00:00+08:00',
        endsAt: '2026-02-03T12:00:00+08:00',
      });
      expect(
        (await h.http.post('/attendances/check-in', users.li, { token: await token(a.id) })).status,
      ).toBe(201);
      h.clock.advance(10 * MINUTE);
      const clash = await h.http.post('/attendances/check-in', users.li, { token: await token(b.id) });
      expect(clash.status).toBe(409);
      expect(clash.body.reason.zh).toMatch(/不能同时参加/);
      h.clock.advance(HOUR);
      expect(
        (await h.http.post('/attendances/check-out', users.li, { token: await token(a.id) })).status,
      ).toBe(200);
      expect(
        (await h.http.post('/attendances/check-in', users.li, { token: await token(b.id) })).status,
      ).toBe(201);
      h.clock.advance(HOUR);
      expect(
        (await h.http.post('/attendances/check-out', users.li, { token: await token(b.id) })).body.hours,
      ).toBe(1);
    });

    it('caps credited hours per activity (default 4 h; per-activity cap too)', async () => {
      h.clock.set('2026-02-04T08:00:00+08:00');
      const long = await activity({
        startsAt: '2026-02-04T08:00:00+08:00',
        endsAt: '2026-02-04T16:00:00+08:00',
      });
      await h.http.post('/attendances/check-in', users.li, { token: await token(long.id) });
      h.clock.advance(7 * HOUR);
      const out = await h.http.post('/attendances/check-out', users.li, { token: await token(long.id) });
      expect(out.body).toMatchObject({ hours: 4, creditedMinutes: 240, flags: ['capped'] });
      h.clock.set('2026-02-05T08:00:00+08:00');
      const short = await activity({
        startsAt: '2026-02-05T08:00:00+08:00',
        endsAt: '2026-02-05T16:00:00+08:00',
        capHours: 2,
      });
      await h.http.post('/attendances/check-in', users.li, { token: await token(short.id) });
      h.clock.advance(3 * HOUR);
      expect(
        (await h.http.post('/attendances/check-out', users.li, { token: await token(short.id) })).body.hours,
      ).toBe(2);
    });

    it('auto-closes a session left open, flags it, credits nothing until staff confirm', async () => {
      h.clock.set('2026-02-06T09:00:00+08:00');
      const a = await activity({
        startsAt: '2026-02-06T09:00:00+08:00',
        endsAt: '2026-02-06T11:00:00+08:00',
      });
      const open = await h.http.post('/attendances/check-in', users.li, { token: await token(a.id) });
      h.clock.set('2026-02-06T11:20:00+08:00');
      expect((await h.service.scan()).autoClosed).toBe(0); // still within the check-out grace
      h.clock.set('2026-02-06T11:31:00+08:00');
      expect((await h.service.scan()).autoClosed).toBe(1);
      const closed = await h.http.get(`/attendances/${open.body.id}`, users.li);
      expect(closed.body).toMatchObject({ status: 'auto-closed', hours: 0, flags: ['auto-closed'] });
      const summary = await h.http.get(`/members/${ids.li}/summary?period=2026-02`, users.li);
      expect(summary.body.awaitingConfirmation.map((x: { id: string }) => x.id)).toEqual([open.body.id]);
      const hoursBefore = summary.body.hours;
      // Times out of order and after the activity are refused; members cannot confirm.
      expect(
        (
          await h.http.post(`/attendances/${open.body.id}/confirm`, users.li, {
            checkOutAt: '2026-02-06T10:30:00+08:00',
          })
        ).status,
      ).toBe(403);
      const before = await h.http.post(`/attendances/${open.body.id}/confirm`, users.staffX, {
        checkOutAt: '2026-02-06T08:00:00+08:00',
      });
      expect(before.status).toBe(422);
      expect(before.body.reason.zh).toBe('签退时间须晚于签到时间');
      expect(
        (
          await h.http.post(`/attendances/${open.body.id}/confirm`, users.staffX, {
            checkOutAt: '2026-02-06T13:00:00+08:00',
          })
        ).status,
      ).toBe(422);
      const ok = await h.http.post(`/attendances/${open.body.id}/confirm`, users.staffX, {
        checkOutAt: '2026-02-06T10:30:00+08:00',
      });
      expect(ok.body).toMatchObject({ status: 'closed', hours: 1.5, confirmedBy: 'staff-x' });
      expect(ok.body.flags).toEqual(expect.arrayContaining(['auto-closed', 'staff-confirmed']));
      expect((await h.http.get(`/members/${ids.li}/summary?period=2026-02`, users.li)).body.hours).toBe(
        hoursBefore + 1.5,
      );
      expect(
        (
          await h.http.post(`/attendances/${open.body.id}/confirm`, users.staffX, {
            checkOutAt: '2026-02-06T10:30:00+08:00',
          })
        ).status,
      ).toBe(409);
      const events = await h.events();
      const auto = events.filter((e) => e.type === AttendanceAutoClosed.type);
      expect(auto.map((e) => e.subject)).toEqual([open.body.id]);
      const rec = events.filter((e) => e.type === AttendanceRecorded.type && e.subject === open.body.id);
      expect(rec).toHaveLength(1);
    });

    it('checks the geofence when the activity has one', async () => {
      h.clock.set('2026-02-07T09:00:00+08:00');
      const a = await activity({
        startsAt: '2026-02-07T09:00:00+08:00',
        endsAt: '2026-02-07T11:00:00+08:00',
        geofence: FENCE,
      });
      const none = await h.http.post('/attendances/check-in', users.li, { token: await token(a.id) });
      expect(none.status).toBe(422);
      expect(none.body.code).toBe('outside-geofence');
      const far = await h.http.post('/attendances/check-in', users.li, {
        token: await token(a.id),
        location: { lat: 28.7, lng: 121.3 },
      });
      expect(far.status).toBe(422);
      expect(far.body.reason.zh).toMatch(/不在活动地点范围内/);
      const near = await h.http.post('/attendances/check-in', users.li, {
        token: await token(a.id),
        location: { lat: 28.6475, lng: 121.262, accuracyMeters: 15 },
      });
      expect(near.status).toBe(201);
      h.clock.advance(HOUR);
      await h.http.post('/attendances/check-out', users.li, {
        token: await token(a.id),
        location: { lat: 28.6469, lng: 121.2618 },
      });
    });

    it('lets staff witness check-in and check-out for a member without a phone', async () => {
      h.clock.set('2026-02-08T09:00:00+08:00');
      const a = await activity({
        startsAt: '2026-02-08T09:00:00+08:00',
        endsAt: '2026-02-08T11:00:00+08:00',
        geofence: FENCE,
      });
      // A witness names only a member who reported to the activity's community: staff file Wang's report first.
      const home = await h.http.post('/reports', users.staffX, {
        memberId: ids.wang,
        kind: 'residence',
        communityId: ids.X,
      });
      expect(home.status).toBe(201);
      const inn = await h.http.post('/attendances/check-in', users.staffX, {
        activityId: a.id,
        memberId: ids.wang,
      });
      expect(inn.status).toBe(201);
      expect(inn.body).toMatchObject({ method: 'witnessed', witness: 'staff-x', flags: ['witnessed'] });
      // Staff of another community cannot witness here.
      expect(
        (await h.http.post('/attendances/check-in', users.staffY, { activityId: a.id, memberId: ids.li }))
          .status,
      ).toBe(404);
      h.clock.advance(90 * MINUTE);
      const out = await h.http.post('/attendances/check-out', users.staffX, {
        activityId: a.id,
        memberId: ids.wang,
      });
      expect(out.body).toMatchObject({ hours: 1.5, method: 'witnessed' });
      // His report ends again (the tests below rely on Wang having none at X).
      expect(
        (await h.http.post(`/reports/${home.body.id}/end`, users.staffX, { reason: '测试结束' })).status,
      ).toBe(200);
    });
  });

  describe('whistle calls', () => {
    it('records who answered and how fast', async () => {
      h.clock.set('2026-02-09T14:00:00+08:00');
      const call = await activity({
        kind: 'call',
        title: '暴雨排涝',
        startsAt: '2026-02-09T14:30:00+08:00',
        endsAt: '2026-02-09T17:00:00+08:00',
        capacity: 1,
        skills: ['搬运'],
      });
      expect(call).toMatchObject({ kind: 'call', arrivalWithinMinutes: 30, kindLabel: { zh: '吹哨召集' } });
      h.clock.advance(4 * MINUTE);
      const answer = await h.http.post(`/activities/${call.id}/responses`, users.li, { note: '马上到' });
      expect(answer.status).toBe(201);
      expect(answer.body.responseSeconds).toBe(240);
      expect((await h.http.post(`/activities/${call.id}/responses`, users.li, {})).status).toBe(409);
      // Wang has no report at X: he does not see the call.
      expect((await h.http.post(`/activities/${call.id}/responses`, users.wang, {})).status).toBe(404);
      const list = await h.http.get(`/activities/${call.id}/responses`, users.staffX);
      expect(list.body.items).toEqual([expect.objectContaining({ memberId: ids.li, responseSeconds: 240 })]);
      const events = await h.events();
      expect(events.filter((e) => e.type === CallIssued.type && e.subject === call.id)).toHaveLength(1);
      expect(events.filter((e) => e.type === CallResponded.type && e.subject === call.id)).toHaveLength(1);
    });
  });

  describe('bad input: 4xx problem+json, nothing recorded', () => {
    it('wrong community, unknown activity, check-out without check-in, times out of order, huge payloads', async () => {
      h.clock.set('2026-02-10T09:00:00+08:00');
      const a = await activity({
        startsAt: '2026-02-10T09:00:00+08:00',
        endsAt: '2026-02-10T11:00:00+08:00',
      });
      const before = await counts();
      h.responses.length = 0;

      const wrongHome = await h.http.post('/reports', users.wang, { kind: 'residence', communityId: ids.Y });
      expect(wrongHome.status).toBe(422);
      expect(wrongHome.headers['content-type']).toMatch(/problem\+json/);
      expect(wrongHome.body.reason).toEqual({
        zh: '所报社区不是党员居住小区所在社区',
        en: expect.stringContaining(ids.Y),
      });
      const unpaired = await h.http.post('/reports', users.wang, { kind: 'work', communityId: ids.X });
      expect(unpaired.body.reason.zh).toBe('所报社区未与党员所在单位结对');
      expect(
        (await h.http.post('/reports', users.wang, { kind: 'work', communityId: 'no-such-community' }))
          .status,
      ).toBe(422);
      expect(
        (await h.http.post('/reports', users.li, { kind: 'residence', communityId: ids.X })).status,
      ).toBe(409);
      expect((await h.http.post('/reports', users.wang, { kind: 'home', communityId: ids.X })).status).toBe(
        400,
      );
      expect(
        (await h.http.post('/reports', users.wang, { kind: 'work', communityId: ids.Y, colour: 'red' }))
          .status,
      ).toBe(400);
      expect(
        (await h.http.post('/reports', users.wang, { kind: 'work', communityId: ids.Y, memberId: ids.li }))
          .status,
      ).toBe(404);

      expect(
        (
          await h.http.post('/attendances/check-in', users.staffX, {
            activityId: 'act-unknown',
            memberId: ids.li,
          })
        ).status,
      ).toBe(404);
      expect(
        (await h.http.post('/attendances/check-in', users.staffX, { activityId: a.id, memberId: 'nobody' }))
          .status,
      ).toBe(422);
      expect((await h.http.post('/attendances/check-in', users.li, { token: 'x'.repeat(201) })).status).toBe(
        400,
      );
      expect((await h.http.post('/attendances/check-in', users.li, {})).status).toBe(400);
      const noIn = await h.http.post('/attendances/check-out', users.li, { token: await token(a.id) });
      expect(noIn.status).toBe(409);
      expect(noIn.body.code).toBe('not-checked-in');

      const backwards = await h.http.post('/activities', users.staffX, {
        communityId: ids.X,
        title: '倒序',
        startsAt: '2026-02-10T12:00:00+08:00',
        endsAt: '2026-02-10T10:00:00+08:00',
      });
      expect(backwards.status).toBe(400);
      expect(backwards.body.invalid_params[0].name).toBe('body.endsAt');
      expect(
        (
          await h.http.post('/activities', users.staffY, {
            communityId: ids.X,
            title: 'x',
            startsAt: '2026-02-11T09:00:00+08:00',
            endsAt: '2026-02-11T10:00:00+08:00',
          })
        ).status,
      ).toBe(422);
      const huge = await h.http.post('/activities', users.staffX, {
        communityId: ids.X,
        title: 'x',
        startsAt: '2026-02-11T09:00:00+08:00',
        endsAt: '2026-02-11T10:00:00+08:00',
        description: 'x'.repeat(2 * 1024 * 1024),
      });
      expect(huge.status).toBe(413);
      const tooLong = await h.http.post('/activities', users.staffX, {
        communityId: ids.X,
        title: 'x',
        startsAt: '2026-02-11T09:00:00+08:00',
        endsAt: '2026-02-11T10:00:00+08:00',
        skills: Array.from({ length: 50 }, (_, i) => `s${i}`),
      });
      expect(tooLong.status).toBe(400);
      expect((await h.http.get(`/units/${ids.unit}/feedback?period=2026-H3`, users.cityAdmin)).status).toBe(
        400,
      );
      expect((await h.http.get('/reports?limit=500', users.cityAdmin)).status).toBe(400);
      expect(
        (await h.http.post(`/activities/act-unknown/responses`, users.li, { note: 'x'.repeat(501) })).status,
      ).toBe(400);
      expect((await h.http.post(`/activities/act-unknown/responses`, users.li, {})).status).toBe(404);
      expect(
        (
          await h.http.post(`/attendances/att-unknown/confirm`, users.staffX, {
            checkOutAt: '2026-02-10T10:00:00+08:00',
          })
        ).status,
      ).toBe(404);
      // Every refusal: a 4xx problem+json that says why; nothing recorded, no event.
      // Everything but the QR screens fetched along the way.
      const refusals = h.responses.filter((r) => !(r.status === 200 && typeof r.body.token === 'string'));
      expect(refusals.length).toBeGreaterThanOrEqual(20);
      for (const r of refusals) {
        expect(r.status).toBeGreaterThanOrEqual(400);
        expect(r.status).toBeLessThan(500);
        expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(r.body).toMatchObject({ status: r.status, title: expect.any(String) });
      }
      expect(await counts()).toEqual(before);
    });

    it('needs a token and the right role', async () => {
      const { default: request } = await import('supertest');
      const anon = await request(h.service.app).get('/api/v1/checkin/reports');
      expect(anon.status).toBe(401);
      expect(anon.headers['www-authenticate']).toMatch(/^Bearer/);
      expect((await h.http.get('/reports', users.resident331003)).status).toBe(403);
      expect((await h.http.post('/activities', users.li, {})).status).toBe(403);
    });
  });

  describe('scoping', () => {
    it('members see their own; staff their communities; admins their county; 404 otherwise', async () => {
      expect((await h.http.get(`/reports/${residence}`, users.li)).status).toBe(200);
      expect((await h.http.get(`/reports/${residence}`, users.wang)).status).toBe(404);
      expect((await h.http.get(`/reports/${residence}`, users.staffX)).status).toBe(200);
      expect((await h.http.get(`/reports/${residence}`, users.streetStaff)).status).toBe(200);
      expect((await h.http.get(`/reports/${residence}`, users.staffY)).status).toBe(404);
      expect((await h.http.get(`/reports/${residence}`, users.countyAdmin331003)).status).toBe(200);
      expect((await h.http.get(`/reports/${residence}`, users.countyAdmin331002)).status).toBe(404);
      expect((await h.http.get(`/members/${ids.li}/summary`, users.countyAdmin331002)).status).toBe(404);
      expect((await h.http.get(`/members/${ids.li}/summary`, users.wang)).status).toBe(404);
      expect((await h.http.get('/reports', users.staffY)).body.items).toEqual([]);
      const wangs = await h.http.get('/attendances', users.wang);
      expect(wangs.body.items.length).toBeGreaterThan(0);
      expect(wangs.body.items.every((a: { memberId: string }) => a.memberId === ids.wang)).toBe(true);
      expect((await h.http.get('/attendances', users.countyAdmin331002)).body.items).toEqual([]);
      expect((await h.http.get(`/units/${ids.unit}/feedback?period=2026`, users.li)).status).toBe(403);
    });
  });

  describe('read model from registry events', () => {
    const snapshot = async () => {
      const out: Record<string, unknown[]> = {};
      for (const c of ['rm_orgs', 'rm_members', 'rm_pairings'])
        out[c] = await h.conn.db!.collection(c).find({}).sort({ _id: 1 }).toArray();
      return out;
    };

    it('a duplicate delivery changes nothing; a replay with new ids rebuilds the same state', async () => {
      const before = await snapshot();
      const processed = await h.conn
        .db!.collection('processed_events')
        .countDocuments({ groupId: REGISTRY_GROUP });
      const li = member(ids.li, '李红');
      await h.publishRegistry(li, li);
      expect(
        await h.conn.db!.collection('processed_events').countDocuments({ groupId: REGISTRY_GROUP }),
      ).toBe(processed + 1);
      await h.publishRegistry(...fixtureEvents());
      expect(await snapshot()).toEqual(before);
    });

    it('applies a newer change and ignores an older one delivered late', async () => {
      const moved = member(
        ids.wang,
        '王刚',
        { residenceCompoundId: null, residenceCommunityId: null },
        {
          type: MemberChanged.type,
          effectiveFrom: '2026-03-01',
          time: new Date('2026-03-01T00:00:00Z'),
          changed: ['residenceCompoundId'],
        },
      );
      const stale = member(
        ids.wang,
        '王刚（旧）',
        {},
        { type: MemberChanged.type, effectiveFrom: '2026-02-01', changed: ['name'] },
      );
      await h.publishRegistry(moved, stale);
      const wang = await h.conn.db!.collection('rm_members').findOne({ _id: ids.wang as never });
      expect(wang).toMatchObject({ name: '王刚', residenceCompoundId: null, effectiveFrom: '2026-03-01' });
      // The read model now says he has no residence compound: a residence report is refused with that reason.
      h.clock.set('2026-03-02T09:00:00+08:00');
      const res = await h.http.post('/reports', users.wang, { kind: 'residence', communityId: ids.X });
      expect(res.body.reason.zh).toBe('党员未登记居住小区');
      // A community renamed later is picked up for new reports.
      await h.publishRegistry(
        org(
          ids.Y,
          'community',
          '天长新社区',
          ids.street,
          '/331000/331003/331003-street-01/331003-community-02',
          '331003',
          {
            type: 'honglian.org-registry.org.changed.v1',
            effectiveFrom: '2026-03-01',
            changed: ['name'],
          },
        ),
      );
      const work = await h.http.post('/reports', users.wang, { kind: 'work', communityId: ids.Y });
      expect(work.status).toBe(201);
      expect(work.body.communityName).toBe('天长新社区');
    });
  });
});
