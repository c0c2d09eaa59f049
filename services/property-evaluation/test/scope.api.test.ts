import { DAY, SCENARIO_5, collectingCycle, rate, startEvaluation, users, type Harness } from './support.js';

const STRONG: [keyof typeof users, object][] = [
  ['staff', { raterRole: 'community', scores: { env: 28, facilities: 28, safety: 38 } }],
  ['admin', { raterRole: 'branch', scores: { 'party-building': 45, cooperation: 45 } }],
  ['admin', { raterRole: 'committee', scores: { contract: 45, transparency: 45 } }],
  ['staff', { raterRole: 'residents', survey: { respondents: 60, satisfied: 55 } }],
  [
    'staff',
    {
      raterRole: 'street',
      scores: { 'street-safety': 45, 'street-order': 45 },
      vetoes: ['major-safety-accident'],
    },
  ],
];

/** Scopes, self-dealing, bad input, scenario 6 and what an api-consumer reads. */
describe('who sees and rates what', () => {
  let h: Harness;
  let cycleId: string;
  beforeAll(async () => {
    h = await startEvaluation();
    cycleId = await collectingCycle(h);
    await rate(h, cycleId, 'firm-p', 'cp-1', SCENARIO_5);
  });
  afterAll(() => h.close());

  const count = async () =>
    (await h.http.get(`/cycles/${cycleId}/submissions`, users.admin)).body.total as number;

  it('another county’s admin: the cycle, its results and its ratings are not found', async () => {
    expect((await h.http.get(`/cycles/${cycleId}`, users.otherAdmin)).status).toBe(404);
    expect((await h.http.post(`/cycles/${cycleId}/compute`, users.otherAdmin)).status).toBe(404);
    const missing = await h.http.get('/cycles/cyc-nosuchcycle', users.otherAdmin);
    const other = await h.http.get(`/cycles/${cycleId}`, users.otherAdmin);
    expect(other.body).toEqual({ ...missing.body, instance: other.body.instance });
    expect((await h.http.get(`/cycles/${cycleId}/submissions`, users.otherAdmin)).status).toBe(404);
  });

  it('a firm submits only for itself; another firm is not found', async () => {
    const n = await count();
    const res = await h.http.post(`/cycles/${cycleId}/submissions`, users.firmR, {
      firmId: 'firm-p',
      compoundId: 'cp-1',
      raterRole: 'self',
      scores: { 'self-overall': 10 },
    });
    expect(res.status).toBe(404);
    expect(res.body.field).toBe('firmId');
    expect(await count()).toBe(n);
  });

  it('a rater cannot rate a firm it belongs to (403), and nothing is recorded', async () => {
    const n = await count();
    const res = await h.http.post(`/cycles/${cycleId}/submissions`, users.staffOfP, {
      firmId: 'firm-p',
      compoundId: 'cp-1',
      raterRole: 'community',
      scores: { env: 30, facilities: 30, safety: 40 },
    });
    expect(res.status).toBe(403);
    expect(res.body.reason).toEqual({
      zh: '不能评价本人所属企业',
      en: 'a rater cannot rate a firm it belongs to',
    });
    expect(await count()).toBe(n);
  });

  it.each([
    ['an unknown field', { extra: 1 }, 400],
    ['points above the maximum', { scores: { env: 31, facilities: 25, safety: 32 } }, 422],
    ['a missing indicator', { scores: { env: 25, facilities: 25 } }, 422],
    [
      'a veto the role may not raise',
      { raterRole: 'committee', scores: { contract: 1, transparency: 1 }, vetoes: ['serious-violation'] },
      422,
    ],
    ['an evidence link that is not http(s)', { evidence: ['javascript:alert(1)'] }, 400],
    ['control characters in the comment', { comment: 'a\u202eb' }, 400],
    ['a compound the firm does not serve', { compoundId: 'cp-2' }, 422],
  ])('refuses %s (4xx problem+json) and records nothing', async (_what, change, status) => {
    const n = await count();
    const before = (await h.http.get(`/cycles/${cycleId}/submissions?raterRole=community`, users.admin)).body;
    const res = await h.http.post(`/cycles/${cycleId}/submissions`, users.admin, {
      firmId: 'firm-p',
      compoundId: 'cp-1',
      raterRole: 'community',
      scores: { env: 25, facilities: 25, safety: 32 },
      ...change,
    });
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(await count()).toBe(n);
    expect(
      (await h.http.get(`/cycles/${cycleId}/submissions?raterRole=community`, users.admin)).body,
    ).toEqual(before);
  });

  it('refuses a template whose weights do not total 100 and a duplicate cycle', async () => {
    const tpl = (await h.http.get('/templates', users.admin)).body.items[0];
    const { id, county, version, createdAt, createdBy, usedAt, ...rules } = tpl;
    void [id, county, version, createdAt, createdBy, usedAt];
    const bad = await h.http.post('/templates', users.admin, {
      ...rules,
      roleWeights: { ...rules.roleWeights, street: 30 },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.field).toBe('roleWeights');
    expect((await h.http.post('/cycles', users.admin, { period: '2026-H1' })).status).toBe(409);
    expect((await h.http.post('/cycles', users.admin, { period: '2026-H3' })).status).toBe(400);
    const ok = await h.http.post('/templates', users.admin, {
      ...rules,
      code: 'hy-2026',
      minResidentSample: 50,
    });
    expect(ok.body).toMatchObject({ county: '331003', version: 1, usedAt: null });
    // The default is in use by the cycle: immutable, shown with the time it was first used.
    expect(tpl.usedAt).not.toBeNull();
  });

  it('scenario 6: a major safety accident → C and blacklisted whatever the points', async () => {
    await rate(h, cycleId, 'firm-r', 'cp-2', STRONG);
    await h.http.post(`/cycles/${cycleId}/compute`, users.admin);
    const r = await h.http.get(`/results/${cycleId}_firm-r`, users.admin);
    expect(r.body.compounds[0].score).toBeGreaterThan(85);
    expect(r.body).toMatchObject({
      band: 'C',
      vetoes: ['major-safety-accident'],
      tender: { barred: true, bonus: 0 },
    });
  });

  it('firms see only their own results; raters of the county see them all', async () => {
    const p = await h.http.get(`/cycles/${cycleId}/results`, users.firmP);
    expect(p.body.items.map((x: { firmId: string }) => x.firmId)).toEqual(['firm-p']);
    expect((await h.http.get(`/results/${cycleId}_firm-r`, users.firmP)).status).toBe(404);
    const staff = await h.http.get(`/cycles/${cycleId}/results`, users.staff);
    expect(staff.body.total).toBe(2);
  });

  it('an api-consumer reads nothing before publication, then published results, red and black lists', async () => {
    expect((await h.http.get(`/cycles/${cycleId}`, users.consumer)).status).toBe(404);
    expect((await h.http.get(`/results/${cycleId}_firm-p`, users.consumer)).status).toBe(403);
    expect((await h.http.get('/published', users.consumer)).body.total).toBe(0);
    await h.http.post(`/cycles/${cycleId}/notice`, users.admin);
    h.clock.advance(7 * DAY);
    expect((await h.http.post(`/cycles/${cycleId}/publish`, users.admin)).status).toBe(200);
    expect((await h.http.get(`/cycles/${cycleId}`, users.consumer)).status).toBe(200);
    const byCode = await h.http.get('/published/firms/91331003MA0000001X', users.consumer);
    expect(byCode.body.items).toHaveLength(1);
    expect(byCode.body.items[0].body).toMatchObject({ band: 'A', firm: { id: 'firm-p' } });
    const black = await h.http.get('/published/black-list', users.consumer);
    expect(black.body.items.map((x: { body: { firm: { id: string } } }) => x.body.firm.id)).toEqual([
      'firm-r',
    ]);
    expect(black.body.items[0].body.blacklist).toMatchObject({
      vetoes: ['major-safety-accident'],
      from: '2026-07-09',
      until: '2027-07-09',
    });
    expect((await h.http.get('/published/red-list', users.consumer)).body.total).toBe(0);
    // Cursor pagination and ETags on lists.
    const first = await h.http.get('/published?limit=1', users.consumer);
    expect(first.body).toMatchObject({ total: 2, items: [expect.anything()] });
    const second = await h.http.get(`/published?limit=1&cursor=${first.body.nextCursor}`, users.consumer);
    expect(second.body.items[0].resultId).not.toBe(first.body.items[0].resultId);
    expect(second.body.nextCursor).toBeNull();
    const again = await h.http
      .request('get', '/published?limit=1')
      .set(await h.auth(users.consumer))
      .set('if-none-match', first.headers.etag as string);
    expect(again.status).toBe(304);
  });

  it('emits firm.blacklisted on publication', async () => {
    const events = await h.events();
    const black = events.filter((e) => e.type === 'honglian.property-evaluation.firm.blacklisted.v1');
    expect(black).toHaveLength(1);
    expect(black[0]!.data).toMatchObject({ firmId: 'firm-r', vetoes: ['major-safety-accident'] });
  });
});
