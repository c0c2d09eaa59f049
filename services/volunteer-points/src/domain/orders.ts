import { accept, draftEvent, refuse, type Decision, type Refusal } from '@honglian/service-kit/domain';
import { OrderStateChanged } from '@honglian/contracts';

/**
 * The request loop (DOMAIN.md §3): 居民点单 → 组织下单 → 党员接单 → done → the
 * resident rates. A resident (or staff for them) posts; community staff
 * verify and dispatch to a member or open it to all; a member claims (a
 * micro-wish 微心愿 also a unit paired with its community, named by staff);
 * the claimant completes with proof; the resident rates 1–5. Unclaimed
 * after N days it escalates to the street.
 * Every step is timestamped in `history`; any other step is a 409.
 */
export type OrderStatus =
  'posted' | 'open' | 'dispatched' | 'claimed' | 'done' | 'rated' | 'rejected' | 'cancelled';
export type OrderKind = 'request' | 'wish';

export interface OrderStep {
  from: OrderStatus | null;
  to: OrderStatus;
  at: Date;
  by: string;
  note: string | null;
}

export interface Order {
  _id: string;
  county: string;
  communityId: string;
  communityPath: string;
  /** The street above the community (escalation target) and its path. */
  streetId: string | null;
  streetPath: string | null;
  kind: OrderKind;
  title: string;
  description: string;
  /** Yuan; micro-wishes only. */
  budget: number | null;
  /** `sub` of the resident who posted it (null when staff posted for someone without an account). */
  residentSub: string | null;
  residentName: string;
  status: OrderStatus;
  dispatchedTo: string | null;
  claimant: { kind: 'member' | 'unit'; id: string } | null;
  /** The member who claimed it (null for a unit's claim): the one points go to. */
  memberId: string | null;
  hours: number | null;
  proof: string | null;
  rating: number | null;
  ratingComment: string | null;
  escalated: boolean;
  /** Paths whose staff see the order: the community's, and the street's once escalated. */
  scopePaths: string[];
  history: OrderStep[];
  createdAt: Date;
  updatedAt: Date;
}

export type OrderAction =
  | { type: 'open' }
  | { type: 'dispatch'; memberId: string }
  | { type: 'reject'; reason: string }
  | { type: 'claim'; claimant: { kind: 'member' | 'unit'; id: string } }
  | { type: 'complete'; hours: number; proof: string }
  | { type: 'rate'; rating: number; comment: string }
  | { type: 'cancel'; reason: string }
  | { type: 'escalate' };

/** Who is acting, as the order's rules need it (resolved in app/references.ts). */
export interface OrderActor {
  by: string;
  manages: boolean;
  /** The member id of a member caller. */
  memberId: string | null;
  /** Whether the caller is the resident who posted it. */
  owner: boolean;
}

const FROM: Record<OrderAction['type'], readonly OrderStatus[]> = {
  open: ['posted'],
  dispatch: ['posted', 'open'],
  reject: ['posted'],
  claim: ['open', 'dispatched'],
  complete: ['claimed'],
  rate: ['done'],
  cancel: ['posted', 'open', 'dispatched'],
  escalate: ['posted', 'open', 'dispatched'],
};

export const ILLEGAL_STEP = (status: OrderStatus, action: string): Refusal =>
  refuse.conflict(`当前状态（${status}）不允许此操作`, `the order is ${status}: ${action} is not allowed`, {
    extras: { orderStatus: status },
  });
const NOT_YOURS = () => refuse.forbidden('无权进行此操作', 'you may not take this step on the order');

/**
 * A unit named to claim a micro-wish that no pairing in force links with the wish's community:
 * answered exactly like a unit that does not exist (422, field `unitId`), whatever the unit is
 * and wherever it is, so the answer tells nothing about units of other counties.
 */
export const UNKNOWN_UNIT = (): Refusal =>
  refuse.invalid('该单位不存在或未与本社区结对', 'no such unit paired with this community', {
    field: 'unitId',
  });

/** What a step needs to know beyond the order and the actor (the app resolves it from the read model). */
export interface StepFacts {
  /**
   * For a unit's claim: a pairing (结对共建) in force on the day of the claim links the unit with
   * the order's community (domain/pairings.ts `pairingLinks`).
   */
  unitPaired?: boolean;
}

function who(action: OrderAction, order: Order, actor: OrderActor, facts: StepFacts): Refusal | null {
  switch (action.type) {
    case 'open':
    case 'dispatch':
    case 'reject':
      return actor.manages ? null : NOT_YOURS();
    case 'claim':
      if (action.claimant.kind === 'unit') {
        if (order.kind !== 'wish' || !actor.manages)
          return refuse.invalid('只有微心愿可由结对单位认领', 'only a micro-wish can be claimed by a unit', {
            field: 'unitId',
          });
        return facts.unitPaired ? null : UNKNOWN_UNIT();
      }
      if (order.status === 'dispatched' && order.dispatchedTo !== action.claimant.id)
        return refuse.conflict('已派给其他党员', 'the order is dispatched to another member');
      return actor.memberId === action.claimant.id || actor.manages ? null : NOT_YOURS();
    case 'complete':
      return actor.manages || (actor.memberId !== null && actor.memberId === order.memberId)
        ? null
        : NOT_YOURS();
    case 'rate':
      return actor.owner || (order.residentSub === null && actor.manages) ? null : NOT_YOURS();
    case 'cancel':
      return actor.owner || actor.manages ? null : NOT_YOURS();
    case 'escalate':
      return null;
  }
}

