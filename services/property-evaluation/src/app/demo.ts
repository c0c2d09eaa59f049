import type { DemoDirectory } from '@honglian/contracts';
import { FixedClock, type Principal } from '@honglian/service-kit';
import type { RatingContent } from '../domain/scoring.js';
import type { RaterRoleCode } from '../domain/roles.js';
import { resultIdOf } from '../domain/results.js';
import { AppealService } from './appeals.js';
import type { EvaluationContext } from './context.js';
import { CycleService } from './cycles.js';
import { References } from './references.js';
import { SubmissionService } from './submissions.js';
import { TemplateService } from './templates.js';

const DAY = 86_400_000;
const SEEDER: Principal = { subject: 'demo-seed', username: 'demo-seed', roles: ['city-admin'] };

/** The half-year before the one `now` is in, and that one: `2026-H1`, `2026-H2`. */
export function demoPeriods(now: Date): { past: string; current: string; pastEnd: Date } {
  const y = now.getUTCFullYear();
  const firstHalf = now.getUTCMonth() < 6;
  return firstHalf
    ? { past: `${y - 1}-H2`, current: `${y}-H1`, pastEnd: new Date(Date.UTC(y, 0, 1)) }
    : { past: `${y}-H1`, current: `${y}-H2`, pastEnd: new Date(Date.UTC(y, 6, 1)) };
}

const rating = (scores: Record<string, number>, extra: Partial<RatingContent> = {}) => ({
  scores,
  survey: null,
  vetoes: [],
  bonuses: [],
  ...extra,
});

/** Scenario 5's numbers: community 82, branch 78, owners' committee 75, residents 68 %, street 80 → 75.4, band A. */
const SCENARIO_5: [RaterRoleCode, RatingContent][] = [
  ['community', rating({ env: 25, facilities: 25, safety: 32 })],
  ['branch', rating({ 'party-building': 39, cooperation: 39 })],
  ['committee', rating({ contract: 38, transparency: 37 })],
  ['residents', rating({}, { survey: { respondents: 100, satisfied: 68 } })],
  ['street', rating({ 'street-safety': 40, 'street-order': 40 })],
  ['self', rating({ 'self-overall': 92 })],
];
/** A strong firm with party-building bonus points. */
const STRONG: [RaterRoleCode, RatingContent][] = [
  [
    'community',
    rating({ env: 27, facilities: 27, safety: 36 }, { bonuses: [{ code: 'red-property', points: 3 }] }),
  ],
  [
    'branch',
    rating({ 'party-building': 45, cooperation: 44 }, { bonuses: [{ code: 'party-building', points: 2 }] }),
  ],
  ['committee', rating({ contract: 44, transparency: 43 })],
  ['residents', rating({}, { survey: { respondents: 120, satisfied: 104 } })],
  ['street', rating({ 'street-safety': 44, 'street-order': 45 })],
];

/**
 * The demo's evaluation data (README, Demo data): per demo county a published cycle of the past
 * half-year (firm-01 on scenario 5's numbers → A; firm-02 strong in 黄岩 → AAA, with a major safety
 * accident in 椒江 → C and blacklisted, scenario 6, its appeal during the notice rejected) and an open cycle of the current half-year
 * collecting ratings. It runs the use cases on a clock of its own that walks through the past
 * cycle's weeks, so every record is what the API would have made. Needs the registry's firms,
 * compounds and contracts in the read model: it waits for them (bounded), and seeds nothing when a
 * cycle exists already or they never arrive.
 */
