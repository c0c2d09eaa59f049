import { AttendanceRecorded, NoShowFlagged, OrgCreated, TOPICS, type CloudEvent } from '@honglian/contracts';
import { DAY, HOUR, MINUTE } from '../src/domain/rules.js';
import type { SweepTimers } from '../src/app/sweep.js';
import { REGISTRY_GROUP } from '../src/index.js';
import { fixtureEvents, ids, member, org, startCheckin, users, type Harness } from './support.js';

const P_Y = '/331000/331003/331003-street-01/331003-community-02';
const compoundY = '331003-compound-02';
const zhao = '331003-member-04';
const zhaoUser = { username: 'zhao', roles: ['member'], county: '331003', memberId: zhao };

/** Zhao lives in a compound of Y, and Y is the community paired with his unit: both reports go to Y. */
const zhaoEvents = () => [
  org(compoundY, 'compound', '天长小区', ids.Y, `${P_Y}/${compoundY}`),
  member(zhao, '赵强', { residenceCompoundId: compoundY, residenceCommunityId: ids.Y }),
];

/** Sweep timers the test ticks by hand: the schedule is real, time is the injected clock. */
function manualTimers() {
  const ticks: (() => void)[] = [];
  const timers: SweepTimers & { tick(): void; intervals: number[]; cleared: number } = {
    intervals: [],
    cleared: 0,
    setInterval(tick, ms) {
      ticks.push(tick);
      timers.intervals.push(ms);
      return ticks.length;
    },
    clearInterval() {
      timers.cleared++;
    },
    tick() {
      for (const t of ticks) t();
    },
  };
  return timers;
}

async function activate(h: Harness, user: object, kind: 'residence' | 'work', communityId: string) {
  const staff = communityId === ids.X ? users.staffX : users.staffY;
  const res = await h.http.post('/reports', user, { kind, communityId });
  expect(res.status).toBe(201);
  expect((await h.http.post(`/reports/${res.body.id}/confirm`, staff)).status).toBe(200);
  return res.body.id as string;
}

describe('one attendance, two reports at the same community', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startCheckin();
    await h.publishRegistry(...fixtureEvents(), ...zhaoEvents());
  });
  afterAll(() => h.close());

  it('credits both reports, counts the hours once, and clears 报而不到 on both', async () => {
    const home = await activate(h, zhaoUser, 'residence', ids.Y);
    const work = await activate(h, zhaoUser, 'work', ids.Y);
    h.clock.set(new Date(h.clock.now().getTime() + 180 * DAY));
    expect(await h.service.scan()).toMatchObject({ noShowFlagged: 2 });

    const startsAt = new Date(h.clock.now().getTime() + HOUR);
    const act = await h.http.post('/activities', users.staffY, {
      communityId: ids.Y,
      title: '楼道清理',
      startsAt: startsAt.toISOString(),
      endsAt: new Date(startsAt.getTime() + 3 * HOUR).toISOString(),
    });
    h.clock.set(startsAt);
    const qr = async () => (await h.http.get(`/activities/${act.body.id}/qr`, users.staffY)).body.token;
    expect((await h.http.post('/attendances/check-in', zhaoUser, { token: await qr() })).status).toBe(201);
    h.clock.advance(2 * HOUR);
    const out = await h.http.post('/attendances/check-out', zhaoUser, { token: await qr() });
    expect(out.body).toMatchObject({ hours: 2, reportIds: [home, work].sort() });

    for (const id of [home, work])
      expect((await h.http.get(`/reports/${id}`, zhaoUser)).body).toMatchObject({ noShow: false });
    const summary = await h.http.get(`/members/${zhao}/summary?period=2026`, zhaoUser);
    expect(summary.body).toMatchObject({
      hours: 2,
      attendances: 1,
      communities: [{ communityId: ids.Y, attendances: 1, hours: 2 }],
      reported: true,
      completed: true,
    });
    const sheet = await h.http.get(`/units/${ids.unit}/feedback?period=2026`, users.countyAdmin331003);
    const row = sheet.body.members.find((m: { memberId: string }) => m.memberId === zhao);
    expect(row).toMatchObject({ hours: 2, attendances: 1 });
    expect(row.reports.map((r: { hours: number }) => r.hours)).toEqual([2, 2]);
    expect(sheet.body.totals).toMatchObject({ attendances: 1, hours: 2 });
    const recorded = (await h.events()).filter((e) => e.type === AttendanceRecorded.type);
    expect(recorded).toHaveLength(1);
  });
});