const TARGET: Record<OrderAction['type'], (o: Order) => OrderStatus> = {
  open: () => 'open',
  dispatch: () => 'dispatched',
  reject: () => 'rejected',
  claim: () => 'claimed',
  complete: () => 'done',
  rate: () => 'rated',
  cancel: () => 'cancelled',
  escalate: (o) => o.status,
};

/**
 * One step of an order: the fields to set (with a history step) and the state-changed event.
 * A unit's claim of a micro-wish needs `facts.unitPaired` (absent: refused as an unknown unit).
 */
export function decideOrderStep(
  order: Order,
  action: OrderAction,
  actor: OrderActor,
  at: Date,
  facts: StepFacts = {},
): Decision<{ set: Partial<Order>; step: OrderStep }> {
  if (!FROM[action.type].includes(order.status)) return ILLEGAL_STEP(order.status, action.type);
  if (action.type === 'escalate' && (order.escalated || !order.streetPath))
    return ILLEGAL_STEP(order.status, action.type);
  const refused = who(action, order, actor, facts);
  if (refused) return refused;
  const to = TARGET[action.type](order);
  const set: Partial<Order> = { status: to, updatedAt: at };
  let note: string | null = null;
  switch (action.type) {
    case 'dispatch':
      set.dispatchedTo = action.memberId;
      break;
    case 'reject':
    case 'cancel':
      note = action.reason;
      break;
    case 'claim':
      set.claimant = action.claimant;
      set.memberId = action.claimant.kind === 'member' ? action.claimant.id : null;
      break;
    case 'complete':
      set.hours = action.hours;
      set.proof = action.proof;
      note = action.proof;
      break;
    case 'rate':
      set.rating = action.rating;
      set.ratingComment = action.comment || null;
      break;
    case 'escalate':
      set.escalated = true;
      set.scopePaths = [...order.scopePaths, order.streetPath!];
      note = '超期未认领，上报街道 (unclaimed, escalated to the street)';
      break;
    case 'open':
      break;
  }
  const step: OrderStep = { from: order.status, to, at, by: actor.by, note };
  const next = { ...order, ...set };
  return accept({ set, step }, [orderChanged(next, order.status, action.type === 'escalate', at)]);
}

export function orderChanged(order: Order, from: OrderStatus | null, escalated: boolean, at: Date) {
  return draftEvent(OrderStateChanged, {
    subject: order._id,
    county: order.county,
    data: {
      orderId: order._id,
      county: order.county,
      communityId: order.communityId,
      kind: order.kind,
      from,
      to: order.status,
      escalated,
      memberId: order.memberId,
      hours: order.hours,
      rating: order.rating,
      at: at.toISOString(),
    },
  });
}

/** Whether an order waits unclaimed for longer than `days` at `now` (and has not escalated yet). */
export function dueForEscalation(
  order: Pick<Order, 'status' | 'escalated' | 'createdAt'>,
  now: Date,
  days: number,
) {
  return (
    FROM.escalate.includes(order.status) &&
    !order.escalated &&
    now.getTime() - order.createdAt.getTime() >= days * 86_400_000
  );
}

/** A new order, posted. */
export function decidePost(
  cmd: Omit<
    Order,
    | 'status'
    | 'dispatchedTo'
    | 'claimant'
    | 'memberId'
    | 'hours'
    | 'proof'
    | 'rating'
    | 'ratingComment'
    | 'escalated'
    | 'history'
    | 'updatedAt'
    | 'scopePaths'
  > & { by: string },
  maxBudget: number,
): Decision<{ order: Order }> {
  if (cmd.kind === 'wish' && (cmd.budget === null || cmd.budget > maxBudget))
    return refuse.invalid(
      `微心愿预算须在 ${maxBudget} 元以内`,
      `a micro-wish needs a budget of at most ${maxBudget} yuan`,
      {
        field: 'budget',
      },
    );
  if (cmd.kind === 'request' && cmd.budget !== null)
    return refuse.invalid('居民点单不设预算', 'only a micro-wish has a budget', { field: 'budget' });
  const { by, ...rest } = cmd;
  const order: Order = {
    ...rest,
    status: 'posted',
    dispatchedTo: null,
    claimant: null,
    memberId: null,
    hours: null,
    proof: null,
    rating: null,
    ratingComment: null,
    escalated: false,
    scopePaths: [cmd.communityPath],
    history: [{ from: null, to: 'posted', at: cmd.createdAt, by, note: null }],
    updatedAt: cmd.createdAt,
  };
  return accept({ order }, [orderChanged(order, null, false, cmd.createdAt)]);
}
