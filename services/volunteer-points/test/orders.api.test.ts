import { OrderStateChanged, TOPICS } from '@honglian/contracts';
import { expectValidEvents } from '@honglian/testkit';
import type { TestUser } from '@honglian/testkit';
import { ids, pairingCreated, startPoints, users, type Harness } from './support.js';

/** Issue 14 item 5 and DOMAIN.md scenario 3: the request loop, its 409s, escalation and points. */
describe('resident orders and micro-wishes through HTTP', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startPoints();
  });
  afterEach(() => h.close());

  const post = (user: TestUser = users.resident, body: object = {}) =>
    h.http.post('/orders', user, {
      communityId: ids.cm1,
      title: '活动室音响维修',
      description: '音响没有声音',
      ...body,
    });

  it('scenario 3: 2 points + 1 bonus, once, even with the completion event delivered twice', async () => {
    const order = await post();
    expect(order.status).toBe(201);
    expect(order.body).toMatchObject({
      status: 'posted',
      streetId: 'st-1',
      residentName: expect.any(String),
    });
    const id = order.body.id as string;
    expect(
      (await h.http.post(`/orders/${id}/dispatch`, users.staff331003, { memberId: ids.li })).body.status,
    ).toBe('dispatched');
    expect((await h.http.post(`/orders/${id}/claim`, users.member331003, {})).body.status).toBe('claimed');
    h.clock.advance(2 * 3_600_000);
    const done = await h.http.post(`/orders/${id}/complete`, users.member331003, {
      hours: 2,
      proof: '更换了功放保险丝',
    });
    expect(done.body).toMatchObject({ status: 'done', hours: 2 });
    const rated = await h.http.post(`/orders/${id}/rate`, users.resident, { rating: 5, comment: '很及时' });
    expect(rated.body).toMatchObject({ status: 'rated', rating: 5 });
    expect(rated.body.history.map((s: { to: string }) => s.to)).toEqual([
      'posted',
      'dispatched',
      'claimed',
      'done',
      'rated',
    ]);
    await h.settle();

    // The completion (and the rating) delivered again, as a broker may.
    const steps = (await h.events(TOPICS.volunteerPoints)).filter(
      (e) => e.type === OrderStateChanged.type && e.subject === id,
    );
    const completion = steps.find((e) => (e.data as { to: string }).to === 'done')!;
    const rating = steps.find((e) => (e.data as { to: string }).to === 'rated')!;
    await h.publishTo(TOPICS.volunteerPoints, completion, completion, rating);
    await h.publishTo(TOPICS.volunteerPoints, { ...completion, id: '0b7e3f6a-5c1d-4e2f-9a8b-7c6d5e4f3a2b' });
    await h.settle();

    const bal = await h.http.get(`/members/${ids.li}/balance`, users.member331003);
    expect(bal.body).toMatchObject({ balance: 3, hours: 2 });
    const entries = (await h.http.get(`/members/${ids.li}/entries`, users.member331003)).body.items;
    expect(entries.map((e: { id: string; points: number }) => [e.id, e.points]).sort()).toEqual([
      [`award:order:${id}`, 2],
      [`bonus:rating:${id}`, 1],
    ]);
    const record = await h.http.get(`/records/rec-ord-${id}`, users.staff331003);
    expect(record.body).toMatchObject({ source: 'order', hours: 2, status: 'approved' });
    expectValidEvents(await h.events());
  });

  it('answers an illegal step with 409 and changes nothing', async () => {
    const id = (await post()).body.id as string;
    for (const [path, body] of [
      ['claim', {}],
      ['complete', { hours: 1, proof: 'x' }],
      ['rate', { rating: 5 }],
    ] as const) {
      const user =
        path === 'rate' ? users.resident : path === 'complete' ? users.staff331003 : users.member331003;
      const res = await h.http.post(`/orders/${id}/${path}`, user, body);
      expect([path, res.status]).toEqual([path, path === 'claim' ? 404 : 409]); // a posted order is not open to members yet
    }
    await h.http.post(`/orders/${id}/open`, users.staff331003, {});
    expect((await h.http.post(`/orders/${id}/open`, users.staff331003, {})).status).toBe(409);
    expect((await h.http.post(`/orders/${id}/claim`, users.wang, {})).status).toBe(200);
    const late = await h.http.post(`/orders/${id}/claim`, users.member331003, {});
    expect(late.status).toBe(404); // claimed by Wang: no longer open, so not Li's to see
    expect((await h.http.post(`/orders/${id}/cancel`, users.resident, { reason: '不需要了' })).status).toBe(
      409,
    );
    const complete = await h.http.post(`/orders/${id}/complete`, users.wang, { hours: 1.5, proof: '已完成' });
    expect(complete.body.status).toBe('done');
    expect((await h.http.post(`/orders/${id}/rate`, users.neighbour, { rating: 4 })).status).toBe(404);
    expect((await h.http.post(`/orders/${id}/rate`, users.resident, { rating: 6 })).status).toBe(400);
    expect((await h.http.post(`/orders/${id}/rate`, users.resident, { rating: 4 })).status).toBe(200);
    expect((await h.http.post(`/orders/${id}/rate`, users.resident, { rating: 5 })).status).toBe(409);
    await h.settle();
    expect((await h.http.get(`/members/${ids.wang}/balance`, users.wang)).body).toMatchObject({
      balance: 1.5,
    }); // 4/5: no bonus
  });

  it('escalates an order unclaimed for 5 days to the street, once', async () => {
    const id = (await post()).body.id as string;
    await h.http.post(`/orders/${id}/open`, users.staff331003, {});
    expect((await h.http.get(`/orders/${id}`, users.streetStaff)).status).toBe(200); // the street manages the subtree anyway
    h.clock.advance(4 * 86_400_000);
    expect((await h.service.runJobs()).escalated).toBe(0);
    h.clock.advance(86_400_000);
    expect((await h.service.runJobs()).escalated).toBe(1);
    expect((await h.service.runJobs()).escalated).toBe(0);
    const o = await h.http.get(`/orders/${id}`, users.staff331003);
    expect(o.body).toMatchObject({ status: 'open', escalated: true });
    expect(o.body.history.at(-1)).toMatchObject({ from: 'open', to: 'open', by: 'system' });
  });

  it('escalates due orders even behind many that have no street to go to', async () => {
    const id = (await post()).body.id as string;
    // Orders of a community whose street the registry has not described: due, but nowhere to go.
    const { Order } = h.service.services.ctx.data.models;
    const base = (await Order.findById(id).lean())!;
    await Order.insertMany(
      Array.from({ length: 501 }, (_, i) => ({
        ...base,
        _id: `ord-0-${String(i).padStart(4, '0')}`,
        streetId: null,
        streetPath: null,
      })),
    );
    h.clock.advance(5 * 86_400_000);
    expect((await h.service.runJobs()).escalated).toBe(1);
    expect((await h.http.get(`/orders/${id}`, users.staff331003)).body).toMatchObject({ escalated: true });
  });

  it('takes micro-wishes with a budget, claimable by a paired unit', async () => {
    const tooDear = await post(users.staff331003, { kind: 'wish', budget: 500, title: '轮椅' });
    expect(tooDear.status).toBe(422);
    expect(tooDear.body).toMatchObject({ field: 'budget' });
    const wish = await post(users.staff331003, {
      kind: 'wish',
      budget: 280,
      title: '助行器',
      residentName: '张奶奶',
    });
    expect(wish.status).toBe(201);
    await h.http.post(`/orders/${wish.body.id}/open`, users.staff331003, {});
    // The unit is paired with the wish's community (more in pairings.api.test.ts).
    await h.publishTo(TOPICS.orgRegistry, pairingCreated('jd-1', { unitId: ids.bureau, targetId: ids.cm1 }));
    const claimed = await h.http.post(`/orders/${wish.body.id}/claim`, users.staff331003, {
      unitId: ids.bureau,
    });
    expect(claimed.body).toMatchObject({
      status: 'claimed',
      claimant: { kind: 'unit', id: ids.bureau },
      memberId: null,
    });
    const request = await post();
    await h.http.post(`/orders/${request.body.id}/open`, users.staff331003, {});
    expect(
      (await h.http.post(`/orders/${request.body.id}/claim`, users.staff331003, { unitId: ids.bureau }))
        .status,
    ).toBe(422);
  });

  it('shows residents only their own orders, and firms nothing', async () => {
    const mine = (await post()).body.id as string;
    await post(users.neighbour);
    const list = await h.http.get('/orders', users.resident);
    expect(list.body.items.map((o: { id: string }) => o.id)).toEqual([mine]);
    expect((await h.http.get(`/orders/${mine}`, users.neighbour)).status).toBe(404);
    expect((await h.http.get(`/orders/${mine}`, users.staff331002)).status).toBe(404);
    expect((await h.http.get(`/orders/${mine}`, users.countyAdmin331002)).status).toBe(404);
    expect((await h.http.get('/orders', users.firm331003)).status).toBe(403);
    expect((await h.http.get(`/orders/${mine}`, users.firm331003)).status).toBe(403);
    // A resident cannot post in another county's community: told as if it did not exist.
    const away = await h.http.post('/orders', users.resident, { communityId: ids.cm9, title: '修灯' });
    expect([away.status, away.body.field]).toEqual([422, 'communityId']);
  });
});
