import { startTestService, type TestUser } from '@honglian/testkit';
import { DAY, HOUR } from '../src/domain/rules.js';
import { START, fixtureEvents, ids, startCheckin, type Harness } from './support.js';

/**
 * Acceptance (issue 7): a member's six-month story, DOMAIN.md scenarios 1–2,
 * over real HTTP with the demo users' claims (packages/contracts demo-world.ts:
 * member-331003 is 331003-member-01 living in 331003-community-01; staff-331003
 * manages that community; county-admin-331003 the county; city-admin the city).
 *
 * As close to "through the gateway" as this folder allows: the service is
 * served on a loopback port and called with fetch and bearer tokens, registry
 * facts arrive as org-registry events on the bus, the sweep is triggered
 * through `POST /scans`. What the suite-level test needs is in the README.
 */
const demo = {
  city: { username: 'city-admin', roles: ['city-admin'], orgPath: '/331000' },
  county: {
    username: 'county-admin-331003',
    roles: ['county-admin'],
    county: '331003',
    orgPath: '/331000/331003',
  },
  staff: {
    username: 'staff-331003',
    roles: ['community-staff'],
    county: '331003',
    orgPath: '/331000/331003/331003-street-01/331003-community-01',
  },
  member: { username: 'member-331003', roles: ['member'], county: '331003', memberId: ids.li },
} satisfies Record<string, TestUser>;

