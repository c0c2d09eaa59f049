import { ActivityCancelled, ActivityChanged } from '@honglian/contracts';
import { HOUR, MINUTE } from '../src/domain/rules.js';
import { expectValidEvents, fixtureEvents, ids, startCheckin, users, type Harness } from './support.js';

/**
 * Staff change or cancel an activity; everyone who signed up gets a notice (GET /notices). The
 * start cannot move once check-in opened; an attended activity cannot be cancelled; an activity
 * that is over changes no more. Refusals change nothing.
 */
describe('editing and cancelling activities', () => {
  let h: Harness;
  const at = (ms: number) => new Date(h.clock.now().getTime() + ms).toISOString();

  beforeAll(async () => {
    h = await startCheckin();
    await h.publishRegistry(...fixtureEvents());
    for (const [user, community, staff] of [
      [users.li, ids.X, users.staffX],
      [users.wang, ids.X, users.staffX],
    ] as const) {
      const r = await h.http.post('/reports', user, { kind: 'residence', communityId: community });
      await h.http.post(`/reports/${r.body.id}/confirm`, staff);
    }
  });
  afterAll(() => h.close());

  async function publish(startIn = 2 * HOUR) {
    const act = await h.http.post('/activities', users.staffX, {
      communityId: ids.X,
      title: '垃圾分类宣传',
      place: '东门',
      startsAt: at(startIn),
      endsAt: at(startIn + 2 * HOUR),
    });
    expect(act.status).toBe(201);
    return act.body.id as string;
  }

  it('changes an activity and tells everyone who signed up what changed', async () => {
    const id = await publish();
    expect((await h.http.post(`/activities/${id}/responses`, users.li, {})).status).toBe(201);
    const newStart = at(3 * HOUR);
    const res = await h.http.send('patch', `/activities/${id}`, users.staffX, {
      place: '西门广场',
      startsAt: newStart,
      endsAt: at(5 * HOUR),
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ place: '西门广场', startsAt: newStart, status: 'published' });
    expect((await h.http.get(`/activities/${id}`, users.staffX)).body.place).toBe('西门广场');

    const notices = await h.http.get('/notices', users.li);
    expect(notices.body).toMatchObject({
      total: 1,
      items: [
        {
          activityId: id,
          kind: 'changed',
          kindLabel: { zh: '活动有变更' },
          changed: ['endsAt', 'place', 'startsAt'],
          place: '西门广场',
          startsAt: newStart,
        },
      ],
    });
    // Wang did not sign up: nothing for him.
    expect((await h.http.get('/notices', users.wang)).body.total).toBe(0);
    const changed = (await h.events()).filter((e) => e.type === ActivityChanged.type && e.subject === id);
    expect(changed.map((e) => e.data)).toEqual([expect.objectContaining({ notified: [ids.li] })]);
    expectValidEvents(changed);

    // The same values again: nothing changes, nobody is told twice.
    expect(
      (await h.http.send('patch', `/activities/${id}`, users.staffX, { place: '西门广场' })).status,
    ).toBe(200);
    expect((await h.http.get('/notices', users.li)).body.total).toBe(1);
  });

  it('cancels an activity with a reason every responder reads; then it takes no more answers', async () => {
    const id = await publish();
    await h.http.post(`/activities/${id}/responses`, users.li, {});
    await h.http.post(`/activities/${id}/responses`, users.wang, {});
    const res = await h.http.post(`/activities/${id}/cancel`, users.staffX, { reason: '暴雨预警' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'cancelled',
      cancelReason: '暴雨预警',
      cancelledAt: expect.any(String),
    });
    for (const user of [users.li, users.wang]) {
      const mine = (await h.http.get('/notices', user)).body.items.filter(
        (n: { activityId: string }) => n.activityId === id,
      );
      expect(mine).toEqual([expect.objectContaining({ kind: 'cancelled', reason: '暴雨预警' })]);
    }
    const cancelled = (await h.events()).filter((e) => e.type === ActivityCancelled.type && e.subject === id);
    expect((cancelled[0]!.data as { notified: string[] }).notified).toEqual([ids.li, ids.wang].sort());
    expect((await h.http.post(`/activities/${id}/cancel`, users.staffX, { reason: '再取消' })).status).toBe(
      409,
    );
    expect((await h.http.send('patch', `/activities/${id}`, users.staffX, { title: '改期' })).status).toBe(
      409,
    );
    expect((await h.http.get(`/activities/${id}/qr`, users.staffX)).status).toBe(409);
  });

  it('keeps the start once check-in opened, and an attended activity cannot be cancelled', async () => {
    const id = await publish(10 * MINUTE); // check-in opens 30 minutes before: open now
    const moved = await h.http.send('patch', `/activities/${id}`, users.staffX, { startsAt: at(HOUR) });
    expect(moved.status).toBe(409);
    expect(JSON.stringify(moved.body)).toContain('开始时间');
    await h.http.post('/attendances/check-in', users.staffX, { activityId: id, memberId: ids.li });
    expect((await h.http.post(`/activities/${id}/cancel`, users.staffX, { reason: '取消' })).status).toBe(
      409,
    );
    // Shortening it is still allowed.
    expect((await h.http.send('patch', `/activities/${id}`, users.staffX, { endsAt: at(HOUR) })).status).toBe(
      200,
    );
  });

  it('refuses bad changes with 4xx and changes nothing', async () => {
    const id = await publish();
    const before = (await h.http.get(`/activities/${id}`, users.staffX)).body;
    const bad: [object, number][] = [
      [{}, 400],
      [{ kind: 'call' }, 400],
      [{ communityId: ids.Y }, 400],
      [{ title: '=cmd()' }, 400],
      [{ endsAt: at(HOUR) }, 422], // before its start
      [{ endsAt: at(10 * 24 * HOUR) }, 422], // longer than 7 days
      [{ arrivalWithinMinutes: 10 }, 422], // not a call
      [{ startsAt: at(400 * 24 * HOUR), endsAt: at(400 * 24 * HOUR + HOUR) }, 422],
    ];
    for (const [body, status] of bad) {
      const res = await h.http.send('patch', `/activities/${id}`, users.staffX, body);
      expect([body, res.status, res.headers['content-type']]).toEqual([
        body,
        status,
        expect.stringMatching(/^application\/problem\+json/),
      ]);
    }
    expect((await h.http.get(`/activities/${id}`, users.staffX)).body).toEqual(before);
    // Staff of another community, a member: not theirs to change.
    expect((await h.http.send('patch', `/activities/${id}`, users.staffY, { place: '别处' })).status).toBe(
      404,
    );
    expect((await h.http.send('patch', `/activities/${id}`, users.li, { place: '别处' })).status).toBe(403);
    expect((await h.http.get('/notices', users.staffX)).status).toBe(403);
  });

  it('an activity that is over changes no more', async () => {
    const id = await publish(10 * MINUTE);
    h.clock.advance(3 * HOUR);
    expect((await h.http.send('patch', `/activities/${id}`, users.staffX, { place: '补记' })).status).toBe(
      409,
    );
    expect((await h.http.post(`/activities/${id}/cancel`, users.staffX, { reason: '补' })).status).toBe(409);
  });
});