describe('the scheduled sweep', () => {
  it('runs on its schedule at the injected clock, closes forgotten sessions and flags 报而不到', async () => {
    const timers = manualTimers();
    const h = await startCheckin({ timers, scanIntervalMs: 60_000 });
    try {
      await h.publishRegistry(...fixtureEvents());
      expect(timers.intervals).toEqual([60_000]);
      const report = await activate(h, users.li, 'residence', ids.X);
      const act = await h.http.post('/activities', users.staffX, {
        communityId: ids.X,
        title: '巡查',
        startsAt: h.clock.now().toISOString(),
        endsAt: new Date(h.clock.now().getTime() + HOUR).toISOString(),
      });
      const qr = (await h.http.get(`/activities/${act.body.id}/qr`, users.staffX)).body.token;
      const open = await h.http.post('/attendances/check-in', users.li, { token: qr });
      expect(open.status).toBe(201);

      // The clock moves; only a tick of the schedule sweeps.
      h.clock.advance(2 * HOUR);
      expect((await h.http.get(`/attendances/${open.body.id}`, users.li)).body.status).toBe('open');
      timers.tick();
      await h.service.scan(); // joins the sweep the tick started
      expect((await h.http.get(`/attendances/${open.body.id}`, users.li)).body).toMatchObject({
        status: 'auto-closed',
        hours: 0,
      });

      h.clock.set(new Date(new Date('2026-01-05T09:00:00+08:00').getTime() + 180 * DAY));
      timers.tick();
      await h.service.scan();
      expect((await h.http.get(`/reports/${report}`, users.li)).body.noShow).toBe(true);
      const flagged = (await h.events()).filter((e) => e.type === NoShowFlagged.type);
      expect(flagged.map((e) => e.subject)).toEqual([report]);
    } finally {
      await h.close();
    }
    expect(timers.cleared).toBe(1);
  });

  it('never lets standing flags crowd out new ones (batches), and closes every due session', async () => {
    const h = await startCheckin({ scanBatchSize: 1 });
    try {
      const extra = ['331003-member-11', '331003-member-12', '331003-member-13'];
      await h.publishRegistry(...fixtureEvents(), ...extra.map((id) => member(id, id)));
      const staffFiles = (memberId: string) =>
        h.http.post('/reports', users.staffX, { memberId, kind: 'residence', communityId: ids.X });
      const early: string[] = [];
      for (const id of extra) {
        const r = await staffFiles(id);
        early.push(r.body.id);
        await h.http.post(`/reports/${r.body.id}/confirm`, users.staffX);
      }
      h.clock.advance(30 * DAY);
      const late = (await staffFiles(ids.li)).body.id as string;
      await h.http.post(`/reports/${late}/confirm`, users.staffX);

      h.clock.advance(151 * DAY); // 181 days after the early reports, 151 after the late one
      expect(await h.service.scan()).toMatchObject({ noShowFlagged: 3 });
      h.clock.advance(30 * DAY); // the late one is due now; the three early ones are still flagged
      expect(await h.service.scan()).toMatchObject({ noShowFlagged: 1, noShowCleared: 0 });
      expect((await h.http.get(`/reports/${late}`, users.li)).body.noShow).toBe(true);

      // Three sessions left open: all closed by one sweep, one batch at a time.
      const act = await h.http.post('/activities', users.staffX, {
        communityId: ids.X,
        title: '议事会',
        startsAt: h.clock.now().toISOString(),
        endsAt: new Date(h.clock.now().getTime() + HOUR).toISOString(),
      });
      for (const id of extra)
        expect(
          (
            await h.http.post('/attendances/check-in', users.staffX, {
              activityId: act.body.id,
              memberId: id,
            })
          ).status,
        ).toBe(201);
      h.clock.advance(2 * HOUR);
      expect(await h.service.scan()).toMatchObject({ autoClosed: 3 });
    } finally {
      await h.close();
    }
  });

  it('a forgotten check-out does not block the next activity before the sweep comes round', async () => {
    const h = await startCheckin();
    try {
      await h.publishRegistry(...fixtureEvents());
      const mk = async (from: Date) =>
        (
          await h.http.post('/activities', users.staffX, {
            communityId: ids.X,
            title: '值守',
            startsAt: from.toISOString(),
            endsAt: new Date(from.getTime() + HOUR).toISOString(),
          })
        ).body.id as string;
      const a = await mk(h.clock.now());
      const b = await mk(new Date(h.clock.now().getTime() + DAY));
      // A witness names only a member who reported to the activity's community.
      expect(
        (await h.http.post('/reports', users.li, { kind: 'residence', communityId: ids.X })).status,
      ).toBe(201);
      const first = await h.http.post('/attendances/check-in', users.staffX, {
        activityId: a,
        memberId: ids.li,
      });
      h.clock.advance(DAY);
      const next = await h.http.post('/attendances/check-in', users.staffX, {
        activityId: b,
        memberId: ids.li,
      });
      expect(next.status).toBe(201);
      expect((await h.http.get(`/attendances/${first.body.id}`, users.staffX)).body).toMatchObject({
        status: 'auto-closed',
        hours: 0,
        flags: ['witnessed', 'auto-closed'],
      });
      // Staff decide the forgotten session earns nothing: it stays uncredited, once.
      expect((await h.http.post(`/attendances/${first.body.id}/dismiss`, users.li)).status).toBe(403);
      const dismissed = await h.http.post(`/attendances/${first.body.id}/dismiss`, users.staffX);
      expect(dismissed.body).toMatchObject({ status: 'dismissed', hours: 0 });
      expect((await h.http.post(`/attendances/${first.body.id}/dismiss`, users.staffX)).status).toBe(409);
      const late = await h.http.post(`/attendances/${first.body.id}/confirm`, users.staffX, {
        checkOutAt: new Date(Date.parse(first.body.checkInAt) + 30 * MINUTE).toISOString(),
      });
      expect(late.status).toBe(409);
      const summary = await h.http.get(`/members/${ids.li}/summary?period=2026`, users.li);
      expect(summary.body).toMatchObject({ hours: 0, attendances: 0, awaitingConfirmation: [] });
      // Still inside the other activity's window: overlapping is refused as before.
      const c = await mk(h.clock.now());
      expect(
        (await h.http.post('/attendances/check-in', users.staffX, { activityId: c, memberId: ids.li }))
          .status,
      ).toBe(409);
    } finally {
      await h.close();
    }
  });
});

