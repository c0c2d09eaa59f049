import { throwRefusal, type Principal } from '@honglian/service-kit';
import { emitAll, withOutbox } from '@honglian/messaging';
import { refuse } from '@honglian/service-kit/domain';
import type { Page, PageRequest } from '../data/page.js';
import type { Correction } from '../domain/appeals.js';
import type { PublishedVersion, Result } from '../domain/results.js';
import { actorOf, type EvaluationContext } from './context.js';
import type { CycleService } from './cycles.js';
import type { References } from './references.js';
import { applyCorrections, resultsOf } from './review.js';
import { resultFilter } from './scope.js';

/** Results as computed (admins, the firm itself, the county's raters) and their published versions. */
export class ResultService {
  constructor(
    private readonly ctx: EvaluationContext,
    private readonly refs: References,
    private readonly cycles: CycleService,
  ) {}

  get(p: Principal, id: string): Promise<Result> {
    return this.refs.result(p, id);
  }

  async list(p: Principal, cycleId: string, q: PageRequest): Promise<Page<Result>> {
    const cycle = await this.refs.cycle(p, cycleId);
    return this.ctx.data.results.page({ $and: [resultFilter(p), { cycleId: cycle._id }] }, q);
  }

  async versions(p: Principal, id: string): Promise<PublishedVersion[]> {
    const result = await this.refs.result(p, id);
    return this.ctx.data.versions.ofResult(result._id);
  }

  /**
   * A correction after publication: the corrections become new revisions of the submissions, the
   * firm's result is recomputed and frozen as the next version with the reason; the old version
   * stays, marked superseded. Before publication: 409 (appeals and recomputing are the way then).
   */
  revise(
    p: Principal,
    id: string,
    cmd: { reason: string; corrections: Correction[] },
  ): Promise<PublishedVersion> {
    return withOutbox(this.ctx.conn, async (session, outbox) => {
      const result = await this.refs.managedResult(p, id, session);
      const cycle = await this.refs.managedCycle(p, result.cycleId, session);
      if (cycle.status !== 'published' || result.status !== 'published')
        throwRefusal(
          refuse.conflict(
            '结果尚未公布，不能发布更正版本',
            'only a published result is revised by a new version',
            {
              extras: { cycleStatus: cycle.status },
            },
          ),
        );
      const template = await this.cycles.templateOf(cycle, session);
      const events = await applyCorrections(
        this.ctx,
        template,
        { cycleId: cycle._id, firmId: result.firmId },
        cmd.corrections,
        { actor: actorOf(p), source: `revision:${result._id}` },
        session,
      );
      const [recomputed] = await resultsOf(this.ctx, cycle, template, session, result.firmId);
      const next: Result = { ...(recomputed ?? result), status: 'published', version: result.version };
      events.push(...(await this.cycles.publishOne(next, template, cmd.reason, session)));
      emitAll(outbox, events, { time: this.ctx.clock.now() });
      return (await this.ctx.data.versions.current(result._id, session))!;
    });
  }
}
