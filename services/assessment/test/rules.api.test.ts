import { COUNTY, expectProblem, liFixture, registryFixture, startAssessment, users } from './support.js';

type H = Awaited<ReturnType<typeof startAssessment>>;
let h: H;

beforeEach(async () => {
  h = await startAssessment('2026-04-02T09:00:00+08:00');
  await h.publishAll([...registryFixture(), ...liFixture()]);
});
afterEach(() => h.close());

const LI = 'm-331003-1';
const doubleHours = { indices: { member: { items: { hours: { points: 2 } } } } };

describe('city rule versions', () => {
  it('only the city admin adds one; bad overrides are refused with problem+json and change nothing', async () => {
    const body = { note: '时长加倍', override: doubleHours };
    expectProblem(await h.http.post('/rules/city', users.countyAdmin331003, body), 403);
    expectProblem(await h.http.post('/rules/city', users.staff331003, body), 403);
    expectProblem(await h.http.post('/rules/city', users.member331003, body), 403);
    expectProblem(await h.http.post('/rules/city', users.cityAdmin, { ...body, note: '' }), 400);
    expectProblem(await h.http.post('/rules/city', users.cityAdmin, { override: doubleHours }), 400);
    expectProblem(
      await h.http.post('/rules/city', users.cityAdmin, { ...body, override: { bogus: 1 } }),
      400,
    );
    expectProblem(
      await h.http.post('/rules/city', users.cityAdmin, {
        ...body,
        override: { thresholds: { red: 60, yellow: 70 } },
      }),
      400,
    );
    const unknownItem = await h.http.post('/rules/city', users.cityAdmin, {
      ...body,
      override: { indices: { member: { items: { nope: { points: 1 } } } } },
    });
    expectProblem(unknownItem, 422);
    expect(unknownItem.body).toMatchObject({ unknown: ['nope'], reason: { zh: expect.any(String) } });
    // Red alone at the city's yellow (60): red must stay above yellow.
    expectProblem(
      await h.http.post('/rules/city', users.cityAdmin, { ...body, override: { thresholds: { red: 60 } } }),
      422,
    );
    // A county override that a city version would leave with red not above yellow refuses it.
    await h.http.post('/rules', users.countyAdmin331003, {
      county: COUNTY,
      note: '红线78',
      override: { thresholds: { red: 78 } },
    });
    const clash = await h.http.post('/rules/city', users.cityAdmin, {
      ...body,
      override: { thresholds: { yellow: 80, red: 90 } },
    });
    expectProblem(clash, 422);
    expect(clash.body.counties).toEqual([COUNTY]);

    const rules = await h.http.get('/rules', users.cityAdmin);
    expect(rules.body).toMatchObject({ county: null, version: 'city-1' });
    expect(rules.body.history.city).toHaveLength(1);
  });

  it('a new city version: county overrides keep applying, closed periods keep theirs, open ones take it on apply', async () => {
    // Q1 closed with city-1; the year stays open.
    await h.http.post('/periods/2026-Q1/compute', users.countyAdmin331003, {});
    await h.http.post('/periods/2026-Q1/publish', users.countyAdmin331003, { county: COUNTY });
    await h.http.post('/rules', users.countyAdmin331003, {
      county: COUNTY,
      note: '基础分58',
      override: { indices: { member: { base: 58 } } },
    });
    await h.http.post('/periods/2026/compute', users.countyAdmin331003, {});
    const before = await h.http.get(`/ratings/2026/${LI}`, users.countyAdmin331003);
    // 58 + 6.5 h + 1.5 (attendances) − 2 (cleared flag)
    expect(before.body).toMatchObject({ ruleVersion: 'city-1+331003-1', score: 64 });

    const v2 = await h.http.post('/rules/city', users.cityAdmin, { note: '时长加倍', override: doubleHours });
    expect(v2.status).toBe(201);
    expect(v2.body).toMatchObject({ version: 'city-2', note: '时长加倍', createdBy: 'city-admin' });
    const hours = v2.body.rules.indices.member.items.find((i: { code: string }) => i.code === 'hours');
    expect(hours).toMatchObject({ points: 2, cap: 10 });

    const rules = await h.http.get('/rules', users.countyAdmin331003);
    expect(rules.status).toBe(200);
    expect(rules.body).toMatchObject({ county: COUNTY, version: 'city-2+331003-1' });
    expect(rules.body.rules.indices.member.base).toBe(58);
    expect(
      rules.body.history.city.map((e: { version: string; current: boolean }) => [e.version, e.current]),
    ).toEqual([
      ['city-1', false],
      ['city-2', true],
    ]);
    expect(rules.body.history.county).toMatchObject([
      {
        version: '331003-1',
        number: 1,
        note: '基础分58',
        current: true,
        override: { indices: { member: { base: 58 } } },
      },
    ]);
    expect((await h.http.get('/rules', users.staff331003)).body.version).toBe('city-2+331003-1');
    expect((await h.http.get('/rules?county=331002', users.cityAdmin)).body.version).toBe('city-2');
    expectProblem(await h.http.get('/rules?county=331002', users.countyAdmin331003), 404);
    expectProblem(await h.http.get('/rules?county=331002', users.staff331003), 404);
    expectProblem(await h.http.get('/rules', users.member331003), 403);
    expectProblem(await h.http.get('/rules?county=abc', users.cityAdmin), 400);

    // Nothing changes until applied; then the open year takes city-2 under the county override.
    expect((await h.http.get(`/ratings/2026/${LI}`, users.countyAdmin331003)).body.score).toBe(64);
    const applied = await h.http.post('/rules/apply', users.cityAdmin, {});
    expect(applied.status).toBe(200);
    expect(applied.body.counties.map((c: { period: string }) => c.period)).toEqual(['2026']);
    const after = await h.http.get(`/ratings/2026/${LI}`, users.countyAdmin331003);
    // 58 + min(13, 10) h + 1.5 − 2
    expect(after.body).toMatchObject({ ruleVersion: 'city-2+331003-1', base: 58, score: 67.5 });
    const closed = await h.http.get(`/ratings/2026-Q1/${LI}`, users.countyAdmin331003);
    expect(closed.body).toMatchObject({ ruleVersion: 'city-1', base: 60, score: 66, status: 'published' });

    // The next city version builds on city-2, not on the default.
    const v3 = await h.http.post('/rules/city', users.cityAdmin, {
      note: '黄线62',
      override: { thresholds: { yellow: 62 } },
    });
    expect(v3.body.version).toBe('city-3');
    const v3hours = v3.body.rules.indices.member.items.find((i: { code: string }) => i.code === 'hours');
    expect(v3hours.points).toBe(2);
    expect(v3.body.rules.thresholds).toEqual({ red: 75, yellow: 62 });
  });
});
