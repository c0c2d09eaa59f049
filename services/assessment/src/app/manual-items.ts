import { randomUUID } from 'node:crypto';
import type { ClientSession } from 'mongoose';
import type { ManualItemCode } from '@honglian/contracts';
import { emitAll, withOutbox } from '@honglian/messaging';
import { orThrow, scopeAllows, throwRefusal, type Principal } from '@honglian/service-kit';
import { refuse } from '@honglian/service-kit/domain';
import type { ManualItemQuery } from '../data/manual-items.js';
import {
  decideRecord,
  decideWithdraw,
  manualFactId,
  manualFactOf,
  type ManualItem,
  type MemberAtRecording,
} from '../domain/manual-items.js';
import { actorOf, type AssessmentContext } from './context.js';
import { MANUAL_FIELDS, manualScope } from './references.js';
import { placementOf } from './world.js';

export interface RecordManualItemInput {
  itemId?: string | undefined;
  memberId: string;
  code: ManualItemCode;
  points?: number | undefined;
  on: string;
  reason: string;
}

/**
 * Manual organisational items (awards, deductions, 清零) recorded by officials for members in
 * their scope. Recording writes the item, its `manual` fact and the event in one transaction;
 * a retry with the same `itemId` and content gives the same item back; withdrawal drops the
 * fact (the item stays, marked withdrawn, for audit).
 */
export class ManualItemService {
  constructor(private readonly ctx: AssessmentContext) {}

  /** The member as the read model places them, when in the caller's scope (else null: 404). */
  private async member(memberId: string, principal: Principal, session: ClientSession) {
    const m = await this.ctx.data.projections.member(memberId, session);
    if (!m) return null;
    const place = await placementOf(this.ctx, m, session);
    const member: MemberAtRecording = {
      memberId: m._id,
      name: m.name,
      county: m.county,
      status: m.status,
      ...place,
    };
    // Outside the caller's scope reads as missing.
    return scopeAllows(principal, member, MANUAL_FIELDS) ? member : null;
  }

  record(
    input: RecordManualItemInput,
    principal: Principal,
  ): Promise<{ item: ManualItem; created: boolean }> {
    const cmd = {
      itemId: input.itemId ?? `mi-${randomUUID()}`,
      memberId: input.memberId,
      code: input.code,
      points: input.points ?? null,
      on: input.on,
      reason: input.reason,
    };
    const now = this.ctx.clock.now();
    return withOutbox(this.ctx.conn, async (session, outbox) => {
      const store = this.ctx.data.manualItems;
      const member = await this.member(cmd.memberId, principal, session);
      const held = member ? await store.byId(cmd.itemId, session) : null;
      const { changes, events } = orThrow(decideRecord(cmd, member, held, { now, by: actorOf(principal) }));
      if (!changes.created) return changes;
      if (!(await store.insert(changes.item, session)))
        throwRefusal(
          refuse.conflict('该编号已被使用，请重试', 'this itemId was just taken: retry', { field: 'itemId' }),
        );
      await this.ctx.data.projections.putFacts([manualFactOf(changes.item)], session);
      emitAll(outbox, events, { time: now });
      this.ctx.logger.info(
        { itemId: changes.item._id, memberId: changes.item.memberId, code: changes.item.code },
        'manual item recorded',
      );
      return changes;
    });
  }

  async get(id: string, principal: Principal): Promise<ManualItem> {
    return (
      (await this.ctx.data.manualItems.scoped(id, manualScope(principal))) ?? throwRefusal(refuse.notFound())
    );
  }

  list(q: ManualItemQuery & { limit: number; cursor?: string | undefined }, principal: Principal) {
    const { limit, cursor, ...filter } = q;
    return this.ctx.data.manualItems.page(filter, manualScope(principal), { limit, cursor });
  }

  withdraw(id: string, reason: string, principal: Principal): Promise<ManualItem> {
    const now = this.ctx.clock.now();
    return withOutbox(this.ctx.conn, async (session, outbox) => {
      const store = this.ctx.data.manualItems;
      const held = await store.scoped(id, manualScope(principal), session);
      const { changes, events } = orThrow(decideWithdraw(held, reason, { now, by: actorOf(principal) }));
      const { status, withdrawnAt, withdrawnBy, withdrawReason } = changes;
      if (!(await store.withdraw(id, { status, withdrawnAt, withdrawnBy, withdrawReason }, session)))
        throwRefusal(refuse.conflict('该记录已撤销', 'the item is withdrawn already'));
      await this.ctx.data.projections.dropFact(manualFactId(id), session);
      emitAll(outbox, events, { time: now });
      this.ctx.logger.info({ itemId: id, memberId: changes.memberId }, 'manual item withdrawn');
      return changes;
    });
  }
}
