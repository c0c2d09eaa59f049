import type { DemoDirectory } from '@honglian/contracts';
import type { Principal } from '@honglian/service-kit';
import { DAY, HOUR } from '../domain/rules.js';
import { ActivityService } from './activities.js';
import { AttendanceSources } from './attendance-source.js';
import { CheckIn } from './check-in.js';
import { CheckOut } from './check-out.js';
import { dayOf, type CheckinContext } from './context.js';
import { References } from './references.js';
import { ReportService } from './reports.js';
import { SweepService } from './sweep.js';

/** A demo member's plan: a residence report (confirmed, pledged) and past activities attended. */
interface DemoPlan {
  county: string;
  memberId: string;
  /** The community of the member's residence compound (org-registry src/demo/demo-city.ts). */
  communityId: string;
  slots: Slot[];
  titles: readonly string[];
}

export interface Slot {
  startsAt: Date;
  endsAt: Date;
}

export interface DemoCheckinSummary {
  reports: number;
  activities: number;
  attendances: number;
  hours: number;
}

/** Hours of every demo activity, all credited (below the 4 h cap, above the 30 min minimum). */
const ACTIVITY_HOURS = 2;
/** How far back the demo's activities may lie. */
const LOOKBACK_DAYS = 42;

const RETIREE_TITLES = [
  '社区环境整治 Neighbourhood clean-up',
  '关爱独居老人走访 Visiting elderly residents living alone',
  '政策理论宣讲 Policy talk for residents',
  '垃圾分类劝导 Waste-sorting guidance',
  '楼道安全隐患排查 Stairwell safety check',
  '文明交通劝导 Road-safety volunteering',
] as const;

const MONTH_TITLES = ['社区义诊服务 Free health check-ups', '邻里纠纷调解 Neighbour mediation'] as const;

/**
 * Members of the demo world who also attend this month, beside the retiree: only where the demo
 * world has a member to spare. `-member-01`, `-member-02`, `331003-member-04` (and any member
 * the suite's tests drive from an empty record) are left alone; `-member-05` lives in
 * `-community-03`, whose grey rating the demo keeps. `331002-member-04` lives in
 * `331002-compound-02`, under a grid of `331002-community-01`.
 */
const THIS_MONTH: Readonly<Record<string, readonly string[]>> = {
  '331002': ['331002-member-04'],
};

const chinaLocal = (t: number) => new Date(t + 8 * HOUR);

/** Midnight (China Standard Time) of the day `daysBack` days before `now`'s day. */
function chinaMidnight(now: Date, daysBack: number): number {
  const local = now.getTime() + 8 * HOUR;
  return local - (local % DAY) - 8 * HOUR - daysBack * DAY;
}

/** The first instant of `now`'s year (`'year'`) or month (`'month'`), China Standard Time. */
export function chinaPeriodStart(now: Date, period: 'year' | 'month'): number {
  const d = chinaLocal(now.getTime());
  return Date.UTC(d.getUTCFullYear(), period === 'year' ? 0 : d.getUTCMonth(), 1) - 8 * HOUR;
}

/**
 * `count` past activity slots of `hours` starting at `startHour` (China Standard Time) on days
 * `spacingDays` apart going back from yesterday, oldest first. Every slot has ended by `now` and
 * lies on or after `since` where possible: when there are too few such days (early in January,
 * say) other days of the period are taken, then later hours of those days (+5 h, +10 h); only
 * then days before `since`.
 */
export function demoSlots(
  now: Date,
  count: number,
  o: { startHour: number; hours: number; spacingDays: number; since: number },
): Slot[] {
  const candidates: { start: number; rank: number[] }[] = [];
  for (const shift of [0, 5, 10]) {
    if (o.startHour + shift + o.hours > 23) continue;
    for (let d = 0; d <= LOOKBACK_DAYS; d++) {
      const start = chinaMidnight(now, d) + (o.startHour + shift) * HOUR;
      if (start + o.hours * HOUR > now.getTime()) continue;
      const onGrid = d >= 1 && (d - 1) % o.spacingDays === 0;
      candidates.push({ start, rank: [start < o.since ? 1 : 0, shift, onGrid ? 0 : 1, d] });
    }
  }
  const byRank = (a: number[], b: number[]) => {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
    return 0;
  };
  return candidates
    .sort((a, b) => byRank(a.rank, b.rank))
    .slice(0, count)
    .map((c) => c.start)
    .sort((a, b) => a - b)
    .map((start) => ({ startsAt: new Date(start), endsAt: new Date(start + o.hours * HOUR) }));
}

