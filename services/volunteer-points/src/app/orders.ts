import { orThrow, throwRefusal, type Principal } from '@honglian/service-kit';
import { emitAll, withOutbox, type OutboxWriter } from '@honglian/messaging';
import type { EventData, OrderStateChanged } from '@honglian/contracts';
import type { ClientSession } from 'mongoose';
import type { OrderQuery } from '../data/orders.js';
import type { Page } from '../data/page.js';
import {
  decideOrderStep,
  decidePost,
  dueForEscalation,
  ILLEGAL_STEP,
  type Order,
  type OrderAction,
  type OrderKind,
  type StepFacts,
} from '../domain/orders.js';
import { dayOf } from '../domain/rules.js';
import { manages, managesAny } from '../domain/scope.js';
import { actorOf, newId, type PointsContext } from './context.js';
import type { Ledger } from './ledger.js';
import type { RecordService } from './records.js';
import { UNKNOWN, type References } from './references.js';

export interface PostOrder {
  kind: OrderKind;
  communityId: string;
  title: string;
  description: string;
  budget?: number | undefined;
  /** Staff posting for a resident without an account: the resident's name. */
  residentName?: string | undefined;
}

/** Resident orders and micro-wishes: post, each step of the loop, escalation; points via the outbox. */
export class OrderService {
  constructor(
    private readonly ctx: PointsContext,
    private readonly refs: References,
    private readonly records: RecordService,
    private readonly ledger: Ledger,
  ) {}

  private get store() {
    return this.ctx.data.orders;
  }

  async post(cmd: PostOrder, principal: Principal): Promise<Order> {
    const isResident = principal.roles.includes('resident');
    const community = await this.refs.community(principal, cmd.communityId, { anyInCounty: isResident });
    const street = await this.refs.streetOf(community);
    const now = this.ctx.clock.now();
    const byStaff = manages(principal, { county: community.county, path: community.path });
    const { changes, events } = orThrow(
      decidePost(
        {
          _id: newId('ord'),
          county: community.county,
          communityId: community._id,
          communityPath: community.path,
          streetId: street?._id ?? null,
          streetPath: street?.path ?? null,
          kind: cmd.kind,
          title: cmd.title,
          description: cmd.description,
          budget: cmd.budget ?? null,
          residentSub: byStaff && !isResident ? null : principal.subject,
          residentName: cmd.residentName ?? principal.name ?? actorOf(principal),
          createdAt: now,
          by: actorOf(principal),
        },
        this.ctx.settings.wishMaxBudget,
      ),
    );
    return withOutbox(this.ctx.conn, async (session, outbox) => {
      await this.store.insert(changes.order, session);
      emitAll(outbox, events, { time: now });
      return changes.order;
    });
  }

  /** One step of the loop by a caller; refused with 409 when the order's state does not allow it. */
  async step(id: string, action: OrderAction, principal: Principal): Promise<Order> {
    const order = await this.refs.order(principal, id);
    if (action.type === 'dispatch')
      await this.refs.member(principal, action.memberId, { named: 'body', manageOnly: true });
    if (
      action.type === 'claim' &&
      action.claimant.kind === 'member' &&
      action.claimant.id !== principal.memberId
    ) {
      // Staff claiming for a member name one they manage; nobody claims for an unnamed member.
      if (!action.claimant.id) throwRefusal(UNKNOWN.member());
      await this.refs.member(principal, action.claimant.id, { named: 'body', manageOnly: true });
    }
    const actor = {
      by: actorOf(principal),
      manages: managesAny(principal, order.county, order.scopePaths),
      memberId: principal.roles.includes('member') ? (principal.memberId ?? null) : null,
      owner: principal.roles.includes('resident') && order.residentSub === principal.subject,
    };
    return this.apply(id, action, actor);
  }

  private apply(
    id: string,
    action: OrderAction,
    actor: Parameters<typeof decideOrderStep>[2],
  ): Promise<Order> {
    const now = this.ctx.clock.now();
    return withOutbox(this.ctx.conn, async (session, outbox) => {
      const order = (await this.store.byId(id, session))!;
      const facts = await this.factsFor(order, action, now, session);
      const { changes, events } = orThrow(decideOrderStep(order, action, actor, now, facts));
      if (!(await this.store.step(id, order.status, changes.set, changes.step, session)))
        throwRefusal(ILLEGAL_STEP(order.status, action.type));
      emitAll(outbox, events, { time: now });
      return { ...order, ...changes.set, history: [...order.history, changes.step] };
    });
  }

  /**
   * What the step needs from the read model: for a unit's claim, whether a pairing in force on
   * the claim's (CST) day links the unit with the order's community. Read in the step's
   * transaction; a unit the read model does not know is simply not paired.
   */
  private async factsFor(
    order: Order,
    action: OrderAction,
    now: Date,
    session: ClientSession,
  ): Promise<StepFacts> {
    if (action.type !== 'claim' || action.claimant.kind !== 'unit') return {};
    const unitPaired = await this.ctx.data.readModel.pairsUnitWith(
      action.claimant.id,
      order.communityId,
      dayOf(now),
      session,
    );
    return { unitPaired };
  }

  get(id: string, principal: Principal): Promise<Order> {
    return this.refs.order(principal, id);
  }

  list(q: OrderQuery, principal: Principal): Promise<Page<Order>> {
    return this.store.page(principal, q);
  }

  /** The scheduled job: orders unclaimed for `escalateDays` go up to the street. Returns how many. */
  async escalateDue(): Promise<number> {
    const now = this.ctx.clock.now();
    const days = this.ctx.settings.escalateDays;
    const due = await this.store.unclaimedSince(new Date(now.getTime() - days * 86_400_000), 500);
    let n = 0;
    for (const o of due) {
      if (!dueForEscalation(o, now, days) || !o.streetPath) continue;
      const actor = { by: 'system', manages: true, memberId: null, owner: false };
      await this.apply(o._id, { type: 'escalate' }, actor).then(
        () => n++,
        () => undefined, // moved on meanwhile: nothing to escalate
      );
    }
    return n;
  }

  /** This service's own `order.state-changed` events: points when done, the bonus for 5/5. Idempotent. */
  async onStateChanged(d: EventData<typeof OrderStateChanged>, session: ClientSession, outbox: OutboxWriter) {
    if (d.escalated) return 'ignored' as const;
    if (d.to === 'done') return this.records.fromOrder(d, session, outbox);
    if (d.to === 'rated' && d.rating === 5 && d.memberId) {
      const order = await this.store.byId(d.orderId, session);
      if (!order) return 'ignored' as const;
      await this.ledger.bonus(
        {
          memberId: d.memberId,
          county: d.county,
          communityId: order.communityId,
          communityPath: order.communityPath,
          cause: { type: 'rating', id: d.orderId },
          at: new Date(d.at),
          by: 'rating',
        },
        'bonusFiveStar',
        session,
        outbox,
      );
      return 'applied' as const;
    }
    return 'ignored' as const;
  }
}
