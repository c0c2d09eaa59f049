import type { DemoDirectory } from '@honglian/contracts';
import type { Principal } from '@honglian/service-kit';
import type { AssessmentServices } from '../api/routes.js';
import { chinaDayOf } from '../domain/manual-items.js';
import { parsePeriod, periodOf } from '../domain/periods.js';
import type { AssessmentContext } from './context.js';

const SEEDER: Principal = { subject: 'demo-seed', username: 'demo-seed', roles: ['city-admin'] };

/**
 * The demo's organisational records (组织生活记录) per county, on the registry's demo members:
 * an award for the retiree (`-member-03`), a deduction for `-member-04` (grey) and the reset
 * item 清零 for the floating member `-member-05` (grey at once, and so her community and street
 * lose points). Each counts through its item id, which the explanations name.
 */
const DEMO_ITEMS = [
  {
    n: 3,
    item: 'award',
    code: 'manual-bonus',
    points: 8,
    reason: '社区防汛志愿服务表彰 / commended for flood-relief service',
  },
  {
    n: 4,
    item: 'deduction',
    code: 'manual-deduction',
    points: 12,
    reason: '无故不参加组织生活会 / missed branch meetings without leave',
  },
  {
    n: 5,
    item: 'reset',
    code: 'absent-no-dues',
    points: undefined,
    reason: '连续六个月未参加组织生活且未交党费 / six months absent and no dues',
  },
] as const;

/**
 * Waits until the projections are quiet (the other services' demo events, relayed while they
 * seeded, have been read): the event log has not grown for `quietMs`, or the deadline passed.
 */
async function settle(ctx: AssessmentContext, deadline: number, quietMs: number): Promise<void> {
  const count = () => ctx.data.models.Log.estimatedDocumentCount();
  let last = await count();
  let quietSince = Date.now();
  while (Date.now() < deadline && Date.now() - quietSince < quietMs) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = await count();
    if (now !== last) [last, quietSince] = [now, Date.now()];
  }
}

/**
 * The demo city's ratings: once the registry's demo members reached the projections (bounded
 * wait) and the other services' demo events have been read (the log quiet), the demo's
 * organisational records are made and the current year is computed for every demo county, so
 * every member, community and street has a provisional rating whose explanation names its events
 * (points, orders, property results, records; roll-ups name the ratings below). With the
 * check-in demo's reports and attendances (the retirees `-member-03`) some are red, the rest
 * yellow and grey; alone (its own tests) yellow and grey. Last month is then computed and
 * published, opening its consequences. Seeds nothing when ratings
 * of the year exist already or the registry never arrives.
 */
export async function seedDemoAssessment(
  ctx: AssessmentContext,
  s: AssessmentServices,
  demo: DemoDirectory,
  opts: { waitMs?: number; quietMs?: number } = {},
): Promise<{
  period: string;
  ratings: number;
  items: number;
  published: { period: string; consequences: number };
} | null> {
  const deadline = Date.now() + (opts.waitMs ?? 60_000);
  const ready = async () => {
    for (const c of demo.counties) if (!(await ctx.data.projections.member(c.member.memberId))) return false;
    return true;
  };
  while (!(await ready())) {
    if (Date.now() > deadline) {
      ctx.logger.warn(
        'the registry’s demo members never reached the assessment projections; no demo ratings',
      );
      return null;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const period = periodOf(ctx.clock.now(), 'year');
  const first = demo.counties[0];
  if (first && (await ctx.data.ratings.period(period, first.code))) return null;
  await settle(ctx, Math.min(deadline, Date.now() + 15_000), opts.quietMs ?? 1_000);
  const on = chinaDayOf(ctx.clock.now());
  let items = 0;
  for (const c of demo.counties)
    for (const d of DEMO_ITEMS) {
      const itemId = `demo-${c.code}-${d.item}`;
      const memberId = `${c.code}-member-0${d.n}`;
      if (!(await ctx.data.projections.member(memberId))) continue;
      if (await ctx.data.manualItems.byId(itemId)) continue;
      await s.manualItems.record(
        { itemId, memberId, code: d.code, points: d.points, on, reason: d.reason },
        SEEDER,
      );
      items++;
    }
  const out = await s.ratings.computeAll(period, SEEDER);
  // Last month is published, as counties do each month: its ratings frozen, and the consequences
  // opened (priority list for red, remediation plans for yellow, exit deadlines for grey).
  const thisMonth = parsePeriod(periodOf(ctx.clock.now(), 'month'))!;
  const lastMonth = periodOf(new Date(Date.parse(thisMonth.from) - 1), 'month');
  await s.ratings.computeAll(lastMonth, SEEDER);
  let consequences = 0;
  for (const c of demo.counties) {
    const published = await s.ratings.publish(lastMonth, c.code, SEEDER);
    consequences += published.consequences;
  }
  return {
    period,
    ratings: out.counties.reduce((n, c) => n + c.ratings, 0),
    items,
    published: { period: lastMonth, consequences },
  };
}
