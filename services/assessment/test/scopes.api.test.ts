import { expectValidEvents } from '@honglian/testkit';
import {
  COUNTY,
  expectProblem,
  liFixture,
  registryFixture,
  secondCommunityFixture,
  startAssessment,
  users,
} from './support.js';

type H = Awaited<ReturnType<typeof startAssessment>>;
let h: H;

beforeEach(async () => {
  h = await startAssessment('2026-04-02T09:00:00+08:00');
  await h.publishAll([...registryFixture(), ...secondCommunityFixture(), ...liFixture()]);
});
afterEach(() => h.close());

const LI = 'm-331003-1';
const subjects = (page: { items: { subjectId: string }[] }) => page.items.map((r) => r.subjectId).sort();

describe('publication', () => {
  it('a second yellow escalates (escalateAfterYellows = 2) with a remediation deadline', async () => {
    await h.http.post('/periods/2026-Q1/compute', users.countyAdmin331003, {});
    await h.http.post('/periods/2026-Q1/publish', users.countyAdmin331003, { county: COUNTY });
    const first = await h.http.get('/consequences?kind=remediation', users.countyAdmin331003);
    expect(first.body.find((c: { subjectId: string }) => c.subjectId === LI)).toMatchObject({
      period: '2026-Q1',
      deadline: '2026-07-02',
    });
    expect((await h.http.get('/consequences?kind=escalation', users.countyAdmin331003)).body).toEqual([]);

    // Q2: no activity, reported → base 60 → yellow again.
    h.clock.set('2026-07-02T09:00:00+08:00');
    await h.http.post('/periods/2026-Q2/compute', users.countyAdmin331003, {});
    expect((await h.http.get(`/ratings/2026-Q2/${LI}`, users.countyAdmin331003)).body).toMatchObject({
      score: 60,
      colour: 'yellow',
    });
    const pub = await h.http.post('/periods/2026-Q2/publish', users.countyAdmin331003, { county: COUNTY });
    expect(pub.status).toBe(200);
    const escalations = await h.http.get('/consequences?kind=escalation', users.countyAdmin331003);
    expect(escalations.body.find((c: { subjectId: string }) => c.subjectId === LI)).toMatchObject({
      id: `cq:2026-Q2:${LI}`,
      period: '2026-Q2',
      deadline: '2026-10-02',
      status: 'open',
    });
    // The member sees her own consequences, nobody else's.
    const own = await h.http.get('/consequences', users.member331003);
    expect(new Set(own.body.map((c: { subjectId: string }) => c.subjectId))).toEqual(new Set([LI]));
    const events = await h.events();
    expectValidEvents(events);
    const opened = events.filter(
      (e) =>
        e.type === 'honglian.assessment.consequence.opened.v1' &&
        (e.data as { subjectId: string }).subjectId === LI,
    );
    const kinds = opened.map(
      (e) => `${(e.data as { period: string }).period}:${(e.data as { kind: string }).kind}`,
    );
    expect(kinds.sort()).toEqual(['2026-Q1:remediation', '2026-Q2:escalation']);
  });
});

describe('dashboard', () => {
  it('counts colours per level of a period and the trend per period, in scope', async () => {
    await h.http.post('/periods/2026-Q1/compute', users.countyAdmin331003, {});
    await h.http.post('/manual-items', users.countyAdmin331003, {
      memberId: 'm-331003-3',
      code: 'absent-no-dues',
      on: '2026-04-01',
      reason: '连续六个月未参加组织生活且未交党费',
    });
    await h.http.post('/periods/2026-Q2/compute', users.countyAdmin331003, {});

    const q1 = await h.http.get('/dashboard?period=2026-Q1', users.countyAdmin331003);
    expect(q1.status).toBe(200);
    // Members Li 66, Wang 60 (never reported), Zhao 60; cm-1 64.75, cm-2 60; st-1 and the county yellow.
    expect(q1.body.levels).toEqual({
      member: { red: 0, yellow: 3, grey: 0 },
      community: { red: 0, yellow: 2, grey: 0 },
      street: { red: 0, yellow: 1, grey: 0 },
      county: { red: 0, yellow: 1, grey: 0 },
    });
    const trend = q1.body.trend.filter((t: { level: string }) => t.level === 'member');
    expect(trend).toEqual([
      { period: '2026-Q1', level: 'member', counts: { red: 0, yellow: 3, grey: 0 } },
      // Zhao's reset (清零) in April.
      { period: '2026-Q2', level: 'member', counts: { red: 0, yellow: 2, grey: 1 } },
    ]);

    // Community staff of cm-1: Li, Wang and cm-1 only.
    const staff = await h.http.get('/dashboard?period=2026-Q2', users.staff331003);
    expect(staff.body.levels).toEqual({
      member: { red: 0, yellow: 2, grey: 0 },
      community: { red: 0, yellow: 1, grey: 0 },
    });
    expect((await h.http.get('/dashboard', users.countyAdmin331002)).body).toEqual({ levels: {}, trend: [] });
    expectProblem(await h.http.get('/dashboard', users.member331003), 403);
    expectProblem(await h.http.get('/dashboard?period=2026-Q5', users.countyAdmin331003), 400);
  });
});

describe('scopes', () => {
  it('community staff see only their community’s subtree', async () => {
    await h.http.post('/periods/2026-Q1/compute', users.countyAdmin331003, {});
    const all = await h.http.get('/ratings?period=2026-Q1', users.countyAdmin331003);
    expect(all.body.total).toBe(7);
    const mine = await h.http.get('/ratings?period=2026-Q1', users.staff331003);
    expect(mine.body.total).toBe(3);
    expect(subjects(mine.body)).toEqual(['cm-1', 'm-331003-1', 'm-331003-2']);
    const members = await h.http.get('/ratings?period=2026-Q1&level=member&limit=1', users.staff331003);
    expect(members.body).toMatchObject({ total: 2, nextCursor: expect.any(String) });
    expect((await h.http.get(`/ratings/2026-Q1/${LI}`, users.staff331003)).status).toBe(200);
    for (const outside of ['m-331003-3', 'cm-2', 'st-1', COUNTY])
      expectProblem(await h.http.get(`/ratings/2026-Q1/${outside}`, users.staff331003), 404);
  });

  it('the live index: a member sees their own, nobody else’s; officials by scope; api-consumers refused', async () => {
    const own = await h.http.get(`/live/${LI}`, users.member331003);
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({
      period: '2026',
      subjectId: LI,
      score: 66,
      colour: 'yellow',
      status: 'provisional',
      ruleVersion: 'city-1',
    });
    expectProblem(await h.http.get('/live/m-331003-2', users.member331003), 404);
    expectProblem(await h.http.get('/live/cm-1', users.member331003), 404);
    expectProblem(await h.http.get(`/live/${LI}`, users.apiConsumer), 403);
    expectProblem(await h.http.get('/live/cm-1', users.apiConsumer), 403);
    expectProblem(await h.http.get(`/live/${LI}`, users.countyAdmin331002), 404);
    expectProblem(await h.http.get('/live/m-331003-3', users.staff331003), 404);
    expectProblem(await h.http.get('/live/no-such-member', users.cityAdmin), 404);
    expect((await h.http.get('/live/cm-1', users.staff331003)).body).toMatchObject({ level: 'community' });
    expect((await h.http.get('/live/st-1', users.countyAdmin331003)).body).toMatchObject({ level: 'street' });
    // Nothing stored by a live read.
    expect((await h.http.get('/ratings', users.cityAdmin)).body.total).toBe(0);
  });
});