export async function seedDemoEvaluation(
  ctx: EvaluationContext,
  demo: DemoDirectory,
  opts: { waitMs?: number } = {},
): Promise<{ cycles: string[] } | null> {
  const ids = demo.counties.flatMap((c) => [
    c.firm.firmId,
    `${c.code}-firm-02`,
    c.compound.orgId,
    `${c.code}-compound-03`,
  ]);
  const deadline = Date.now() + (opts.waitMs ?? 120_000);
  const ready = async () => {
    if (!(await ctx.data.readModel.holdsAll(ids))) return false;
    for (const c of demo.counties)
      if ((await ctx.data.readModel.contractsOf(c.code)).length < 3) return false;
    return true;
  };
  while (!(await ready())) {
    if (Date.now() > deadline) {
      ctx.logger.warn(
        'the registry’s demo firms never reached the evaluation read model; no demo evaluation seeded',
      );
      return null;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const real = ctx.clock.now();
  const { past, current, pastEnd } = demoPeriods(real);
  const clock = new FixedClock(new Date(pastEnd.getTime() + 5 * DAY));
  const seedCtx: EvaluationContext = { ...ctx, clock };
  const refs = new References(seedCtx);
  const templates = new TemplateService(seedCtx, refs);
  const cycles = new CycleService(seedCtx, refs, templates);
  const submissions = new SubmissionService(seedCtx, refs, cycles);
  const appeals = new AppealService(seedCtx, refs, cycles);
  const made: string[] = [];
  for (const c of demo.counties) {
    if ((await ctx.data.cycles.exists(c.code, past)) || (await ctx.data.cycles.exists(c.code, current)))
      return null;
    const firm2 = `${c.code}-firm-02`;
    const rate = async (
      cycleId: string,
      firmId: string,
      compoundId: string,
      set: [RaterRoleCode, RatingContent][],
    ) => {
      for (const [raterRole, content] of set) {
        const by: Principal =
          raterRole === 'self'
            ? { subject: 'demo-seed-firm', roles: ['property-firm'], county: c.code, firmId }
            : SEEDER;
        await submissions.submit(by, cycleId, {
          firmId,
          compoundId,
          raterRole,
          ...content,
          evidence: [],
          comment: '',
        });
      }
    };
    clock.set(new Date(pastEnd.getTime() + 5 * DAY));
    const done = await cycles.create(SEEDER, { county: c.code, period: past, noticeDays: 7 });
    await cycles.setHouseholds(SEEDER, done._id, [
      { compoundId: c.compound.orgId, households: 1800 },
      { compoundId: `${c.code}-compound-02`, households: 950 },
      { compoundId: `${c.code}-compound-03`, households: 1200 },
    ]);
    await cycles.start(SEEDER, done._id);
    clock.advance(DAY);
    await rate(done._id, c.firm.firmId, c.compound.orgId, SCENARIO_5);
    const accident = c.code === '331002';
    for (const compound of [`${c.code}-compound-02`, `${c.code}-compound-03`])
      await rate(
        done._id,
        firm2,
        compound,
        accident && compound.endsWith('02')
          ? STRONG.map(([role, content]) =>
              role === 'street' ? [role, { ...content, vetoes: ['major-safety-accident'] }] : [role, content],
            )
          : STRONG,
      );
    clock.advance(DAY);
    await cycles.compute(SEEDER, done._id);
    await cycles.notice(SEEDER, done._id);
    if (accident) {
      // During the notice the firm appeals the veto; the county rejects it: the accident stands.
      clock.advance(DAY);
      const appeal = await appeals.file(SEEDER, resultIdOf(done._id, firm2), {
        reasons: '事故责任在施工方，非物业责任 / the contractor, not the firm, caused the accident',
        evidence: [],
      });
      clock.advance(DAY);
      await appeals.decide(SEEDER, appeal._id, {
        outcome: 'rejected',
        note: '安监部门认定物业负有管理责任 / the safety authority found the firm responsible',
        corrections: [],
      });
      clock.advance(6 * DAY);
    } else clock.advance(8 * DAY);
    await cycles.publish(SEEDER, done._id);
    made.push(done._id);

    clock.set(new Date(Math.max(real.getTime(), clock.now().getTime())));
    const open = await cycles.create(SEEDER, { county: c.code, period: current, noticeDays: 7 });
    await cycles.setHouseholds(SEEDER, open._id, [{ compoundId: c.compound.orgId, households: 1800 }]);
    await cycles.start(SEEDER, open._id);
    await rate(open._id, c.firm.firmId, c.compound.orgId, SCENARIO_5.slice(0, 2));
    made.push(open._id);
  }
  return { cycles: made };
}