/** The demo's plans at `now`: per county the retiree's six activities this year, and this month's. */
export function demoPlans(demo: DemoDirectory, now: Date): DemoPlan[] {
  const plans: DemoPlan[] = [];
  for (const c of demo.counties) {
    plans.push({
      county: c.code,
      memberId: `${c.code}-member-03`,
      communityId: c.community.orgId,
      slots: demoSlots(now, RETIREE_TITLES.length, {
        startHour: 9,
        hours: ACTIVITY_HOURS,
        spacingDays: 3,
        since: chinaPeriodStart(now, 'year'),
      }),
      titles: RETIREE_TITLES,
    });
    for (const memberId of THIS_MONTH[c.code] ?? [])
      plans.push({
        county: c.code,
        memberId,
        communityId: c.community.orgId,
        slots: demoSlots(now, MONTH_TITLES.length, {
          startHour: 15,
          hours: ACTIVITY_HOURS,
          spacingDays: 1,
          since: chinaPeriodStart(now, 'month'),
        }),
        titles: MONTH_TITLES,
      });
  }
  return plans;
}

/** The use cases as they ran at `at`: the same code the API runs, with the clock at that instant. */
function useCasesAt(ctx: CheckinContext, at: Date) {
  const then: CheckinContext = { ...ctx, clock: { now: () => new Date(at) } };
  const refs = new References(then);
  const sources = new AttendanceSources(then, refs);
  return {
    reports: new ReportService(then, refs),
    activities: new ActivityService(then, refs),
    checkIn: new CheckIn(then, sources, new SweepService(then)),
    checkOut: new CheckOut(then, sources),
  };
}
type UseCases = ReturnType<typeof useCasesAt>;

/** Whether the registry's read model holds the member, living in the plan's community, and that community. */
async function known(ctx: CheckinContext, plan: DemoPlan, day: string): Promise<boolean> {
  const { readModel } = ctx.data;
  const member = await readModel.member(plan.memberId);
  if (!member || member.status !== 'active') return false;
  const community = await readModel.community(plan.communityId, day);
  if (!community?.open) return false;
  return (await readModel.memberFacts(member)).residenceCommunityId === plan.communityId;
}

/**
 * One plan, told as it would have happened, step by step in time order through the use cases
 * (app layer, outbox, events): the member reports where she lives, the community confirms, she
 * signs the pledge (亮诺); each activity is published three days ahead by the community's staff,
 * who witness her check-in at its start and her check-out at its end (2 h credited).
 */
