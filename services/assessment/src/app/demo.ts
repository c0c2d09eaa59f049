import type { DemoDirectory } from '@honglian/contracts';
import type { Principal } from '@honglian/service-kit';
import type { AssessmentServices } from '../api/routes.js';
import { periodOf } from '../domain/periods.js';
import type { AssessmentContext } from './context.js';

const SEEDER: Principal = { subject: 'demo-seed', username: 'demo-seed', roles: ['city-admin'] };

/**
 * The demo city's ratings: once the registry's demo members reached the projections (bounded
 * wait), the current year is computed for every demo county from the events the other services
 * seeded, so every member, community and street has a provisional rating with its explanation.
 * Seeds nothing when ratings of the year exist already or the registry never arrives.
 */
export async function seedDemoAssessment(
  ctx: AssessmentContext,
  s: AssessmentServices,
  demo: DemoDirectory,
  opts: { waitMs?: number } = {},
): Promise<{ period: string; ratings: number } | null> {
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
  const out = await s.ratings.computeAll(period, SEEDER);
  return { period, ratings: out.counties.reduce((n, c) => n + c.ratings, 0) };
}
