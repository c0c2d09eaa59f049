import { emitAll, withOutbox } from '@honglian/messaging';
import { orThrow, type Principal } from '@honglian/service-kit';
import { decideClose, decideFollowUp } from '../domain/consequences.js';
import { actorOf, type AssessmentContext } from './context.js';
import { consequenceScope } from './references.js';

/** Consequences of published ratings: listed by scope, followed up, closed (announced). */
export class ConsequenceService {
  constructor(private readonly ctx: AssessmentContext) {}

  list(
    q: {
      status?: string | undefined;
      kind?: string | undefined;
      period?: string | undefined;
      cursor?: string | undefined;
      limit: number;
    },
    principal: Principal,
  ) {
    return this.ctx.data.ratings.consequences(q, consequenceScope(principal), q.limit);
  }

  followUp(id: string, note: string, principal: Principal) {
    return withOutbox(this.ctx.conn, async (session) => {
      const held = await this.ctx.data.ratings.consequence(id, consequenceScope(principal), session);
      const { changes } = orThrow(decideFollowUp(held, note, actorOf(principal), this.ctx.clock.now()));
      await this.ctx.data.ratings.putConsequences([changes], session);
      return changes;
    });
  }

  close(id: string, outcome: 'completed' | 'failed' | 'withdrawn', principal: Principal) {
    const now = this.ctx.clock.now();
    return withOutbox(this.ctx.conn, async (session, outbox) => {
      const held = await this.ctx.data.ratings.consequence(id, consequenceScope(principal), session);
      const { changes, events } = orThrow(decideClose(held, outcome, now));
      await this.ctx.data.ratings.putConsequences([changes], session);
      emitAll(outbox, events, { time: now });
      return changes;
    });
  }
}