async function tell(ctx: CheckinContext, plan: DemoPlan): Promise<number> {
  const { readModel } = ctx.data;
  const firstStart = plan.slots[0]!.startsAt.getTime();
  const community = (await readModel.community(plan.communityId, dayOf(new Date(firstStart))))!;
  const memberName = (await readModel.member(plan.memberId))!.name;
  const staff: Principal = {
    subject: 'demo-seed',
    username: 'demo-seed',
    roles: ['community-staff'],
    county: plan.county,
    orgPath: community.doc.path,
  };
  const member: Principal = {
    subject: `demo-seed:${plan.memberId}`,
    username: plan.memberId,
    name: memberName,
    roles: ['member'],
    county: plan.county,
    memberId: plan.memberId,
  };
  let reportId = '';
  const steps: { at: number; run: (u: UseCases) => Promise<unknown> }[] = [
    {
      at: firstStart - 4 * DAY,
      run: async (u) => {
        const report = await u.reports.submit(
          {
            kind: 'residence',
            communityId: plan.communityId,
            specialties: ['政策宣讲 Policy talks'],
            preferences: ['助老 Helping the elderly', '环境整治 Clean-ups'],
          },
          member,
        );
        reportId = report._id;
      },
    },
    { at: firstStart - 3 * DAY, run: (u) => u.reports.confirm(reportId, staff) },
    {
      at: firstStart - 3 * DAY + HOUR,
      run: (u) =>
        u.reports.pledge(
          reportId,
          [
            '亮身份：参加社区活动佩戴党员徽章 Wear the party badge',
            '每月参加一次社区志愿服务 Volunteer monthly',
          ],
          member,
        ),
    },
  ];
  const place = `${community.doc.name}党群服务中心 Community service centre`;
  let hours = 0;
  for (const [i, slot] of plan.slots.entries()) {
    let activityId = '';
    const start = slot.startsAt.getTime();
    steps.push(
      {
        at: start - 3 * DAY,
        run: async (u) => {
          const activity = await u.activities.create(
            {
              communityId: plan.communityId,
              kind: 'activity',
              title: plan.titles[i % plan.titles.length]!,
              description: '社区党员志愿服务 Members volunteering in their community',
              place,
              startsAt: slot.startsAt,
              endsAt: slot.endsAt,
              skills: [],
            },
            staff,
          );
          activityId = activity._id;
        },
      },
      { at: start, run: (u) => u.checkIn.run({ activityId, memberId: plan.memberId }, staff) },
      {
        at: slot.endsAt.getTime(),
        run: async (u) => {
          hours += (await u.checkOut.run({ activityId, memberId: plan.memberId }, staff)).hours;
        },
      },
    );
  }
  steps.sort((a, b) => a.at - b.at);
  for (const step of steps) await step.run(useCasesAt(ctx, new Date(step.at)));
  return hours;
}

/**
 * The demo city's check-ins, so that demo members have reported and served and the assessment can
 * rate one red: per county the retiree `<code>-member-03` reports where she lives
 * (`<code>-community-01`), is confirmed and signs the pledge, and attends six 2 h activities of
 * that community on days three apart over the last weeks (inside the current year where
 * possible); in 椒江 `331002-member-04` also attends two this month (THIS_MONTH). Everything goes
 * through the use cases with the clock set to when it happened, so the events leave through the
 * outbox as in real use. The registry seeds the members, which this service learns from its
 * events: the seed waits (bounded, `waitMs`) until the read model holds them. A member who has
 * any report already is left alone (a restart on kept data seeds nothing); null when nothing
 * was seeded.
 */
export async function seedDemoCheckin(
  ctx: CheckinContext,
  demo: DemoDirectory,
  opts: { waitMs?: number } = {},
): Promise<DemoCheckinSummary | null> {
  const now = ctx.clock.now();
  const fresh: DemoPlan[] = [];
  for (const plan of demoPlans(demo, now))
    if (plan.slots.length > 0 && (await ctx.data.reports.ofMember(plan.memberId)).length === 0)
      fresh.push(plan);
  if (fresh.length === 0) return null;

  const deadline = Date.now() + (opts.waitMs ?? 60_000);
  const day = dayOf(now);
  let ready: DemoPlan[] = [];
  for (;;) {
    ready = [];
    for (const plan of fresh) if (await known(ctx, plan, day)) ready.push(plan);
    if (ready.length === fresh.length || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  if (ready.length < fresh.length)
    ctx.logger.warn(
      { missing: fresh.filter((p) => !ready.includes(p)).map((p) => p.memberId) },
      'demo members never reached the check-in read model; their check-ins are not seeded',
    );
  if (ready.length === 0) return null;

  const summary: DemoCheckinSummary = { reports: 0, activities: 0, attendances: 0, hours: 0 };
  for (const plan of ready) {
    summary.hours += await tell(ctx, plan);
    summary.reports++;
    summary.activities += plan.slots.length;
    summary.attendances += plan.slots.length;
  }
  return summary;
}
