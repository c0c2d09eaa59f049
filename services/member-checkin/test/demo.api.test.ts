import {
  ActivityPublished,
  AttendanceRecorded,
  DEMO_DIRECTORY,
  ReportActivated,
  ReportSubmitted,
  type CloudEvent,
} from '@honglian/contracts';
import { seedDemoCheckin } from '../src/app/demo.js';
import { START, expectValidEvents, member, org, startCheckin, users, type Harness } from './support.js';

/**
 * The demo city's check-ins (`seedDemo`, run by `npm start` after the registry seeded the demo
 * city): made through the use cases from the registry's events, so its reports, activities and
 * attendances are real ones with their events; a second run (a restart on kept data) adds nothing.
 */

/** The part of the registry's demo city (org-registry src/demo/demo-city.ts) the seed relies on, as events. */
function demoRegistry(): CloudEvent[] {
  const events: CloudEvent[] = [org('331000', 'city', '台州市', null, '/331000', '331000')];
  for (const c of DEMO_DIRECTORY.counties) {
    const code = c.code;
    const grid = `${c.community.orgId}-grid-01`;
    events.push(
      org(code, 'county', c.name, '331000', c.county.path, code),
      org(c.street.orgId, 'street', c.street.name, code, c.street.path, code),
      org(c.community.orgId, 'community', c.community.name, c.street.orgId, c.community.path, code),
      org(grid, 'grid', '第一网格', c.community.orgId, `${c.community.path}/${grid}`, code),
      org(c.compound.orgId, 'compound', c.compound.name, c.community.orgId, c.compound.path, code),
      org(
        `${code}-compound-02`,
        'compound',
        '锦绣苑',
        grid,
        `${c.community.path}/${grid}/${code}-compound-02`,
        code,
      ),
    );
    const resident = (n: number, name: string, compound: string) =>
      member(`${code}-member-0${n}`, name, {
        county: code,
        partyOrgId: `${c.community.orgId}-ddw`,
        workUnitId: null,
        residenceCompoundId: compound,
        residenceCommunityId: null,
      });
    events.push(
      resident(3, `${c.name}李建国`, c.compound.orgId),
      resident(4, `${c.name}陈晓`, `${code}-compound-02`),
    );
  }
  return events;
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const chinaDay = (iso: string) => new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 10);

let h: Harness;
beforeEach(async () => {
  h = await startCheckin();
});
afterEach(() => h.close());

describe('demo check-ins', () => {
  it('waits for the registry’s demo members, then reports, confirms and credits them through the use cases; a second run adds nothing', async () => {
    // The seed starts before the registry's events arrive (npm start seeds each service in turn).
    const seeding = h.service.seedDemo(DEMO_DIRECTORY);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await h.publishRegistry(...demoRegistry());
    expect(await seeding).toEqual({ reports: 3, activities: 14, attendances: 14, hours: 28 });

    for (const c of DEMO_DIRECTORY.counties) {
      const retiree = `${c.code}-member-03`;
      // Her residence report: confirmed (active) by the community, with her pledge.
      const reports = (await h.http.get(`/reports?memberId=${retiree}`, users.cityAdmin)).body
        .items as Json[];
      expect(reports).toEqual([
        expect.objectContaining({
          kind: 'residence',
          communityId: c.community.orgId,
          status: 'active',
          submittedBy: retiree,
          confirmedBy: 'demo-seed',
          pledge: expect.objectContaining({ signedBy: retiree }),
        }),
      ]);
      // Six witnessed 2 h attendances of her community, every one over before now and this year.
      const sessions = (await h.http.get(`/attendances?memberId=${retiree}&limit=50`, users.cityAdmin)).body
        .items as Json[];
      expect(sessions).toHaveLength(6);
      for (const s of sessions) {
        expect(s).toMatchObject({
          communityId: c.community.orgId,
          status: 'closed',
          method: 'witnessed',
          hours: 2,
          reportIds: [reports[0]!.id],
        });
        expect(Date.parse(s.checkOutAt)).toBeLessThanOrEqual(Date.parse(START));
        expect(chinaDay(s.checkInAt) >= '2026-01-01').toBe(true);
      }
      // Early in January the days of the year run short: six sessions, never two at once.
      const starts = sessions.map((s) => Date.parse(s.checkInAt)).sort((a, b) => a - b);
      expect(new Set(starts).size).toBe(6);
      // Her summary counts the hours; without a work unit, her residence report makes her reported.
      const summary = await h.http.get(`/members/${retiree}/summary?period=2026`, users.cityAdmin);
      expect(summary.body).toMatchObject({
        hours: 12,
        attendances: 6,
        noShow: false,
        reported: true,
        completed: true,
        flags: [],
      });
    }
    // 椒江's second member attended twice this month.
    const month = (await h.http.get('/attendances?memberId=331002-member-04', users.cityAdmin)).body
      .items as Json[];
    expect(month).toHaveLength(2);
    for (const s of month) expect(chinaDay(s.checkInAt).slice(0, 7)).toBe('2026-01');
    // Nobody else: the members the suite's tests drive keep an empty record.
    expect((await h.http.get('/reports', users.cityAdmin)).body.total).toBe(3);
    expect((await h.http.get('/attendances?memberId=331003-member-04', users.cityAdmin)).body.total).toBe(0);

    // The events left through the outbox as in real use.
    const events = await h.events();
    expectValidEvents(events);
    const of = (type: string) => events.filter((e) => e.type === type);
    expect(of(ReportSubmitted.type)).toHaveLength(3);
    expect(of(ReportActivated.type)).toHaveLength(3);
    expect(of(ActivityPublished.type)).toHaveLength(14);
    const recorded = of(AttendanceRecorded.type);
    expect(recorded).toHaveLength(14);
    for (const e of recorded)
      expect(e.data).toMatchObject({ hours: 2, method: 'witnessed', witness: 'demo-seed' });
    // Each event is stamped when it happened.
    for (const e of recorded) expect(e.time).toBe((e.data as { checkOutAt: string }).checkOutAt);

    // A restart on kept data: nothing more, no wait.
    expect(await seedDemoCheckin(h.service.services.ctx, DEMO_DIRECTORY, { waitMs: 0 })).toBeNull();
    expect((await h.http.get('/reports', users.cityAdmin)).body.total).toBe(3);
    expect((await h.http.get('/attendances?limit=1', users.cityAdmin)).body.total).toBe(14);
    expect(await h.events()).toHaveLength(events.length);
  });

  it('seeds nothing when the registry’s demo members never arrive', async () => {
    expect(await seedDemoCheckin(h.service.services.ctx, DEMO_DIRECTORY, { waitMs: 300 })).toBeNull();
    expect((await h.http.get('/reports', users.cityAdmin)).body.total).toBe(0);
    expect((await h.http.get('/activities', users.cityAdmin)).body.total).toBe(0);
  });
});