describe('city rules are configurable', () => {
  it('a county with a 2 h cap and a 90-day 报而不到 window', async () => {
    const h = await startCheckin({ rules: { capMinutes: 120, noShowDays: 90 } });
    try {
      await h.publishRegistry(...fixtureEvents());
      const report = await activate(h, users.li, 'residence', ids.X);
      const act = await h.http.post('/activities', users.staffX, {
        communityId: ids.X,
        title: '长时间活动',
        startsAt: h.clock.now().toISOString(),
        endsAt: new Date(h.clock.now().getTime() + 6 * HOUR).toISOString(),
      });
      await h.http.post('/attendances/check-in', users.staffX, { activityId: act.body.id, memberId: ids.li });
      h.clock.advance(3 * HOUR);
      const out = await h.http.post('/attendances/check-out', users.staffX, {
        activityId: act.body.id,
        memberId: ids.li,
      });
      expect(out.body).toMatchObject({ hours: 2, flags: expect.arrayContaining(['capped']) });
      const lastAt = new Date((await h.http.get(`/reports/${report}`, users.li)).body.lastAttendanceAt);
      h.clock.set(new Date(lastAt.getTime() + 90 * DAY - MINUTE));
      expect(await h.service.scan()).toMatchObject({ noShowFlagged: 0 });
      h.clock.set(new Date(lastAt.getTime() + 90 * DAY));
      expect(await h.service.scan()).toMatchObject({ noShowFlagged: 1 });
    } finally {
      await h.close();
    }
  });
});

