import { DEMO_DIRECTORY, MemberRegistered, OrgCreated, PointsAwarded } from '@honglian/contracts';
import { seedDemoAssessment } from '../src/app/demo.js';
import { COUNTY, ev, startAssessment, users } from './support.js';

type H = Awaited<ReturnType<typeof startAssessment>>;
let h: H;

beforeEach(async () => {
  h = await startAssessment('2026-04-02T09:00:00+08:00');
});
afterEach(() => h.close());

/** The registry's demo county 331003 as it reaches the projections (its trees, five members). */
function demoRegistry() {
  const c = `/331000/${COUNTY}`;
  const org = (id: string, kind: 'county' | 'street' | 'community' | 'compound', path: string) =>
    ev(OrgCreated, {
      orgId: id,
      county: COUNTY,
      kind,
      name: id,
      parentId: path.split('/').at(-2) ?? null,
      path,
      effectiveFrom: '2025-01-01',
    });
  const st1 = `${c}/${COUNTY}-street-01`;
  const st2 = `${c}/${COUNTY}-street-02`;
  const cm1 = `${st1}/${COUNTY}-community-01`;
  const cm2 = `${st1}/${COUNTY}-community-02`;
  const cm3 = `${st2}/${COUNTY}-community-03`;
  const member = (n: number, compound: string) =>
    ev(MemberRegistered, {
      memberId: `${COUNTY}-member-0${n}`,
      county: COUNTY,
      name: `member ${n}`,
      category: 'in-service',
      status: 'active',
      partyOrgId: `${COUNTY}-community-01`,
      workUnitId: null,
      residenceCompoundId: `${COUNTY}-${compound}`,
      residenceBuildingId: null,
      residenceCommunityId: null,
      effectiveFrom: '2025-01-01',
    });
  const points = (n: number, entry: string) =>
    ev(PointsAwarded, {
      entryId: entry,
      county: COUNTY,
      memberId: `${COUNTY}-member-0${n}`,
      kind: 'award',
      points: 6.5,
      hours: 6.5,
      communityId: null,
      cause: { type: 'record', id: entry },
      ruleVersion: 'city-1',
      balance: 6.5,
      at: '2026-03-01T01:00:00.000Z',
    });
  return [
    org(COUNTY, 'county', c),
    org(`${COUNTY}-street-01`, 'street', st1),
    org(`${COUNTY}-street-02`, 'street', st2),
    org(`${COUNTY}-community-01`, 'community', cm1),
    org(`${COUNTY}-community-02`, 'community', cm2),
    org(`${COUNTY}-community-03`, 'community', cm3),
    org(`${COUNTY}-compound-01`, 'compound', `${cm1}/${COUNTY}-compound-01`),
    org(`${COUNTY}-compound-03`, 'compound', `${cm2}/${COUNTY}-compound-03`),
    org(`${COUNTY}-compound-04`, 'compound', `${cm3}/${COUNTY}-compound-04`),
    member(1, 'compound-01'),
    member(2, 'compound-03'),
    member(3, 'compound-01'),
    member(4, 'compound-01'),
    member(5, 'compound-04'),
    points(1, 'e-1'),
    points(2, 'e-2'),
  ];
}

describe('demo data', () => {
  it('every member, community and street gets a rating whose explanation names events, yellow and grey', async () => {
    await h.publishAll(demoRegistry());
    const demo = { ...DEMO_DIRECTORY, counties: DEMO_DIRECTORY.counties.filter((c) => c.code === COUNTY) };
    const seeded = await seedDemoAssessment(h.service.services.ctx, h.service.services, demo, {
      waitMs: 5_000,
      quietMs: 200,
    });
    expect(seeded).toMatchObject({ period: '2026', items: 3 });

    const page = await h.http.get('/ratings?period=2026&limit=200', users.cityAdmin);
    const ratings = page.body.items as {
      subjectId: string;
      level: string;
      colour: string;
      sources: string[];
    }[];
    expect(ratings.map((r) => r.level).sort()).toEqual([
      'community',
      'community',
      'community',
      'county',
      ...Array(5).fill('member'),
      'street',
      'street',
    ]);
    for (const r of ratings) expect([r.subjectId, r.sources.length > 0]).toEqual([r.subjectId, true]);
    const colours = new Set(ratings.map((r) => r.colour));
    expect(colours).toEqual(new Set(['yellow', 'grey']));
    const by = Object.fromEntries(ratings.map((r) => [r.subjectId, r]));
    expect(by[`${COUNTY}-member-05`]).toMatchObject({ colour: 'grey', sources: [`demo-${COUNTY}-reset`] });
    expect(by[`${COUNTY}-street-02`]!.colour).toBe('grey');

    // Last month is published, with the consequences its colours open.
    expect(seeded!.published.period).toBe('2026-03');
    const march = await h.http.get('/ratings?period=2026-03&limit=200', users.cityAdmin);
    expect(new Set(march.body.items.map((r: { status: string }) => r.status))).toEqual(
      new Set(['published']),
    );
    const consequences = (await h.http.get('/consequences?limit=200', users.cityAdmin)).body as {
      period: string;
      kind: string;
      status: string;
    }[];
    expect(consequences.length).toBe(seeded!.published.consequences);
    expect(consequences.length).toBeGreaterThan(0);
    for (const c of consequences) expect([c.period, c.status]).toEqual(['2026-03', 'open']);

    // Seeding again (a restart on kept data) adds nothing.
    expect(
      await seedDemoAssessment(h.service.services.ctx, h.service.services, demo, {
        waitMs: 1_000,
        quietMs: 100,
      }),
    ).toBeNull();
    expect((await h.http.get('/manual-items', users.cityAdmin)).body.total).toBe(3);
  });
});
