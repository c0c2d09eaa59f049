import { FixedClock, createLogger } from '@honglian/service-kit';
import { demoToken } from './support.js';
import { SuiteConfigSchema, startSuite, type RunningSuite } from '../src/suite.js';

/**
 * Issue "Registry and check-in as one loop", acceptance through the gateway on the demo city
 * (embedded world; story.e2e.test.ts runs the check-in story on the real servers too):
 * an attendance of a minute (a photo) completes nothing; Li (331003-member-01) transferred from 黄岩 331003
 * to 椒江 331002 has her 331003 reports ended; 331003 keeps her past and not her present; 331002
 * sees her present, is told she owes a report, and accepts her new one. (A kill -9 of
 * `honglian start` keeping a write: start.e2e.test.ts.)
 */
const LI = '331003-member-01';
const X = '331003-community-01';
const Y = '331003-community-02';
const Z = '331002-community-01';
const START = '2026-01-05T09:00:00+08:00';
const MOVE = '2026-03-01';
jest.setTimeout(180_000);

describe('registry and check-in as one loop, through the gateway', () => {
  const clock = new FixedClock(START);
  let suite: RunningSuite;
  let base: string;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    const config = SuiteConfigSchema.parse({ PORT: '0', DATA_DIR: '', LOG_LEVEL: 'silent' });
    suite = await startSuite(config, createLogger({ name: 'loop', level: 'silent' }), { clock });
    base = `${suite.gateway.http.url}/api/v1`;
    for (const u of [
      'member-331003',
      'staff-331003',
      'county-admin-331003',
      'county-admin-331002',
      'staff-331002',
      'city-admin',
    ])
      tokens[u] = await demoToken(suite.gateway.http.url, u);
  });
  afterAll(() => suite?.close());

  const call = async (user: string, method: string, path: string, body?: object) => {
    const res = await fetch(base + path, {
      method,
      headers: {
        authorization: `Bearer ${tokens[user]}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: res.status, body: (await res.json().catch(() => undefined)) as any };
  };
  const ok = async (status: number, p: ReturnType<typeof call>) => {
    const r = await p;
    if (r.status !== status)
      throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body;
  };
  /** Event-driven steps: retried until the read model has caught up (bounded, never timed). */
  const eventually = async <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => {
    for (let i = 0; i < 1200; i++) {
      const found = await probe();
      if (found !== undefined) return found;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`never happened: ${what}`);
  };

  it('credits nothing for a minute’s attendance, then carries a transfer across both services', async () => {
    // Li reports where she lives (X) and where her unit is paired (Y); both are confirmed.
    const home = await eventually('the read model knows Li', async () => {
      const r = await call('member-331003', 'POST', '/checkin/reports', {
        kind: 'residence',
        communityId: X,
      });
      return r.status === 201 ? r.body : undefined;
    });
    const work = await ok(
      201,
      call('member-331003', 'POST', '/checkin/reports', { kind: 'work', communityId: Y }),
    );
    await ok(200, call('staff-331003', 'POST', `/checkin/reports/${home.id}/confirm`));
    await ok(200, call('county-admin-331003', 'POST', `/checkin/reports/${work.id}/confirm`));

    // A witnessed check-in and check-out back to back (a minute apart): recorded, credited nothing, completes nothing.
    const act = await ok(
      201,
      call('staff-331003', 'POST', '/checkin/activities', {
        communityId: X,
        title: '合影留念',
        startsAt: clock.now().toISOString(),
        endsAt: new Date(clock.now().getTime() + 2 * 3_600_000).toISOString(),
      }),
    );
    const witnessed = { activityId: act.id, memberId: LI };
    await ok(201, call('staff-331003', 'POST', '/checkin/attendances/check-in', witnessed));
    clock.advance(60_000); // a minute for the photo
    const out = await ok(200, call('staff-331003', 'POST', '/checkin/attendances/check-out', witnessed));
    expect(out).toMatchObject({ hours: 0, creditedMinutes: 0 });
    const summary = await ok(
      200,
      call('member-331003', 'GET', `/checkin/members/${LI}/summary?period=2026-H1`),
    );
    expect(summary).toMatchObject({ attendances: 0, hours: 0, completed: false });

    // 1 March: the city transfers her to 椒江's agency party organisation and records her new home and unit.
    clock.set(`${MOVE}T09:00:00+08:00`);
    await ok(
      200,
      call('city-admin', 'POST', `/registry/members/${LI}/transfer`, {
        toPartyOrgId: '331002-agency-01-dw',
        effectiveFrom: MOVE,
      }),
    );
    await ok(
      200,
      call('city-admin', 'PATCH', `/registry/members/${LI}`, {
        residenceCompoundId: '331002-compound-01',
        residenceBuildingId: null,
        workUnitId: '331002-agency-01',
        effectiveFrom: MOVE,
      }),
    );

    // 黄岩's reports end as of the move, with the reason; 黄岩 keeps them as its past.
    const ended = await eventually('both 黄岩 reports ended', async () => {
      const r = await call('county-admin-331003', 'GET', `/checkin/reports?memberId=${LI}`);
      return r.body.items.every((x: { status: string }) => x.status === 'ended') ? r.body : undefined;
    });
    expect(ended.total).toBe(2);
    // The transfer of her party organisation alone leaves them be; her new home and unit end them.
    const moveStart = new Date(`${MOVE}T00:00:00+08:00`).toISOString();
    const ends = ended.items.map((r: { kind: string; closeReason: string; endedAt: string }) => [
      r.kind,
      r.closeReason,
      r.endedAt,
    ]);
    expect(ends.sort()).toEqual([
      ['residence', 'moved', moveStart],
      ['work', 'work-unit-changed', moveStart],
    ]);
    await ok(200, call('county-admin-331003', 'GET', `/registry/members/${LI}?asOf=2026-02-01`));
    await ok(404, call('county-admin-331003', 'GET', `/registry/members/${LI}`));
    // 黄岩 can no longer witness her.
    const act2 = await ok(
      201,
      call('staff-331003', 'POST', '/checkin/activities', {
        communityId: X,
        title: '巡查',
        startsAt: clock.now().toISOString(),
        endsAt: new Date(clock.now().getTime() + 3_600_000).toISOString(),
      }),
    );
    await ok(
      422,
      call('staff-331003', 'POST', '/checkin/attendances/check-in', { activityId: act2.id, memberId: LI }),
    );

    // 椒江 sees her present and that she owes a residence report at Z; she reports and is confirmed.
    await ok(200, call('county-admin-331002', 'GET', `/registry/members/${LI}`));
    const owed = await eventually('椒江 sees the report Li owes', async () => {
      clock.set(`2026-04-05T09:00:00+08:00`); // past the 30-day deadline
      const r = await call('county-admin-331002', 'GET', '/checkin/views/overdue-reports');
      return r.body.items.find(
        (x: { memberId: string; kind: string }) => x.memberId === LI && x.kind === 'residence',
      );
    });
    expect(owed).toMatchObject({ communities: [{ id: Z }], since: MOVE, dueOn: '2026-03-31' });
    const fresh = await ok(
      201,
      call('member-331003', 'POST', '/checkin/reports', { kind: 'residence', communityId: Z }),
    );
    await ok(200, call('staff-331002', 'POST', `/checkin/reports/${fresh.id}/confirm`));
    const present = await ok(200, call('county-admin-331002', 'GET', `/checkin/reports?memberId=${LI}`));
    expect(present.items.map((r: { id: string; status: string }) => [r.id, r.status])).toEqual([
      [fresh.id, 'active'],
    ]);
    const past = await ok(200, call('county-admin-331003', 'GET', `/checkin/reports?memberId=${LI}`));
    expect(past.items.map((r: { id: string }) => r.id).sort()).toEqual([home.id, work.id].sort());
  });
});
