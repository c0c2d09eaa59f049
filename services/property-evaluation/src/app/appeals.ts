import { orThrow, throwRefusal, type Principal } from '@honglian/service-kit';
import { emitAll, withOutbox } from '@honglian/messaging';
import { NOT_FOUND_REASON, refuse } from '@honglian/service-kit/domain';
import type { Page, PageRequest } from '../data/page.js';
import { decideAppeal, decideFile, type Appeal, type Correction } from '../domain/appeals.js';
import { actorOf, newId, type EvaluationContext } from './context.js';
import type { CycleService } from './cycles.js';
import type { References } from './references.js';
import { applyCorrections, resultsOf } from './review.js';
import { appealFilter } from './scope.js';

const APPEAL_CHANGED = () => refuse.conflict('申诉刚被处理，请刷新', 'the appeal was decided meanwhile');

/** 申诉: filed by the firm during the notice, decided by an admin; upheld ones correct and recompute. */
export class AppealService {
  constructor(
    private readonly ctx: EvaluationContext,
    private readonly refs: References,
    private readonly cycles: CycleService,
  ) {}

  /** The firm (its own account, or an admin for it) appeals its result of the cycle. */
  file(
    p: Principal,
    resultId: string,
    cmd: { reasons: string; evidence: string[]; submissionId?: string | undefined },
  ): Promise<Appeal> {
    return withOutbox(this.ctx.conn, async (session) => {
      const result = await this.refs.result(p, resultId, session);
      const mayAppeal =
        p.firmId === result.firmId || p.roles.includes('city-admin') || p.roles.includes('county-admin');
      if (!mayAppeal)
        throwRefusal(
          refuse.forbidden('只有被评价企业可以申诉', 'only the firm evaluated may appeal its result'),
        );
      if (cmd.submissionId) {
        const sub = await this.ctx.data.submissions.byId(cmd.submissionId, session);
        if (!sub || sub.cycleId !== result.cycleId || sub.firmId !== result.firmId)
          throwRefusal(refuse.notFound(NOT_FOUND_REASON, { field: 'submissionId' }));
      }
      // The result is in scope, so its cycle is too (a firm sees the cycles of the counties it serves).
      const cycle = await this.ctx.data.cycles.byId(result.cycleId, session);
      if (!cycle) return throwRefusal(refuse.notFound());
      const { changes } = orThrow(
        decideFile({
          appealId: newId('apl'),
          cycle,
          firmId: result.firmId,
          resultId: result._id,
          submissionId: cmd.submissionId ?? null,
          reasons: cmd.reasons,
          evidence: cmd.evidence,
          actor: actorOf(p),
          now: this.ctx.clock.now(),
        }),
      );
      await this.ctx.data.appeals.insert(changes.appeal, session);
      return changes.appeal;
    });
  }

  /** An admin decides; an upheld appeal's corrections become new revisions and the firm's result is recomputed. */
  decide(
    p: Principal,
    id: string,
    cmd: { outcome: 'upheld' | 'rejected'; note: string; corrections: Correction[] },
  ): Promise<Appeal> {
    return withOutbox(this.ctx.conn, async (session, outbox) => {
      const appeal = await this.refs.managedAppeal(p, id, session);
      const cycle = await this.refs.managedCycle(p, appeal.cycleId, session);
      const now = this.ctx.clock.now();
      const { changes } = orThrow(decideAppeal(appeal, cycle, { ...cmd, actor: actorOf(p), now }));
      if (!(await this.ctx.data.appeals.replaceIfPending(changes.appeal, session)))
        throwRefusal(APPEAL_CHANGED());
      if (cmd.outcome === 'upheld') {
        const template = await this.cycles.templateOf(cycle, session);
        const events = await applyCorrections(
          this.ctx,
          template,
          { cycleId: cycle._id, firmId: appeal.firmId },
          cmd.corrections,
          { actor: actorOf(p), source: `appeal:${appeal._id}` },
          session,
        );
        const [result] = await resultsOf(this.ctx, cycle, template, session, appeal.firmId);
        if (result) await this.ctx.data.results.replace(result, session);
        emitAll(outbox, events, { time: now });
      }
      return changes.appeal;
    });
  }

  get(p: Principal, id: string): Promise<Appeal> {
    return this.refs.appeal(p, id);
  }

  async list(p: Principal, cycleId: string, q: PageRequest): Promise<Page<Appeal>> {
    const cycle = await this.refs.cycle(p, cycleId);
    return this.ctx.data.appeals.page({ $and: [appealFilter(p), { cycleId: cycle._id }] }, q);
  }
}
