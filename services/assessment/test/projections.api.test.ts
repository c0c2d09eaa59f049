import {
  ActivityChanged,
  ActivityPublished,
  AttendanceRecorded,
  ContractEnded,
  ContractStarted,
  EvaluationResultPublished,
  OrgChanged,
  OrgClosed,
  OrgCreated,
  ReportActivated,
} from '@honglian/contracts';
import {
  COUNTY,
  PATH,
  ev,
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
});
afterEach(() => h.close());

const snapshot = () => h.service.services.ctx.data.projections.snapshot();
const LI = 'm-331003-1';
const codes = (rating: { contributions: { code: string }[] }) =>
  Object.fromEntries(rating.contributions.map((c) => [c.code, c]));

describe('projections, whatever the order', () => {
  it('a close read before the org’s creation still closes it, incrementally and on a rebuild', async () => {
    // cm-2 closes on 2026-03-01. The close is stated first (its id sorts first, so a rebuild
    // replays it first) but, here, delivered after the creation.
    const close = ev(OrgClosed, {
      orgId: 'cm-2',
      county: COUNTY,
      kind: 'community',
      path: PATH.y,
      closedOn: '2026-03-01',
    });
    await h.publishAll([...registryFixture(), ...secondCommunityFixture(), close]);
    const incremental = await snapshot();
    expect(incremental.orgs).toContainEqual(expect.objectContaining({ _id: 'cm-2', closedOn: '2026-03-01' }));

    await h.http.post('/projections/rebuild', users.cityAdmin);
    expect(await snapshot()).toEqual(incremental);

    // Delivered before the creation too: the same state.
    const again = await startAssessment('2026-04-02T09:00:00+08:00');
    try {
      await again.publishAll([close, ...registryFixture(), ...secondCommunityFixture()]);
      expect(await again.service.services.ctx.data.projections.snapshot()).toEqual(incremental);
    } finally {
      await again.close();
    }

    // A closed community is not rated.
    await h.http.post('/periods/2026-Q1/compute', users.countyAdmin331003, {});
    expect((await h.http.get('/ratings/2026-Q1/cm-2', users.countyAdmin331003)).status).toBe(404);
    expect((await h.http.get('/ratings/2026-Q1/cm-1', users.countyAdmin331003)).status).toBe(200);
  });

  it('a rebuild replays the log in the order it was read: two states of one time end alike', async () => {
    // A rename stated at the same instant and effective day as the creation (a fixed clock, one
    // request), its event id sorting before the creation's.
    const state = {
      orgId: 'cm-1',
      county: COUNTY,
      kind: 'community' as const,
      parentId: 'st-1',
      path: PATH.x,
      effectiveFrom: '2025-01-01',
    };
    const at = '2026-01-02T09:00:00+08:00';
    const renamed = ev(
      OrgChanged,
      { ...state, name: '东城社区', changed: ['name'] },
      at,
      '00000000-0000-4000-8000-a00000000001',
    );
    const created = ev(OrgCreated, { ...state, name: 'cm-1' }, at, '00000000-0000-4000-8000-b00000000001');
    await h.publishAll([
      ...registryFixture().filter(
        (e) => e.type !== OrgCreated.type || (e.data as { orgId: string }).orgId !== 'cm-1',
      ),
      created,
      renamed,
    ]);
    const incremental = await snapshot();
    expect(incremental.orgs).toContainEqual(expect.objectContaining({ _id: 'cm-1', name: '东城社区' }));
    await h.http.post('/projections/rebuild', users.cityAdmin);
    expect(await snapshot()).toEqual(incremental);
  });

  it('an instant stated with an offset counts in the period of its China day', async () => {
    await h.publishAll([
      ...registryFixture(),
      ...liFixture(),
      ev(AttendanceRecorded, {
        attendanceId: 'late-march',
        county: COUNTY,
        memberId: LI,
        activityId: 'act-late',
        activityKind: 'activity',
        communityId: 'cm-1',
        reportIds: ['rep-x'],
        // 20:00 on 31 March in China (12:00 UTC): the first quarter, though its text sorts
        // after the quarter's end (2026-03-31T16:00:00.000Z).
        checkInAt: '2026-03-31T20:00:00+08:00',
        checkOutAt: '2026-03-31T21:00:00+08:00',
        hours: 1,
        creditedMinutes: 60,
        method: 'qr',
        witness: null,
        flags: [],
      }),
    ]);
    await h.http.post('/periods/2026-Q1/compute', users.countyAdmin331003, {});
    await h.http.post('/periods/2026-Q2/compute', users.countyAdmin331003, {});
    const q1 = await h.http.get(`/ratings/2026-Q1/${LI}`, users.countyAdmin331003);
    expect(codes(q1.body).hours).toMatchObject({ units: 7.5 });
    const q2 = await h.http.get(`/ratings/2026-Q2/${LI}`, users.countyAdmin331003);
    expect(codes(q2.body).hours).toBeUndefined();
  });

  it('a rescheduled activity is held where it now starts, whatever order the events come in', async () => {
    const published = ev(ActivityPublished, {
      activityId: 'act-move',
      county: COUNTY,
      communityId: 'cm-1',
      title: '楼道清理',
      startsAt: '2026-03-28T01:00:00.000Z',
      endsAt: '2026-03-28T03:00:00.000Z',
      capacity: null,
      skills: [],
    });
    const change = (n: number, startsAt: string, time: string) =>
      ev(
        ActivityChanged,
        {
          activityId: 'act-move',
          county: COUNTY,
          communityId: 'cm-1',
          title: `楼道清理（改期${n}）`,
          startsAt,
          endsAt: startsAt,
          changed: ['startsAt'],
          notified: [],
        },
        time,
      );
    const moved = [
      change(1, '2026-04-04T01:00:00.000Z', '2026-03-20T09:00:00+08:00'),
      change(2, '2026-04-11T01:00:00.000Z', '2026-03-25T09:00:00+08:00'),
    ];
    // A call's change: no activity to move, nothing held.
    const call = ev(ActivityChanged, {
      activityId: 'call-1',
      county: COUNTY,
      communityId: 'cm-1',
      title: '紧急排水',
      startsAt: '2026-02-10T01:00:00.000Z',
      endsAt: '2026-02-10T03:00:00.000Z',
      changed: ['startsAt'],
      notified: [],
    });
    await h.publishAll([...registryFixture(), moved[1]!, call, published, moved[0]!]);
    const state = await snapshot();
    expect(state.facts).toContainEqual(
      expect.objectContaining({
        _id: 'activity:act-move',
        at: '2026-04-11T01:00:00.000Z',
        note: '楼道清理（改期2）',
      }),
    );
    await h.http.post('/projections/rebuild', users.cityAdmin);
    expect(await snapshot()).toEqual(state);

    await h.http.post('/periods/2026-Q1/compute', users.countyAdmin331003, {});
    await h.http.post('/periods/2026-Q2/compute', users.countyAdmin331003, {});
    const q1 = await h.http.get('/ratings/2026-Q1/cm-1', users.countyAdmin331003);
    expect(codes(q1.body).activities).toBeUndefined();
    const q2 = await h.http.get('/ratings/2026-Q2/cm-1', users.countyAdmin331003);
    expect(codes(q2.body).activities).toMatchObject({ units: 1, events: [published.id] });
  });

  it('a member who reported only after a period is “never reported” in it', async () => {
    await h.publishAll([
      ...registryFixture(),
      ev(ReportActivated, {
        reportId: 'rep-wang',
        county: COUNTY,
        memberId: 'm-331003-2',
        kind: 'residence',
        communityId: 'cm-1',
        workUnitId: null,
        activatedAt: '2026-05-06T09:00:00+08:00',
        confirmedBy: 'staff',
      }),
    ]);
    h.clock.set('2026-07-02T09:00:00+08:00');
    await h.http.post('/periods/2026-Q1/compute', users.countyAdmin331003, {});
    await h.http.post('/periods/2026-Q2/compute', users.countyAdmin331003, {});
    const q1 = await h.http.get('/ratings/2026-Q1/m-331003-2', users.countyAdmin331003);
    expect(codes(q1.body)['never-reported']).toMatchObject({ effect: 'backward' });
    const q2 = await h.http.get('/ratings/2026-Q2/m-331003-2', users.countyAdmin331003);
    expect(codes(q2.body)['never-reported']).toBeUndefined();
  });

  it('a firm’s results count for a compound only while its contract is in force', async () => {
    const compound = ev(OrgCreated, {
      orgId: 'cp-1',
      county: COUNTY,
      kind: 'compound',
      name: 'cp-1',
      parentId: 'cm-1',
      path: `${PATH.x}/cp-1`,
      effectiveFrom: '2020-01-01',
    });
    const contract = (contractId: string, firmId: string, validFrom: string) => ({
      contractId,
      county: COUNTY,
      firmId,
      compoundId: 'cp-1',
      validFrom,
      validTo: null,
    });
    const result = (firmId: string, band: 'A' | 'C') =>
      ev(EvaluationResultPublished, {
        resultId: `res-${firmId}`,
        county: COUNTY,
        cycleId: 'cy-2025H2',
        period: '2025-H2',
        firmId,
        creditCode: null,
        version: 1,
        score: band === 'A' ? 76 : 50,
        band,
        blacklisted: false,
        tenderBarred: band === 'C',
        tenderBonus: band === 'A' ? 1 : 0,
        contentHash: 'a'.repeat(64),
        publishedAt: '2026-02-10T09:00:00+08:00',
      });
    await h.publishAll([
      ...registryFixture(),
      compound,
      // The old firm served cp-1 until mid-2025; the new one since.
      ev(ContractStarted, contract('ct-old', 'firm-old', '2020-01-01')),
      ev(ContractEnded, { ...contract('ct-old', 'firm-old', '2020-01-01'), endedOn: '2025-06-30' }),
      ev(ContractStarted, contract('ct-new', 'firm-new', '2025-07-01')),
      result('firm-old', 'C'),
      result('firm-new', 'A'),
    ]);
    await h.http.post('/periods/2026-Q1/compute', users.countyAdmin331003, {});
    const cm1 = await h.http.get('/ratings/2026-Q1/cm-1', users.countyAdmin331003);
    expect(codes(cm1.body)['property-good']).toMatchObject({ units: 1 });
    // The old firm's C no longer makes the community backward.
    expect(codes(cm1.body)['property-poor']).toBeUndefined();
    expect(cm1.body.backward).toBe(false);
  });
});
