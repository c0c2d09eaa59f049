import { AttendanceRecorded, MemberTransferred, OrgCreated } from '@honglian/contracts';
import { expectValidEvents } from '@honglian/testkit';
import { COUNTY, ev, liFixture, registryFixture, startAssessment, users } from './support.js';

type H = Awaited<ReturnType<typeof startAssessment>>;
let h: H;

beforeEach(async () => {
  h = await startAssessment('2026-04-02T09:00:00+08:00');
  await h.publishAll([...registryFixture(), ...liFixture()]);
});
afterEach(() => h.close());

const LI = 'm-331003-1';
type Cq = { subjectId: string; kind: string; period: string; deadline: string | null };
const consequenceOf = async (period: string) =>
  ((await h.http.get('/consequences?limit=200', users.countyAdmin331003)).body as Cq[]).find(
    (c) => c.subjectId === LI && c.period === period,
  );
const publish = (period: string) =>
  h.http.post(`/periods/${period}/publish`, users.countyAdmin331003, { county: COUNTY });
const compute = (period: string) => h.http.post(`/periods/${period}/compute`, users.countyAdmin331003, {});

describe('publication', () => {
  it('a quarter’s yellow is compared with earlier quarters, never with the months inside it', async () => {
    // January: 6.5 h in three check-ins → 68, yellow (remediation).
    await compute('2026-01');
    expect((await publish('2026-01')).status).toBe(200);
    expect(await consequenceOf('2026-01')).toMatchObject({ kind: 'remediation' });
    // The first quarter: 66, yellow — her first quarterly yellow, not a second yellow.
    await compute('2026-Q1');
    expect((await publish('2026-Q1')).status).toBe(200);
    expect(await consequenceOf('2026-Q1')).toMatchObject({ kind: 'remediation', deadline: '2026-07-02' });
    // No change is announced against a period of another kind.
    const events = await h.events();
    expectValidEvents(events);
    expect(events.filter((e) => e.type === 'honglian.assessment.rating.changed.v1')).toEqual([]);
  });

  it('a later period published first is not “the previous one” of an earlier period', async () => {
    h.clock.set('2026-07-02T09:00:00+08:00');
    await compute('2026-Q2');
    await publish('2026-Q2');
    await compute('2026-Q1');
    await publish('2026-Q1');
    // Q1 is Li's first quarter: remediation, not an escalation after Q2's yellow.
    expect(await consequenceOf('2026-Q1')).toMatchObject({ kind: 'remediation' });
  });

  it('consequences follow the rule version the ratings were computed with', async () => {
    await compute('2026-Q1');
    // A new county version (remediation in 6 months), not applied to the period.
    const rule = await h.http.post('/rules', users.countyAdmin331003, {
      county: COUNTY,
      note: '整改期限六个月',
      override: { remediationMonths: 6 },
    });
    expect(rule.status).toBe(201);
    await publish('2026-Q1');
    const li = await h.http.get(`/ratings/2026-Q1/${LI}`, users.countyAdmin331003);
    expect(li.body).toMatchObject({ ruleVersion: 'city-1', status: 'published' });
    // city-1: three months from publication.
    expect(await consequenceOf('2026-Q1')).toMatchObject({ kind: 'remediation', deadline: '2026-07-02' });
  });

  it('ratings computed before the period ended are computed once more, with their version, when published', async () => {
    h.clock.set('2026-03-20T09:00:00+08:00');
    await compute('2026-Q1');
    // Her last hour of March, after that run; and a county version not applied to the period.
    await h.publishAll([
      ev(AttendanceRecorded, {
        attendanceId: 'a-late',
        county: COUNTY,
        memberId: LI,
        activityId: 'act-late',
        activityKind: 'activity',
        communityId: 'cm-1',
        reportIds: ['rep-x'],
        checkInAt: '2026-03-28T01:00:00.000Z',
        checkOutAt: '2026-03-28T02:00:00.000Z',
        hours: 1,
        creditedMinutes: 60,
        method: 'qr',
        witness: null,
        flags: [],
      }),
    ]);
    await h.http.post('/rules', users.countyAdmin331003, {
      county: COUNTY,
      note: '基础分58',
      override: { indices: { member: { base: 58 } } },
    });
    h.clock.set('2026-04-02T09:00:00+08:00');
    expect((await publish('2026-Q1')).status).toBe(200);
    const li = await h.http.get(`/ratings/2026-Q1/${LI}`, users.countyAdmin331003);
    expect(li.body).toMatchObject({
      status: 'published',
      ruleVersion: 'city-1',
      base: 60,
      computedAt: '2026-04-02T01:00:00.000Z',
    });
    const hours = li.body.contributions.find((c: { code: string }) => c.code === 'hours');
    expect(hours).toMatchObject({ units: 7.5 });
    const events = await h.events();
    const assigned = events.find(
      (e) =>
        e.type === 'honglian.assessment.rating.assigned.v1' &&
        (e.data as { subjectId: string }).subjectId === LI,
    );
    expect(assigned?.data).toMatchObject({ score: li.body.score, ruleVersion: 'city-1' });
  });

  it('consequences page by cursor and filter by period', async () => {
    await compute('2026-Q1');
    await publish('2026-Q1');
    const all = await h.http.get('/consequences?period=2026-Q1&limit=200', users.countyAdmin331003);
    // Li, Wang, cm-1, st-1 (the county roll-up opens none).
    expect(all.body).toHaveLength(4);
    const seen: string[] = [];
    let cursor = '';
    for (;;) {
      const page = await h.http.get(
        `/consequences?period=2026-Q1&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        users.countyAdmin331003,
      );
      expect(page.status).toBe(200);
      if (page.body.length === 0) break;
      seen.push(...page.body.map((c: { id: string }) => c.id));
      cursor = page.body.at(-1).id;
    }
    expect(seen).toEqual(all.body.map((c: { id: string }) => c.id));
    expect((await h.http.get('/consequences?period=2026-Q2', users.countyAdmin331003)).body).toEqual([]);
    expect((await h.http.get('/consequences?period=2026-Q9', users.countyAdmin331003)).status).toBe(400);
  });

  it('an api-consumer reads a published community without its members’ ratings', async () => {
    await compute('2026-Q1');
    await publish('2026-Q1');
    const memberRatings = [`2026-Q1:${LI}`, '2026-Q1:m-331003-2'];
    const official = await h.http.get('/ratings/2026-Q1/cm-1', users.countyAdmin331003);
    const pioneers = official.body.contributions.find((c: { code: string }) => c.code === 'pioneers');
    expect(pioneers.events).toEqual(memberRatings);

    const consumer = await h.http.get('/ratings/2026-Q1/cm-1', users.apiConsumer);
    expect(consumer.status).toBe(200);
    expect(consumer.body).toMatchObject({ score: official.body.score, colour: official.body.colour });
    const text = JSON.stringify(consumer.body);
    for (const id of memberRatings) expect(text).not.toContain(id);
    expect(consumer.body.contributions.find((c: { code: string }) => c.code === 'pioneers')).toMatchObject({
      points: pioneers.points,
      events: [],
    });
    const page = await h.http.get('/ratings?period=2026-Q1&level=community', users.apiConsumer);
    expect(page.body.total).toBe(1);
    for (const id of memberRatings) expect(JSON.stringify(page.body)).not.toContain(id);
    // The street's lines name community ratings, which the consumer may read.
    const street = await h.http.get('/ratings/2026-Q1/st-1', users.apiConsumer);
    expect(street.body.sources).toContain('2026-Q1:cm-1');
  });

  it('the city computes every open county; a county whose period is closed is skipped, unchanged', async () => {
    await h.publishAll([
      ev(OrgCreated, {
        orgId: '331002',
        county: '331002',
        kind: 'county',
        name: '椒江区',
        parentId: null,
        path: '/331000/331002',
        effectiveFrom: '2025-01-01',
      }),
    ]);
    await compute('2026-Q1');
    await publish('2026-Q1');
    const before = await h.http.get(`/ratings/2026-Q1/${LI}`, users.countyAdmin331003);

    const res = await h.http.post('/periods/2026-Q1/compute', users.cityAdmin, {});
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      period: '2026-Q1',
      counties: [{ county: '331002' }],
      skipped: [COUNTY],
    });
    expect((await h.http.get('/ratings?period=2026-Q1&county=331002', users.cityAdmin)).body.total).toBe(1);
    expect((await h.http.get(`/ratings/2026-Q1/${LI}`, users.countyAdmin331003)).body).toEqual(before.body);
    // The closed county named, or every county closed: 410.
    expect((await h.http.post('/periods/2026-Q1/compute', users.cityAdmin, { county: COUNTY })).status).toBe(
      410,
    );
    expect((await compute('2026-Q1')).status).toBe(410);
  });
});

describe('a member transferred to another county', () => {
  const toJiaojiang = () =>
    h.publishAll([
      ev(OrgCreated, {
        orgId: '331002',
        county: '331002',
        kind: 'county',
        name: '椒江区',
        parentId: null,
        path: '/331000/331002',
        effectiveFrom: '2025-01-01',
      }),
      ev(OrgCreated, {
        orgId: 'cm-j',
        county: '331002',
        kind: 'community',
        name: 'cm-j',
        parentId: '331002',
        path: '/331000/331002/cm-j',
        effectiveFrom: '2025-01-01',
      }),
      ev(MemberTransferred, {
        memberId: LI,
        county: '331002',
        name: 'Li',
        category: 'in-service',
        status: 'active',
        partyOrgId: 'cm-j',
        workUnitId: null,
        residenceCompoundId: null,
        residenceBuildingId: null,
        residenceCommunityId: 'cm-j',
        effectiveFrom: '2026-05-01',
        fromPartyOrgId: 'cm-1',
      }),
    ]);

  it('is rated by her new county; a period her old county published keeps her there', async () => {
    await compute('2026-Q1');
    await publish('2026-Q1');
    await compute('2026');
    await toJiaojiang();
    h.clock.set('2026-07-02T09:00:00+08:00');

    // The year (open in both): rated in 椒江 now, no longer in 黄岩.
    const year = await h.http.post('/periods/2026/compute', users.countyAdmin331002, {});
    expect(year.status).toBe(200);
    const li = await h.http.get(`/ratings/2026/${LI}`, users.countyAdmin331002);
    expect(li.body).toMatchObject({ county: '331002', parentId: 'cm-j', status: 'provisional' });
    expect((await h.http.get(`/ratings/2026/${LI}`, users.countyAdmin331003)).status).toBe(404);

    // Q1, published in 黄岩 with her: stays so; 椒江's Q1 does not rate her again.
    const q1 = await h.http.post('/periods/2026-Q1/compute', users.countyAdmin331002, {});
    expect(q1.status).toBe(200);
    expect((await h.http.get(`/ratings/2026-Q1/${LI}`, users.countyAdmin331003)).body).toMatchObject({
      county: COUNTY,
      status: 'published',
    });
    expect((await h.http.get(`/ratings/2026-Q1/${LI}`, users.countyAdmin331002)).status).toBe(404);
    expect((await h.http.get('/ratings/2026-Q1/cm-j', users.countyAdmin331002)).status).toBe(200);
    // 黄岩's open year, recomputed, no longer holds her either.
    expect((await compute('2026')).status).toBe(200);
    expect((await h.http.get(`/ratings/2026/${LI}`, users.cityAdmin)).body.county).toBe('331002');
  });
});
