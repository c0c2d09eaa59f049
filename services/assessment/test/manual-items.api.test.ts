import { MemberChanged } from '@honglian/contracts';
import { expectValidEvents } from '@honglian/testkit';
import {
  COUNTY,
  ev,
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
const award = (extra: object = {}) => ({
  itemId: 'award-1',
  memberId: LI,
  code: 'manual-bonus',
  points: 6,
  on: '2026-03-10',
  reason: '防汛抢险表彰 / flood relief commendation',
  ...extra,
});
const manualFacts = async () =>
  ((await h.service.services.ctx.data.projections.snapshot()).facts as { kind: string }[]).filter(
    (f) => f.kind === 'manual',
  );
const contribution = (rating: { contributions: { code: string }[] }, code: string) =>
  rating.contributions.find((c) => c.code === code);

describe('manual organisational items', () => {
  it('scenario 7: base 58 + 14 bonus − 6 deductions = 66 → yellow, a remediation plan due in 3 months', async () => {
    await h.http.post('/rules', users.countyAdmin331003, {
      county: COUNTY,
      note: '基础分58',
      override: { indices: { member: { base: 58 } } },
    });
    const a = await h.http.post('/manual-items', users.staff331003, award());
    expect(a.status).toBe(201);
    expect(a.headers.location).toMatch(/\/manual-items\/award-1$/);
    expect(a.body).toMatchObject({
      id: 'award-1',
      county: COUNTY,
      memberId: LI,
      memberName: 'Li',
      communityId: 'cm-1',
      code: 'manual-bonus',
      codeLabel: { zh: expect.any(String), en: expect.any(String) },
      points: 6,
      on: '2026-03-10',
      status: 'active',
      recordedBy: 'staff-331003',
      recordedAt: '2026-04-02T01:00:00.000Z',
      withdrawnAt: null,
    });
    const d = await h.http.post('/manual-items', users.countyAdmin331003, {
      itemId: 'deduction-1',
      memberId: LI,
      code: 'manual-deduction',
      points: 4,
      on: '2026-02-20',
      reason: '无故缺席组织生活会',
    });
    expect(d.status).toBe(201);

    expect((await h.http.post('/periods/2026-Q1/compute', users.countyAdmin331003, {})).status).toBe(200);
    const li = await h.http.get(`/ratings/2026-Q1/${LI}`, users.countyAdmin331003);
    expect(li.body).toMatchObject({
      ruleVersion: 'city-1+331003-1',
      base: 58,
      bonus: 14,
      deduction: 6,
      score: 66,
      colour: 'yellow',
    });
    expect(contribution(li.body, 'manual-bonus')).toMatchObject({ points: 6, events: ['award-1'] });
    expect(contribution(li.body, 'manual-deduction')).toMatchObject({ points: -4, events: ['deduction-1'] });
    expect(li.body.sources).toEqual(expect.arrayContaining(['award-1', 'deduction-1']));

    await h.http.post('/periods/2026-Q1/publish', users.countyAdmin331003, { county: COUNTY });
    const cq = await h.http.get('/consequences', users.countyAdmin331003);
    expect(cq.body.find((c: { subjectId: string }) => c.subjectId === LI)).toMatchObject({
      kind: 'remediation',
      deadline: '2026-07-02',
    });
    const events = await h.events();
    expectValidEvents(events);
    const recorded = events.filter((e) => e.type === 'honglian.assessment.manual-item.recorded.v1');
    expect(recorded.map((e) => e.data)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ itemId: 'award-1', memberId: LI, code: 'manual-bonus', points: 6 }),
      ]),
    );
    expect(JSON.stringify(recorded)).not.toContain('防汛');
  });

  it('a retry with the same itemId and body answers the same item; another body under it is a 409', async () => {
    const first = await h.http.post('/manual-items', users.staff331003, award());
    const again = await h.http.post('/manual-items', users.countyAdmin331003, award());
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const clash = await h.http.post('/manual-items', users.staff331003, award({ points: 7 }));
    expectProblem(clash, 409);
    expect(clash.body).toMatchObject({ field: 'itemId', reason: { zh: expect.any(String) } });
    expect((await h.http.get(`/manual-items?memberId=${LI}`, users.cityAdmin)).body.total).toBe(1);
    expect(await manualFacts()).toHaveLength(1);
    const events = await h.events();
    expect(events.filter((e) => e.type.includes('manual-item'))).toHaveLength(1);

    // Without an itemId the service names it; every call is then a new item.
    const { itemId: _, ...unnamed } = award();
    const generated = await h.http.post('/manual-items', users.staff331003, unnamed);
    expect(generated.status).toBe(201);
    expect(generated.body.id).toMatch(/^mi-/);
  });

  it('a member outside the caller’s scope, or unknown, is not found; other roles are refused', async () => {
    expectProblem(await h.http.post('/manual-items', users.countyAdmin331002, award()), 404);
    // Zhao lives in cm-2, outside staff331003's community.
    expectProblem(
      await h.http.post('/manual-items', users.staff331003, award({ memberId: 'm-331003-3' })),
      404,
    );
    expectProblem(await h.http.post('/manual-items', users.cityAdmin, award({ memberId: 'm-nobody' })), 404);
    expectProblem(await h.http.post('/manual-items', users.member331003, award()), 403);
    expectProblem(await h.http.post('/manual-items', users.apiConsumer, award()), 403);
    expect(await manualFacts()).toHaveLength(0);

    await h.http.post('/manual-items', users.countyAdmin331003, award({ memberId: 'm-331003-3' }));
    expect((await h.http.get('/manual-items', users.countyAdmin331003)).body.total).toBe(1);
    expect((await h.http.get('/manual-items', users.staff331003)).body.total).toBe(0);
    expect((await h.http.get('/manual-items', users.countyAdmin331002)).body.total).toBe(0);
    expectProblem(await h.http.get('/manual-items/award-1', users.staff331003), 404);
    expectProblem(await h.http.get('/manual-items/award-1', users.countyAdmin331002), 404);
    expectProblem(
      await h.http.post('/manual-items/award-1/withdraw', users.staff331003, { reason: 'x' }),
      404,
    );
    expect((await h.http.get('/manual-items/award-1', users.cityAdmin)).body.status).toBe('active');
  });

  it('a member no longer active takes no new item (409)', async () => {
    await h.publishAll([
      ev(MemberChanged, {
        memberId: 'm-331003-2',
        county: COUNTY,
        name: 'Wang',
        category: 'in-service',
        status: 'inactive',
        partyOrgId: 'cm-1',
        workUnitId: null,
        residenceCompoundId: null,
        residenceBuildingId: null,
        residenceCommunityId: 'cm-1',
        effectiveFrom: '2026-03-01',
        changed: ['status'],
      }),
    ]);
    const res = await h.http.post(
      '/manual-items',
      users.countyAdmin331003,
      award({ memberId: 'm-331003-2' }),
    );
    expectProblem(res, 409);
    expect(res.body.field).toBe('memberId');
    expect(await manualFacts()).toHaveLength(0);
  });

  it('refuses bad input with problem+json and changes nothing', async () => {
    const cases: [object, number][] = [
      [award({ points: undefined }), 400],
      [award({ points: 0 }), 400],
      [award({ points: -3 }), 400],
      [award({ points: 101 }), 400],
      [award({ points: '6' }), 400],
      [award({ code: 'absent-no-dues' }), 400],
      [award({ code: 'bogus' }), 400],
      [award({ on: '2026-02-30' }), 400],
      [award({ on: '2026/03/10' }), 400],
      [award({ on: '2026-04-03' }), 422],
      [award({ on: '1999-12-31' }), 422],
      [award({ reason: '' }), 400],
      [award({ reason: '   ' }), 400],
      [award({ reason: 'x'.repeat(501) }), 400],
      [award({ reason: '=HYPERLINK("x")' }), 400],
      [award({ itemId: 'bad id!' }), 400],
      [award({ extra: true }), 400],
      [award({ memberId: undefined }), 400],
    ];
    for (const [body, status] of cases) {
      const res = await h.http.post('/manual-items', users.countyAdmin331003, body);
      expect({ body, status: res.status }).toEqual({ body, status });
      expectProblem(res, status);
    }
    const future = await h.http.post('/manual-items', users.countyAdmin331003, award({ on: '2026-04-03' }));
    expect(future.body).toMatchObject({
      field: 'on',
      reason: { zh: expect.any(String), en: expect.any(String) },
    });
    // The day in China time: 2026-04-02 (09:00 +08:00) is today, so it is accepted.
    expect(await manualFacts()).toHaveLength(0);
    expect((await h.http.get('/manual-items', users.cityAdmin)).body.total).toBe(0);
    const res = await h.http.get('/manual-items?limit=500', users.cityAdmin);
    expectProblem(res, 400);
  });

  it('a withdrawn item stops counting, stays on record, and cannot be withdrawn twice', async () => {
    await h.http.post('/manual-items', users.countyAdmin331003, {
      itemId: 'deduction-1',
      memberId: LI,
      code: 'manual-deduction',
      points: 5,
      on: '2026-03-01',
      reason: '违反廉洁纪律',
    });
    const before = await h.http.get(`/live/${LI}`, users.member331003);
    expect(before.body).toMatchObject({ score: 61, colour: 'yellow' });
    expect(contribution(before.body, 'manual-deduction')).toMatchObject({ points: -5 });

    expectProblem(await h.http.post('/manual-items/deduction-1/withdraw', users.countyAdmin331003, {}), 400);
    const w = await h.http.post('/manual-items/deduction-1/withdraw', users.staff331003, {
      reason: '经复核撤销',
    });
    expect(w.status).toBe(200);
    expect(w.body).toMatchObject({
      status: 'withdrawn',
      withdrawnBy: 'staff-331003',
      withdrawReason: '经复核撤销',
      withdrawnAt: '2026-04-02T01:00:00.000Z',
    });
    const after = await h.http.get(`/live/${LI}`, users.member331003);
    expect(after.body).toMatchObject({ score: 66, colour: 'yellow' });
    expect(contribution(after.body, 'manual-deduction')).toBeUndefined();

    expectProblem(
      await h.http.post('/manual-items/deduction-1/withdraw', users.countyAdmin331003, { reason: 'again' }),
      409,
    );
    const list = await h.http.get(`/manual-items?memberId=${LI}&status=withdrawn`, users.countyAdmin331003);
    expect(list.body).toMatchObject({ total: 1, items: [{ id: 'deduction-1', status: 'withdrawn' }] });
    // A retry of the original record answers the (withdrawn) item; it does not count again.
    const retry = await h.http.post('/manual-items', users.countyAdmin331003, {
      itemId: 'deduction-1',
      memberId: LI,
      code: 'manual-deduction',
      points: 5,
      on: '2026-03-01',
      reason: '违反廉洁纪律',
    });
    expect(retry.status).toBe(200);
    expect(retry.body.status).toBe('withdrawn');
    expect(await manualFacts()).toHaveLength(0);
    const types = (await h.events()).map((e) => e.type);
    expect(types).toContain('honglian.assessment.manual-item.withdrawn.v1');
  });

  it('the reset item (清零) makes the member grey at once, in the live index and a period; a rebuild keeps it', async () => {
    const reset = await h.http.post('/manual-items', users.countyAdmin331003, {
      itemId: 'reset-1',
      memberId: LI,
      code: 'absent-no-dues',
      on: '2026-03-31',
      reason: '连续六个月未参加组织生活且未交党费',
    });
    expect(reset.status).toBe(201);
    expect(reset.body).toMatchObject({ points: null, code: 'absent-no-dues' });

    const live = await h.http.get(`/live/${LI}`, users.member331003);
    expect(live.body).toMatchObject({ score: 0, colour: 'grey', reset: true, status: 'provisional' });
    expect(contribution(live.body, 'absent-no-dues')).toMatchObject({ effect: 'reset', events: ['reset-1'] });

    await h.http.post('/projections/rebuild', users.cityAdmin);
    await h.http.post('/periods/2026/compute', users.countyAdmin331003, {});
    const year = await h.http.get(`/ratings/2026/${LI}`, users.countyAdmin331003);
    expect(year.body).toMatchObject({ score: 0, colour: 'grey', reset: true });
    // Counted on its day (China time): March, not April.
    await h.http.post('/periods/2026-03/compute', users.countyAdmin331003, {});
    await h.http.post('/periods/2026-04/compute', users.countyAdmin331003, {});
    expect((await h.http.get(`/ratings/2026-03/${LI}`, users.countyAdmin331003)).body.colour).toBe('grey');
    expect((await h.http.get(`/ratings/2026-04/${LI}`, users.countyAdmin331003)).body.reset).toBe(false);

    await h.http.post('/manual-items/reset-1/withdraw', users.countyAdmin331003, { reason: '已补交党费' });
    await h.http.post('/projections/rebuild', users.cityAdmin);
    const back = await h.http.get(`/live/${LI}`, users.member331003);
    expect(back.body).toMatchObject({ score: 66, colour: 'yellow', reset: false });
  });
});
