import { expectValidEvents } from '@honglian/testkit';
import { COUNTY, ev, liFixture, registryFixture, startAssessment, users } from './support.js';
import { PointsAwarded } from '@honglian/contracts';

type H = Awaited<ReturnType<typeof startAssessment>>;
let h: H;
let fixture: ReturnType<typeof liFixture>;

beforeEach(async () => {
  h = await startAssessment('2026-04-02T09:00:00+08:00');
  fixture = [...registryFixture(), ...liFixture()];
  await h.publishAll(fixture);
});
afterEach(() => h.close());

const snapshot = () => h.service.services.ctx.data.projections.snapshot();

describe('projections', () => {
  it('duplicate and out-of-order events change nothing; a rebuild equals the incremental state', async () => {
    const before = await snapshot();
    // The same deliveries again, in reverse order; then copies re-sent under new ids.
    await h.publishAll([...fixture].reverse());
    await h.publishAll([...registryFixture(), ...liFixture()].reverse());
    expect(await snapshot()).toEqual(before);
    const res = await h.http.post('/projections/rebuild', users.cityAdmin);
    expect(res.status).toBe(200);
    expect(res.body.events).toBeGreaterThan(0);
    expect(await snapshot()).toEqual(before);
  });
});

describe('period ratings', () => {
  it('Li’s pioneer index names her attendance and her cleared 报而不到 flag', async () => {
    const res = await h.http.post('/periods/2026-Q1/compute', users.countyAdmin331003, {});
    expect(res.status).toBe(200);
    const li = await h.http.get('/ratings/2026-Q1/m-331003-1', users.countyAdmin331003);
    expect(li.status).toBe(200);
    const codes = Object.fromEntries(li.body.contributions.map((c: { code: string }) => [c.code, c]));
    expect(codes.hours).toMatchObject({ units: 6.5, points: 6.5 });
    expect(codes.hours.events).toHaveLength(3);
    expect(codes['noshow-cleared']).toMatchObject({ units: 1, points: -2 });
    expect(codes['noshow-cleared'].events).toHaveLength(2);
    expect(li.body).toMatchObject({
      ruleVersion: 'city-1',
      base: 60,
      score: 66,
      colour: 'yellow',
      status: 'provisional',
    });
    const community = await h.http.get('/ratings/2026-Q1/cm-1', users.countyAdmin331003);
    expect(community.body.contributions.map((c: { code: string }) => c.code)).toContain('member-hours');
  });

  it('scopes: another county and api-consumers (before publication) see nothing', async () => {
    await h.http.post('/periods/2026-Q1/compute', users.countyAdmin331003, {});
    expect((await h.http.get('/ratings/2026-Q1/m-331003-1', users.countyAdmin331002)).status).toBe(404);
    expect((await h.http.get('/ratings/2026-Q1/cm-1', users.apiConsumer)).status).toBe(404);
    expect((await h.http.get('/ratings/2026-Q1/m-331003-1', users.member331003)).status).toBe(200);
    expect((await h.http.get('/ratings/2026-Q1/m-331003-2', users.member331003)).status).toBe(404);
    expect(
      (await h.http.post('/periods/2026-Q1/compute', users.countyAdmin331002, { county: COUNTY })).status,
    ).toBe(404);
    const page = await h.http.get('/ratings?period=2026-Q1', users.countyAdmin331002);
    expect(page.body.total).toBe(0);
  });

  it('publication opens consequences and freezes the period against a new rule version', async () => {
    await h.http.post('/periods/2026-Q1/compute', users.countyAdmin331003, {});
    const pub = await h.http.post('/periods/2026-Q1/publish', users.countyAdmin331003, { county: COUNTY });
    expect(pub.status).toBe(200);
    const cq = await h.http.get('/consequences', users.countyAdmin331003);
    const li = cq.body.find((c: { subjectId: string }) => c.subjectId === 'm-331003-1');
    expect(li).toMatchObject({ kind: 'remediation', deadline: '2026-07-02', status: 'open' });
    const events = await h.events();
    expectValidEvents(events);
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        'honglian.assessment.rating.assigned.v1',
        'honglian.assessment.consequence.opened.v1',
      ]),
    );
    // api-consumer: published community and street only
    expect((await h.http.get('/ratings/2026-Q1/cm-1', users.apiConsumer)).status).toBe(200);
    expect((await h.http.get('/ratings/2026-Q1/m-331003-1', users.apiConsumer)).status).toBe(404);

    const rule = await h.http.post('/rules', users.countyAdmin331003, {
      county: COUNTY,
      note: 'stricter',
      override: { thresholds: { yellow: 70 } },
    });
    expect(rule.status).toBe(201);
    expect(rule.body.version).toBe('city-1+331003-1');
    const preview = await h.http.post('/periods/2026-Q1/preview', users.countyAdmin331003, {
      county: COUNTY,
      override: { thresholds: { yellow: 70 } },
    });
    expect(preview.status).toBe(200);
    const line = preview.body.lines.find((l: { subjectId: string }) => l.subjectId === 'm-331003-1');
    expect(line).toMatchObject({ from: { colour: 'yellow' }, to: { colour: 'grey' }, colourChanged: true });
    expect((await h.http.post('/periods/2026-Q1/compute', users.countyAdmin331003, {})).status).toBe(410);
    await h.http.post('/rules/apply', users.countyAdmin331003, {});
    const after = await h.http.get('/ratings/2026-Q1/m-331003-1', users.countyAdmin331003);
    expect(after.body).toMatchObject({ ruleVersion: 'city-1', colour: 'yellow', status: 'published' });

    const closed = await h.http.post(
      `/consequences/${encodeURIComponent(li.id)}/close`,
      users.countyAdmin331003,
      { outcome: 'completed' },
    );
    expect(closed.body).toMatchObject({ status: 'closed', outcome: 'completed' });
  });

  it('an open period takes the new rules on apply; long runs go as jobs', async () => {
    await h.publishAll([
      ev(PointsAwarded, {
        entryId: 'e1',
        county: COUNTY,
        memberId: 'm-331003-2',
        kind: 'award',
        points: 10,
        hours: 10,
        communityId: 'cm-1',
        cause: { type: 'record', id: 'r1' },
        ruleVersion: 'city-1',
        balance: 10,
        at: '2026-04-01T09:00:00+08:00',
      }),
    ]);
    const job = await h.http
      .request('post', '/periods/2026-Q2/compute')
      .set(await h.auth(users.cityAdmin))
      .set('prefer', 'respond-async')
      .send({});
    expect(job.status).toBe(202);
    await h.service.services.jobs.idle();
    const polled = await h.http.get(`/jobs/${job.body.id}`, users.cityAdmin);
    expect(polled.body.status).toBe('done');
    await h.http.post('/rules', users.countyAdmin331003, {
      county: COUNTY,
      note: 'n',
      override: { indices: { member: { base: 58 } } },
    });
    await h.http.post('/rules/apply', users.countyAdmin331003, {});
    const wang = await h.http.get('/ratings/2026-Q2/m-331003-2', users.countyAdmin331003);
    expect(wang.body).toMatchObject({ ruleVersion: 'city-1+331003-1', base: 58, score: 59 });
  });

  it('refuses bad input with problem+json and changes nothing', async () => {
    const bad = await h.http.post('/periods/2026-Q9/compute', users.countyAdmin331003, {});
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toMatch(/problem\+json/);
    const early = await h.http.post('/periods/2026-Q2/publish', users.countyAdmin331003, { county: COUNTY });
    expect(early.status).toBe(409);
    expect(early.body.reason).toEqual({ zh: expect.any(String), en: expect.any(String) });
    const unknown = await h.http.post('/rules', users.countyAdmin331003, {
      county: COUNTY,
      note: 'x',
      override: { bogus: 1 },
    });
    expect(unknown.status).toBe(400);
    expect((await h.http.get('/ratings', users.cityAdmin)).body.total).toBe(0);
  });
});