describe('acceptance: a member’s six months, over HTTP with the demo users', () => {
  let h: Harness;
  let url: string;
  let close: () => Promise<void>;
  const tokens = new Map<TestUser, string>();

  beforeAll(async () => {
    h = await startCheckin();
    const served = await startTestService(h.service);
    url = `${served.url}/api/v1/checkin`;
    close = () => served.close();
    for (const u of Object.values(demo)) tokens.set(u, await h.issuer.token(u, { expiresIn: 3600 }));
    await h.publishRegistry(...fixtureEvents());
  });
  afterAll(async () => {
    await close();
    await h.close();
  });

  const call = async (user: TestUser, method: string, path: string, body?: object) => {
    const res = await fetch(url + path, {
      method,
      headers: {
        authorization: `Bearer ${tokens.get(user)}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    return { status: res.status, type, text, body: type.includes('json') ? JSON.parse(text) : undefined };
  };
  const ok = async (expected: number, p: ReturnType<typeof call>) => {
    const r = await p;
    expect({ status: r.status, body: r.body }).toMatchObject({ status: expected });
    return r.body;
  };
  const publish = (by: TestUser, communityId: string, title: string, startsAt: string, hours: number) =>
    ok(
      201,
      call(by, 'POST', '/activities', {
        communityId,
        title,
        startsAt,
        endsAt: new Date(Date.parse(startsAt) + hours * HOUR).toISOString(),
        place: '党群服务中心',
      }),
    );
  /** The member scans the screen at the start, and again `hours` later. */
  const serve = async (screen: TestUser, activityId: string, at: string, hours: number) => {
    h.clock.set(at);
    const qrIn = await ok(200, call(screen, 'GET', `/activities/${activityId}/qr`));
    await ok(201, call(demo.member, 'POST', '/attendances/check-in', { token: qrIn.token }));
    h.clock.advance(hours * HOUR);
    const qrOut = await ok(200, call(screen, 'GET', `/activities/${activityId}/qr`));
    return ok(200, call(demo.member, 'POST', '/attendances/check-out', { token: qrOut.token }));
  };

  it('produces exactly the expected hours, flags and feedback sheet', async () => {
    // Scenario 1: reports to X (residence) and Y (paired with the bureau); X and Y confirm.
    const home = await ok(
      201,
      call(demo.member, 'POST', '/reports', {
        kind: 'residence',
        communityId: ids.X,
        specialties: ['政策宣讲'],
      }),
    );
    const work = await ok(201, call(demo.member, 'POST', '/reports', { kind: 'work', communityId: ids.Y }));
    await ok(200, call(demo.staff, 'POST', `/reports/${home.id}/confirm`));
    await ok(404, call(demo.staff, 'POST', `/reports/${work.id}/confirm`)); // Y is not hers
    await ok(200, call(demo.county, 'POST', `/reports/${work.id}/confirm`));
    await ok(200, call(demo.member, 'PUT', `/reports/${home.id}/pledge`, { items: ['亮身份、作表率'] }));
    const placed = await ok(
      200,
      call(demo.staff, 'PUT', `/reports/${home.id}/placement`, { gridId: ids.gridX3, post: '楼栋长' }),
    );
    expect(placed.placement).toMatchObject({ gridId: ids.gridX3, post: '楼栋长' });

    // Scenario 2: three QR check-ins at X, 2 h, 1.5 h, 3 h.
    const a1 = await publish(demo.staff, ids.X, '小区环境整治', '2026-02-07T09:00:00+08:00', 3);
    const a2 = await publish(demo.staff, ids.X, '反诈宣传', '2026-03-14T14:00:00+08:00', 2);
    const a3 = await publish(demo.staff, ids.X, '助老服务', '2026-05-09T08:00:00+08:00', 4);
    const sessions = [
      await serve(demo.staff, a1.id, '2026-02-07T09:00:00+08:00', 2),
      await serve(demo.staff, a2.id, '2026-03-14T14:00:00+08:00', 1.5),
      await serve(demo.staff, a3.id, '2026-05-09T08:00:00+08:00', 3),
    ];
    expect(sessions.map((s) => [s.hours, s.reportIds])).toEqual([
      [2, [home.id]],
      [1.5, [home.id]],
      [3, [home.id]],
    ]);

    // Day 180 (the scheduled sweep, triggered by the city): 报而不到 at Y only.
    h.clock.set(new Date(Date.parse(START) + 180 * DAY));
    expect(await ok(200, call(demo.city, 'POST', '/scans', {}))).toMatchObject({
      noShowFlagged: 1,
      autoClosed: 0,
    });
    expect(await ok(200, call(demo.city, 'POST', '/scans', {}))).toMatchObject({ noShowFlagged: 0 });

    const sheet = await ok(200, call(demo.county, 'GET', `/units/${ids.unit}/feedback?period=2026-H1`));
    const li = sheet.members.find((m: { memberId: string }) => m.memberId === ids.li);
    expect(li).toEqual({
      memberId: ids.li,
      name: '李红',
      category: 'in-service',
      reports: [
        {
          reportId: home.id,
          kind: 'residence',
          communityId: ids.X,
          communityName: '双江社区',
          status: 'active',
          activatedAt: new Date(START).toISOString(),
          attendances: 3,
          hours: 6.5,
          noShow: false,
        },
        {
          reportId: work.id,
          kind: 'work',
          communityId: ids.Y,
          communityName: '天长社区',
          status: 'active',
          activatedAt: new Date(START).toISOString(),
          attendances: 0,
          hours: 0,
          noShow: true,
        },
      ],
      communities: [{ communityId: ids.X, attendances: 3, hours: 6.5 }],
      attendances: 3,
      hours: 6.5,
      missingReports: [],
      reported: true,
      completed: false,
      noShow: true,
      ratingCeiling: null,
      flags: [
        { code: `no-show:${ids.Y}`, zh: '在天长社区报而不到', en: expect.stringContaining('报而不到') },
      ],
    });
    expect(sheet.totals).toEqual({
      members: 3,
      reported: 1,
      completed: 0,
      reportRate: 0.3333,
      completionRate: 0,
      attendances: 3,
      hours: 6.5,
    });
    expect(sheet.redFlags.map((f: { code: string }) => f.code)).toEqual(['report-rate', 'completion-rate']);
    const csv = await call(demo.county, 'GET', `/units/${ids.unit}/feedback?period=2026-H1&format=csv`);
    expect(csv.type).toMatch(/^text\/csv/);
    const liLine = csv.text.split('\r\n').find((l) => l.startsWith(ids.li))!;
    expect(liLine.split(',').slice(0, 17)).toEqual([
      ids.li,
      '李红',
      'in-service',
      '双江社区',
      'active',
      '3',
      '6.5',
      '天长社区',
      'active',
      '0',
      '0',
      '3',
      '6.5',
      '是',
      '否',
      '是',
      '',
    ]);

    // She then checks in at Y: the flag clears; H2 and the year add up.
    const y1 = await publish(demo.county, ids.Y, '结对共建：楼道清理', '2026-07-11T09:00:00+08:00', 2);
    const atY = await serve(demo.county, y1.id, '2026-07-11T09:00:00+08:00', 2);
    expect(atY).toMatchObject({ hours: 2, reportIds: [work.id] });
    expect(await ok(200, call(demo.member, 'GET', `/reports/${work.id}`))).toMatchObject({ noShow: false });
    expect(
      await ok(200, call(demo.member, 'GET', `/members/${ids.li}/summary?period=2026-H1`)),
    ).toMatchObject({
      hours: 6.5,
      noShow: false,
    });
    const year = await ok(200, call(demo.member, 'GET', `/members/${ids.li}/summary?period=2026`));
    expect(year).toMatchObject({
      hours: 8.5,
      attendances: 4,
      communities: [
        { communityId: ids.X, attendances: 3, hours: 6.5 },
        { communityId: ids.Y, attendances: 1, hours: 2 },
      ],
      reported: true,
      completed: true,
      noShow: false,
      flags: [],
    });
    const h2 = await ok(200, call(demo.county, 'GET', `/units/${ids.unit}/feedback?period=2026-H2`));
    expect(h2.members.find((m: { memberId: string }) => m.memberId === ids.li)).toMatchObject({
      hours: 2,
      noShow: false,
      flags: [{ code: `no-activity:${ids.X}` }],
    });
  });
});
