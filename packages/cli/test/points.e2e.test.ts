import { COLLECTIONS } from '@honglian/messaging';
import { FixedClock, createLogger } from '@honglian/service-kit';
import type { CloudEvent } from '@honglian/contracts';
import type { VolunteerPointsService } from '@honglian/volunteer-points';
import { demoToken } from './support.js';
import { SuiteConfigSchema, startSuite, type RunningSuite } from '../src/suite.js';

/**
 * Issue 14 through the gateway, the whole suite in this process with the demo city seeded and
 * the demo users' tokens: the demo points (item 10) reconcile entry by entry for every member;
 * scenario 3 with the completion delivered twice; a check-in at member-checkin becoming points;
 * every role's scope. Waits are bounded polls on what the API answers, never timed assertions.
 */
const X = '331003-community-01';
const LI = '331003-member-01';
const RETIREE = '331003-member-02';
const JIAOJIANG = '331002-member-01';
const START = '2026-03-02T09:00:00+08:00';
const HOUR = 3_600_000;
jest.setTimeout(300_000);

describe('volunteer points through the gateway (issue 14)', () => {
  const clock = new FixedClock(START);
  let suite: RunningSuite;
  let points: VolunteerPointsService;
  const tokens: Record<string, string> = {};
  const USERS = [
    'city-admin',
    'county-admin-331003',
    'county-admin-331002',
    'staff-331003',
    'member-331003',
    'member-331002',
    'resident-331003',
    'firm-331003',
  ];

  beforeAll(async () => {
    const config = SuiteConfigSchema.parse({ PORT: '0', DATA_DIR: '', LOG_LEVEL: 'silent' });
    suite = await startSuite(config, createLogger({ name: 'points', level: 'silent' }), {
      clock,
      busEnv: {},
    });
    points = suite.services.find((s) => s.handle.name === 'volunteer-points')!
      .handle as unknown as VolunteerPointsService;
    for (const u of USERS) tokens[u] = await demoToken(suite.gateway.http.url, u);
  }, 300_000);
  afterAll(() => suite?.close());

  const call = async (
    user: string | null,
    method: string,
    path: string,
    body?: object,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
  ): Promise<{ status: number; body: any }> => {
    const res = await fetch(
      `${suite.gateway.http.url}${path.startsWith('/api') ? '' : '/api/v1/points'}${path}`,
      {
        method,
        headers: {
          ...(user ? { authorization: `Bearer ${tokens[user]}` } : {}),
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      },
    );
    const text = await res.text();
    return {
      status: res.status,
      body: text && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text,
    };
  };
  const ok = async (status: number, p: ReturnType<typeof call>) => {
    const r = await p;
    expect({ status: r.status, body: r.body }).toMatchObject({ status });
    return r.body;
  };
  /** Polls until `check` holds (events travel through the outbox and the bus); bounded, not timed. */
  const until = async (what: string, check: () => Promise<boolean>) => {
    for (const deadline = Date.now() + 120_000; Date.now() < deadline;) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`never happened: ${what}`);
  };
  const balance = async (memberId: string) =>
    (await ok(200, call('city-admin', 'GET', `/members/${memberId}/balance`))) as {
      balance: number;
      hours: number;
      stars: number;
    };

  it('shows the demo city’s points: records, orders in several states, a catalogue, a starred member; every balance reconciles', async () => {
    // Li: 2 + 1.5 + 3 h of records, a 5-point towel, the demo order done (2 h) and rated 5/5 (+1).
    await until('the demo order’s points', async () => (await balance(LI)).balance === 4.5);
    expect(await balance(LI)).toMatchObject({ balance: 4.5, hours: 8.5 });
    expect(await balance(RETIREE)).toMatchObject({ hours: 102, stars: 1 });
    const orders = await ok(200, call('staff-331003', 'GET', '/orders'));
    expect(new Set(orders.items.map((o: { status: string }) => o.status))).toEqual(
      new Set(['posted', 'open', 'claimed', 'rated']),
    );
    const catalogue = await ok(200, call('member-331003', 'GET', `/catalogue?communityId=${X}`));
    expect(catalogue.items.map((i: { price: number }) => i.price)).toEqual([30, 15, 5]);
    expect(
      (await ok(200, call('county-admin-331003', 'GET', '/stars'))).map(
        (s: { memberId: string }) => s.memberId,
      ),
    ).toEqual([RETIREE]);

    // Acceptance: the sum of the ledger entries equals every balance shown, for every member.
    expect(await ok(200, call('city-admin', 'GET', '/reconcile'))).toMatchObject({ mismatches: [] });
    const accounts = await ok(200, call('city-admin', 'GET', '/accounts?limit=200'));
    expect(accounts.items.length).toBeGreaterThanOrEqual(4);
    for (const a of accounts.items as { memberId: string; balance: number }[]) {
      const explained = await ok(200, call('city-admin', 'GET', `/members/${a.memberId}/explain`));
      expect([a.memberId, explained.fromEntries.balance, explained.fromEntries.hours]).toEqual([
        a.memberId,
        a.balance,
        explained.account.hours,
      ]);
    }
  });

  it('scenario 3: a resident’s request, dispatched, taken, done in 2 h, rated 5/5 → 2 + 1 points once, the completion delivered twice', async () => {
    await until('demo settled', async () => (await balance(LI)).balance >= 4.5);
    const before = await balance(LI);
    const order = await ok(
      201,
      call('resident-331003', 'POST', '/orders', {
        communityId: X,
        title: '活动室音响维修',
        description: '没有声音',
      }),
    );
    await ok(200, call('staff-331003', 'POST', `/orders/${order.id}/dispatch`, { memberId: LI }));
    await ok(200, call('member-331003', 'POST', `/orders/${order.id}/claim`, {}));
    clock.advance(2 * HOUR);
    await ok(
      200,
      call('member-331003', 'POST', `/orders/${order.id}/complete`, { hours: 2, proof: '更换保险丝' }),
    );
    await ok(200, call('resident-331003', 'POST', `/orders/${order.id}/rate`, { rating: 5 }));
    await until('the order’s 3 points', async () => (await balance(LI)).balance === before.balance + 3);

    const outbox = points.services.ctx.conn.collection<{ event: CloudEvent }>(COLLECTIONS.outbox);
    const completion = (
      await outbox.find({ 'event.subject': order.id, 'event.data.to': 'done' }).toArray()
    )[0]!.event;
    await points.redeliver(completion);
    await points.redeliver(completion);
    const replayId = '5a4c1e2b-8d7f-4b3a-9c6e-1f2d3e4a5b6c';
    await points.redeliver({ ...completion, id: replayId });
    // Once the orders consumer has processed the replay (its processed-event record), nothing more was added.
    const processed = points.services.ctx.conn.collection(COLLECTIONS.processed);
    await until(
      'the replay consumed',
      async () => !!(await processed.findOne({ groupId: 'volunteer-points.orders', eventId: replayId })),
    );
    const records = await ok(200, call('city-admin', 'GET', `/records?memberId=${LI}&limit=200`));
    expect(records.items.filter((r: { sourceId: string }) => r.sourceId === order.id)).toHaveLength(1);
    const entries = await ok(200, call('member-331003', 'GET', `/members/${LI}/entries?limit=200`));
    expect(
      entries.items
        .filter((e: { id: string }) => e.id.endsWith(`:${order.id}`))
        .map((e: { points: number }) => e.points)
        .sort(),
    ).toEqual([1, 2]);
    expect((await balance(LI)).balance).toBe(before.balance + 3);
  });

  it('turns a check-in at member-checkin into points', async () => {
    const before = await balance(LI);
    const checkin = (user: string, method: string, path: string, body?: object) =>
      call(user, method, `/api/v1/checkin${path}`, body);
    let report: { id: string } | undefined;
    await until('the check-in read model', async () => {
      const r = await checkin('member-331003', 'POST', '/reports', { kind: 'residence', communityId: X });
      if (r.status === 201 || r.status === 409) report = r.status === 201 ? r.body : report;
      return r.status === 201 || r.status === 409;
    });
    if (report) await ok(200, checkin('staff-331003', 'POST', `/reports/${report.id}/confirm`));
    clock.set('2026-03-10T08:00:00+08:00');
    const activity = await ok(
      201,
      checkin('staff-331003', 'POST', '/activities', {
        communityId: X,
        title: '助老服务',
        startsAt: '2026-03-10T09:00:00+08:00',
        endsAt: '2026-03-10T12:00:00+08:00',
        place: '党群服务中心',
      }),
    );
    clock.set('2026-03-10T09:00:00+08:00');
    const qrIn = await ok(200, checkin('staff-331003', 'GET', `/activities/${activity.id}/qr`));
    await ok(201, checkin('member-331003', 'POST', '/attendances/check-in', { token: qrIn.token }));
    clock.set('2026-03-10T11:30:00+08:00');
    const qrOut = await ok(200, checkin('staff-331003', 'GET', `/activities/${activity.id}/qr`));
    const session = await ok(
      200,
      checkin('member-331003', 'POST', '/attendances/check-out', { token: qrOut.token }),
    );
    expect(session.hours).toBe(2.5);
    await until('the attendance’s points', async () => (await balance(LI)).balance === before.balance + 2.5);
    const entries = await ok(200, call('member-331003', 'GET', `/members/${LI}/entries?limit=200`));
    expect(entries.items).toContainEqual(
      expect.objectContaining({ id: `award:attendance:${session.id}`, points: 2.5, hours: 2.5 }),
    );
  });

  it('scenario 4: the retiree past 100 h holds ★; the certificate, after its notice, is verifiable without a token', async () => {
    expect(await balance(RETIREE)).toMatchObject({ stars: 1 });
    const cert = await ok(
      201,
      call('staff-331003', 'POST', '/certificates', {
        memberId: RETIREE,
        from: '2025-01-01',
        to: '2026-12-31',
      }),
    );
    expect(cert).toMatchObject({
      status: 'notice',
      hours: 102,
      number: expect.stringMatching(/^HL-331003-/),
      issuer: expect.any(String),
    });
    await ok(409, call('staff-331003', 'POST', `/certificates/${cert.id}/issue`));
    clock.advance(7 * 24 * HOUR);
    await ok(200, call('staff-331003', 'POST', `/certificates/${cert.id}/issue`));
    // Anyone checks it through the gateway without a token: the service documents the operation as
    // public and the gateway lets exactly that through; any other route still needs one.
    const direct = await fetch(`${suite.gateway.http.url}/api/v1/points/verify/${cert.code}`);
    const guarded = await fetch(`${suite.gateway.http.url}/api/v1/points/certificates/${cert.id}`);
    expect(guarded.status).toBe(401);
    expect(direct.status).toBe(200);
    const check = await direct.json();
    expect(check).toEqual({
      number: cert.number,
      memberName: expect.any(String),
      issuer: cert.issuer,
      hours: 102,
      periodFrom: '2025-01-01',
      periodTo: '2026-12-31',
      status: 'issued',
      noticeUntil: cert.noticeUntil,
      issuedAt: expect.any(String),
    });
  });

  it('lets exactly 3 of 20 concurrent redemptions through a balance that covers 3; cancelling restores the balance', async () => {
    const member = '331002-member-01';
    const start = (await balance(member)).balance;
    const item = await ok(
      201,
      call('county-admin-331002', 'POST', '/catalogue', {
        communityId: '331002-community-01',
        name: '肥皂',
        price: start / 3,
        stock: 50,
      }),
    );
    const results = await Promise.all(
      Array.from({ length: 20 }, () => call('member-331002', 'POST', '/redemptions', { itemId: item.id })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(3);
    expect(results.filter((r) => r.status === 409)).toHaveLength(17);
    expect((await balance(member)).balance).toBe(0);
    const one = results.find((r) => r.status === 201)!.body as { id: string; points: number };
    await ok(200, call('member-331002', 'POST', `/redemptions/${one.id}/cancel`, { reason: '不要了' }));
    expect((await balance(member)).balance).toBe(one.points);
    expect(await ok(200, call('city-admin', 'GET', '/reconcile'))).toMatchObject({ mismatches: [] });
  });

  it('keeps every role in its scope: a resident sees only their orders, a firm nothing here, another county 404', async () => {
    const mine = await ok(200, call('resident-331003', 'GET', '/orders'));
    expect(mine.items.length).toBeGreaterThan(0);
    expect(mine.items.every((o: { residentName: string }) => typeof o.residentName === 'string')).toBe(true);
    const all = await ok(200, call('staff-331003', 'GET', '/orders'));
    expect(all.total).toBeGreaterThan(mine.total); // the demo orders staff posted are not the resident's
    expect((await call('firm-331003', 'GET', '/orders')).status).toBe(403);
    expect((await call('firm-331003', 'GET', `/members/${LI}/balance`)).status).toBe(403);
    expect((await call('firm-331003', 'GET', '/catalogue')).status).toBe(403);
    expect((await call('county-admin-331002', 'GET', `/members/${LI}/balance`)).status).toBe(404);
    expect((await call('county-admin-331002', 'GET', `/orders/${mine.items[0].id}`)).status).toBe(404);
    expect((await call('member-331002', 'GET', `/members/${LI}/balance`)).status).toBe(404);
    expect((await call('member-331002', 'GET', `/members/${JIAOJIANG}/balance`)).status).toBe(200);
    expect((await call(null, 'GET', `/members/${LI}/balance`)).status).toBe(401);
  });
});
