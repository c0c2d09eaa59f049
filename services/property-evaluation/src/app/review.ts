import { orThrow, throwRefusal } from '@honglian/service-kit';
import { refuse, type EventDraft } from '@honglian/service-kit/domain';
import type { ClientSession } from 'mongoose';
import type { Correction } from '../domain/appeals.js';
import type { Cycle } from '../domain/cycles.js';
import { overlaps, parsePeriod } from '../domain/period.js';
import { computeResults, type FirmUnderReview, type Result } from '../domain/results.js';
import { correctSubmission } from '../domain/submissions.js';
import type { Template } from '../domain/template.js';
import type { EvaluationContext } from './context.js';

/**
 * What a cycle reviews: every firm with a contract in the cycle's county overlapping its period,
 * with the compounds of those contracts, plus any firm-compound pair rated in the cycle.
 */
export async function firmsUnderReview(
  ctx: EvaluationContext,
  cycle: Cycle,
  session: ClientSession,
  onlyFirm?: string,
): Promise<FirmUnderReview[]> {
  const period = parsePeriod(cycle.period)!;
  const pairs = new Map<string, Set<string>>();
  const add = (firmId: string, compoundId: string) => {
    if (onlyFirm && firmId !== onlyFirm) return;
    pairs.set(firmId, (pairs.get(firmId) ?? new Set()).add(compoundId));
  };
  for (const c of await ctx.data.readModel.contractsOf(cycle.county, session))
    if (overlaps(period, c.validFrom, c.validTo)) add(c.firmId, c.compoundId);
  for (const s of await ctx.data.submissions.ofCycle(cycle._id, session)) add(s.firmId, s.compoundId);
  const ids = [...pairs.keys(), ...[...pairs.values()].flatMap((set) => [...set])];
  const orgs = new Map((await ctx.data.readModel.orgsByIds(ids, session)).map((o) => [o._id, o]));
  return [...pairs.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([firmId, compounds]) => {
      const firm = orgs.get(firmId);
      return {
        firm: {
          id: firmId,
          county: firm?.county ?? cycle.county,
          name: firm?.name ?? firmId,
          path: firm?.path ?? '',
          creditCode: firm?.code ?? null,
        },
        compounds: [...compounds].sort().map((id) => ({ id, name: orgs.get(id)?.name ?? id })),
      };
    });
}

/** Results of the cycle (or of one firm) from the submissions as they stand. */
export async function resultsOf(
  ctx: EvaluationContext,
  cycle: Cycle,
  template: Template,
  session: ClientSession,
  onlyFirm?: string,
): Promise<Result[]> {
  const firms = await firmsUnderReview(ctx, cycle, session, onlyFirm);
  const submissions = onlyFirm
    ? await ctx.data.submissions.ofFirm(cycle._id, onlyFirm, session)
    : await ctx.data.submissions.ofCycle(cycle._id, session);
  return computeResults(template, cycle, firms, submissions, ctx.clock.now());
}

/** Corrections as new revisions of the firm's submissions in the cycle; their events. */
export async function applyCorrections(
  ctx: EvaluationContext,
  template: Template,
  target: { cycleId: string; firmId: string },
  corrections: readonly Correction[],
  by: { actor: string; source: string },
  session: ClientSession,
): Promise<EventDraft[]> {
  const events: EventDraft[] = [];
  for (const { submissionId, ...patch } of corrections) {
    const sub = await ctx.data.submissions.byId(submissionId, session);
    if (!sub || sub.cycleId !== target.cycleId || sub.firmId !== target.firmId)
      throwRefusal(
        refuse.invalid(
          '更正的评分不属于该企业本周期',
          'the corrected submission is not this firm’s in this cycle',
          {
            field: 'corrections',
          },
        ),
      );
    const decision = orThrow(correctSubmission(template, sub, patch, { ...by, now: ctx.clock.now() }));
    if (!(await ctx.data.submissions.save(decision.changes.submission, session)))
      throwRefusal(refuse.conflict('评分已被修改，请重试', 'the submission changed meanwhile; try again'));
    events.push(...decision.events);
  }
  return events;
}