describe('the read model is rebuilt from the registry’s events alone', () => {
  const snapshot = async (h: Harness) => {
    const out: Record<string, unknown[]> = {};
    for (const c of ['rm_orgs', 'rm_members', 'rm_pairings'])
      out[c] = await h.conn.db!.collection(c).find({}).sort({ _id: 1 }).toArray();
    return out;
  };

  it('replaying the topic into an empty service gives the same state; duplicates and junk change nothing', async () => {
    const live = await startCheckin();
    const fresh = await startCheckin();
    try {
      const renamed = org(
        ids.X,
        'community',
        '双江新社区',
        ids.street,
        '/331000/331003/331003-street-01/331003-community-01',
        '331003',
        {
          type: 'honglian.org-registry.org.changed.v1',
          effectiveFrom: '2026-02-01',
          changed: ['name'],
        },
      );
      await live.publishRegistry(...fixtureEvents(), ...zhaoEvents(), renamed);
      // Redelivery of everything (at least once) and an event that fails its schema.
      for (const m of live.bus.messages(TOPICS.orgRegistry))
        await live.bus.publishRaw(TOPICS.orgRegistry, { key: m.key, value: m.value });
      const junk = {
        ...fixtureEvents()[0]!,
        id: crypto.randomUUID(),
        type: OrgCreated.type,
        data: { orgId: 1 },
      };
      await live.bus.publishRaw(TOPICS.orgRegistry, { key: 'junk', value: JSON.stringify(junk) });
      await live.bus.whenIdle();
      const state = await snapshot(live);
      expect(state.rm_orgs).toHaveLength(10);
      expect(state.rm_orgs!.find((o) => (o as { _id: string })._id === ids.X)).toMatchObject({
        name: '双江新社区',
      });

      // A new instance on an empty database: every registry fact, in topic order, once.
      const log = live.bus
        .messages(TOPICS.orgRegistry)
        .map((m) => JSON.parse(m.value) as CloudEvent)
        .filter((e) => e.id !== junk.id);
      const firstDelivery = log.filter((e, i) => log.findIndex((x) => x.id === e.id) === i);
      await fresh.publishRegistry(...firstDelivery);
      expect(await snapshot(fresh)).toEqual(state);
      expect(
        await fresh.conn.db!.collection('processed_events').countDocuments({ groupId: REGISTRY_GROUP }),
      ).toBe(firstDelivery.length);
      // The service still works after the junk: a report against the rebuilt model.
      const r = await live.http.post('/reports', users.li, { kind: 'residence', communityId: ids.X });
      expect(r.body).toMatchObject({ status: 'submitted', communityName: '双江新社区' });
    } finally {
      await live.close();
      await fresh.close();
    }
  });
});

describe('concurrent requests never double-count nor fail with 500', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startCheckin();
    await h.publishRegistry(...fixtureEvents());
    await activate(h, users.li, 'residence', ids.X);
  });
  afterAll(() => h.close());

  it('the same QR token sent five times at once: one check-in, the rest refused', async () => {
    const act = await h.http.post('/activities', users.staffX, {
      communityId: ids.X,
      title: '并发',
      startsAt: h.clock.now().toISOString(),
      endsAt: new Date(h.clock.now().getTime() + HOUR).toISOString(),
      capacity: 1,
    });
    const token = (await h.http.get(`/activities/${act.body.id}/qr`, users.staffX)).body.token;
    const all = await Promise.all(
      Array.from({ length: 5 }, () => h.http.post('/attendances/check-in', users.li, { token })),
    );
    expect(all.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    expect(await h.conn.db!.collection('attendances').countDocuments({ activityId: act.body.id })).toBe(1);

    const answers = await Promise.all(
      Array.from({ length: 5 }, () => h.http.post(`/activities/${act.body.id}/responses`, users.li, {})),
    );
    expect(answers.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    expect((await h.http.get(`/activities/${act.body.id}`, users.staffX)).body.responses).toBe(1);

    h.clock.advance(HOUR / 2);
    const outToken = (await h.http.get(`/activities/${act.body.id}/qr`, users.staffX)).body.token;
    const outs = await Promise.all(
      Array.from({ length: 5 }, () => h.http.post('/attendances/check-out', users.li, { token: outToken })),
    );
    expect(outs.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409]);
    const recorded = (await h.events()).filter(
      (e) =>
        e.type === AttendanceRecorded.type && (e.data as { activityId: string }).activityId === act.body.id,
    );
    expect(recorded).toHaveLength(1);
  });

  it('two reports of one kind filed at once: one submitted, one refused', async () => {
    const both = await Promise.all([
      h.http.post('/reports', users.li, { kind: 'work', communityId: ids.Y }),
      h.http.post('/reports', users.li, { kind: 'work', communityId: ids.Y }),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([201, 409]);
  });
});
