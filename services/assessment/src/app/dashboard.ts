import type { Principal } from '@honglian/service-kit';
import type { AssessmentContext } from './context.js';
import { ratingScope } from './references.js';

type Counts = { red: number; yellow: number; grey: number };
const zero = (): Counts => ({ red: 0, yellow: 0, grey: 0 });

/** Colour counts per level (of one period) and per period and level (trend), in the caller's scope. */
export async function dashboard(
  ctx: AssessmentContext,
  q: { period?: string | undefined; county?: string | undefined },
  principal: Principal,
) {
  const rows = await ctx.data.ratings.summary({ county: q.county }, ratingScope(principal));
  const levels: Record<string, Counts> = {};
  const trend = new Map<string, { period: string; level: string; counts: Counts }>();
  for (const r of rows) {
    const key = `${r.period}|${r.level}`;
    const t = trend.get(key) ?? { period: r.period, level: r.level, counts: zero() };
    t.counts[r.result.colour] += 1;
    trend.set(key, t);
    if (!q.period || r.period === q.period) (levels[r.level] ??= zero())[r.result.colour] += 1;
  }
  return {
    levels,
    trend: [...trend.values()].sort(
      (a, b) => a.period.localeCompare(b.period) || a.level.localeCompare(b.level),
    ),
  };
}
