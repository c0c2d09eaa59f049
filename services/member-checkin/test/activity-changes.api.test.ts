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

  /**
   * Runs `meanwhile` once, the first time `method` of `target` is called, before it proceeds: a
   * deterministic interleaving of a request with another (no timing involved).
   */
  function interleave<T extends object, K extends keyof T & string>(
    target: T,
    method: K,
    meanwhile: () => Promise<void>,
  ) {
    const original = (target[method] as (...args: unknown[]) => unknown).bind(target);
    return jest.spyOn(target, method as never).mockImplementationOnce((async (...args: unknown[]) => {
      await meanwhile();
      return original(...args);
    }) as never);
  }

  it('a response racing a cancel is refused: no answer to a cancelled activity, none without its notice', async () => {
    const id = await publish();
    const { activities } = h.service.services.ctx.data;
    // The cancel commits after Li's request read the activity, before her response is saved.
    const spy = interleave(activities, 'responded', async () => {
      expect((await h.http.post(`/activities/${id}/cancel`, users.staffX, { reason: '台风' })).status).toBe(
        200,
      );
    });
    const res = await h.http.post(`/activities/${id}/responses`, users.li, {});
    spy.mockRestore();
    expect(res.status).toBe(409);
    expect((await h.http.get(`/activities/${id}/responses`, users.staffX)).body.items).toEqual([]);
    expect((await activities.byId(id))!.responses).toBe(0);
  });

  it('a response racing a lower capacity is refused once the places are taken', async () => {
    const act = await h.http.post('/activities', users.staffX, {
      communityId: ids.X,
      title: '义诊',
      startsAt: at(2 * HOUR),
      endsAt: at(4 * HOUR),
      capacity: 2,
    });
    const id = act.body.id as string;
    expect((await h.http.post(`/activities/${id}/responses`, users.li, {})).status).toBe(201);
    const { activities } = h.service.services.ctx.data;
    const spy = interleave(activities, 'responded', async () => {
      const res = await h.http.send('patch', `/activities/${id}`, users.staffX, { capacity: 1 });
      expect(res.status).toBe(200);
    });
    const res = await h.http.post(`/activities/${id}/responses`, users.wang, {});
    spy.mockRestore();
    expect(res.status).toBe(409);
    expect((await activities.byId(id))!).toMatchObject({ capacity: 1, responses: 1 });
  });

  it('a check-in racing a cancel: the cancel wins and the check-in is refused, no attendance at a cancelled activity', async () => {
    const id = await publish(10 * MINUTE); // check-in open
    const { reports, attendance } = h.service.services.ctx.data;
    // The check-in's transaction has read the activity (published, nobody in) when the cancel commits.
    const spy = interleave(reports, 'lockMember', async () => {
      expect((await h.http.post(`/activities/${id}/cancel`, users.staffX, { reason: '停电' })).status).toBe(
        200,
      );
    });
    const res = await h.http.post('/attendances/check-in', users.staffX, {
      activityId: id,
      memberId: ids.wang,
    });
    spy.mockRestore();
    expect(res.status).toBe(409);
    expect(await attendance.atActivity(id)).toEqual([]);
    expect((await h.http.get(`/activities/${id}`, users.staffX)).body.status).toBe('cancelled');
  });

  it('a cancel racing the first check-in is refused once that check-in is in', async () => {
    const id = await publish(10 * MINUTE);
    const { attendance } = h.service.services.ctx.data;
    // The cancel's transaction read "nobody attended" when the check-in commits.
    let checkIn: { status: number; body: unknown } | undefined;
    const spy = interleave(attendance, 'anyAt', async () => {
      checkIn = await h.http.post('/attendances/check-in', users.staffX, {
        activityId: id,
        memberId: ids.wang,
      });
    });
    const res = await h.http.post(`/activities/${id}/cancel`, users.staffX, { reason: '停电' });
    spy.mockRestore();
    expect([checkIn?.status, res.status]).toEqual([201, 409]);
    expect((await h.http.get(`/activities/${id}`, users.staffX)).body.status).toBe('published');
    await h.http.post('/attendances/check-out', users.staffX, { activityId: id, memberId: ids.wang });
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
