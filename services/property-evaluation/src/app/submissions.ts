import { orThrow, throwRefusal, type Principal } from '@honglian/service-kit';
import { emitAll, withOutbox } from '@honglian/messaging';
import { refuse } from '@honglian/service-kit/domain';
import type { Page, PageRequest } from '../data/page.js';
import { overlaps, parsePeriod } from '../domain/period.js';
import type { RaterRoleCode } from '../domain/roles.js';
import type { RatingContent } from '../domain/scoring.js';
import { decideSubmit, type Submission } from '../domain/submissions.js';
import { actorOf, newId, type EvaluationContext } from './context.js';
import type { CycleService } from './cycles.js';
import type { References } from './references.js';
import { submissionFilter } from './scope.js';

export interface SubmitRating extends RatingContent {
  firmId: string;
  compoundId: string;
  raterRole: RaterRoleCode;
  evidence: string[];
  comment: string;
}

/** Ratings per (firm, compound, cycle, rater role): the first, then each edit as a new revision. */
export class SubmissionService {
  constructor(
    private readonly ctx: EvaluationContext,
    private readonly refs: References,
    private readonly cycles: CycleService,
  ) {}

  private get data() {
    return this.ctx.data;
  }

  async submit(
    p: Principal,
    cycleId: string,
    cmd: SubmitRating,
  ): Promise<{ submission: Submission; created: boolean }> {
    return withOutbox(this.ctx.conn, async (session, outbox) => {
      // Load: the cycle, firm and compound in the caller's scope, the contract, the rating so far.
      const cycle = await this.refs.cycle(p, cycleId, session);
      const firm = await this.refs.firm(p, cmd.firmId, session);
      const compound = await this.refs.compound(p, cmd.compoundId, session);
      const period = parsePeriod(cycle.period)!;
      const contracts = await this.data.readModel.contractsBetween(firm.id, compound.id, session);
      const serves =
        compound.county === cycle.county && contracts.some((c) => overlaps(period, c.validFrom, c.validTo));
      const existing = await this.data.submissions.byKey(
        { cycleId: cycle._id, firmId: firm.id, compoundId: compound.id, raterRole: cmd.raterRole },
        session,
      );
      const now = this.ctx.clock.now();
      const { changes, events } = orThrow(
        decideSubmit(
          { ...cmd, submissionId: newId('sub'), principal: p, actor: actorOf(p), now },
          { cycle, template: await this.cycles.templateOf(cycle, session), firm, compound, serves, existing },
        ),
      );
      if (!(await this.data.submissions.save(changes.submission, session)))
        throwRefusal(refuse.conflict('评分已被修改，请重试', 'the submission changed meanwhile; try again'));
      emitAll(outbox, events, { time: now });
      return { submission: changes.submission, created: existing === null };
    });
  }

  get(p: Principal, id: string): Promise<Submission> {
    return this.refs.submission(p, id);
  }

  async list(
    p: Principal,
    cycleId: string,
    q: PageRequest & {
      firmId?: string | undefined;
      compoundId?: string | undefined;
      raterRole?: RaterRoleCode | undefined;
    },
  ): Promise<Page<Submission>> {
    const cycle = await this.refs.cycle(p, cycleId);
    const own: Record<string, unknown> = { cycleId: cycle._id };
    if (q.firmId) own.firmId = q.firmId;
    if (q.compoundId) own.compoundId = q.compoundId;
    if (q.raterRole) own.raterRole = q.raterRole;
    return this.data.submissions.page({ $and: [submissionFilter(p), own] }, q);
  }
}
