import { accept, draftEvent, refuse, type Decision } from '@honglian/service-kit/domain';
import { PointsRedeemed, PointsReversed } from '@honglian/contracts';
import type { Entry } from './ledger.js';
import { round2 } from './rules.js';

/**
 * Redemption (爱心超市/积分超市): a community's catalogue with point prices and
 * stock. Redeeming reserves the stock and debits the points in one
 * transaction; cancelling puts both back (a reversal entry). The stores
 * repeat the two checks as conditional updates, so concurrent redemptions
 * never overdraw a balance nor oversell an item.
 */
export interface CatalogueItem {
  _id: string;
  county: string;
  communityId: string;
  communityPath: string;
  name: string;
  price: number;
  stock: number;
  active: boolean;
  createdAt: Date;
}

export interface Redemption {
  _id: string;
  county: string;
  communityId: string;
  communityPath: string;
  memberId: string;
  itemId: string;
  itemName: string;
  quantity: number;
  points: number;
  status: 'reserved' | 'cancelled';
  entryId: string;
  by: string;
  createdAt: Date;
  cancelledAt: Date | null;
  cancelReason: string | null;
}

export const OUT_OF_STOCK = () =>
  refuse.conflict('库存不足', 'not enough of the item in stock', { field: 'quantity' });
export const INSUFFICIENT = () =>
  refuse.conflict('积分余额不足', 'the balance does not cover the price', { field: 'quantity' });
export const ALREADY_CANCELLED = () => refuse.conflict('兑换已取消', 'the redemption is already cancelled');

export function decideRedeem(
  cmd: { redemptionId: string; memberId: string; county: string; quantity: number; at: Date; by: string },
  state: { item: CatalogueItem; balance: number },
): Decision<{ redemption: Redemption; entry: Entry }> {
  const { item } = state;
  if (!item.active) return refuse.gone('该物品已下架', 'the item is no longer offered', { field: 'itemId' });
  if (item.stock < cmd.quantity) return OUT_OF_STOCK();
  const points = round2(item.price * cmd.quantity);
  if (state.balance < points) return INSUFFICIENT();
  const entry: Entry = {
    _id: `redemption:${cmd.redemptionId}`,
    county: cmd.county,
    memberId: cmd.memberId,
    communityId: item.communityId,
    communityPath: item.communityPath,
    kind: 'redemption',
    points: -points,
    hours: 0,
    cause: { type: 'redemption', id: cmd.redemptionId },
    ruleVersion: 'catalogue',
    reason: null,
    reverses: null,
    teamId: null,
    at: cmd.at,
    by: cmd.by,
  };
  const redemption: Redemption = {
    _id: cmd.redemptionId,
    county: item.county,
    communityId: item.communityId,
    communityPath: item.communityPath,
    memberId: cmd.memberId,
    itemId: item._id,
    itemName: item.name,
    quantity: cmd.quantity,
    points,
    status: 'reserved',
    entryId: entry._id,
    by: cmd.by,
    createdAt: cmd.at,
    cancelledAt: null,
    cancelReason: null,
  };
  const event = draftEvent(PointsRedeemed, {
    subject: cmd.memberId,
    county: cmd.county,
    data: {
      entryId: entry._id,
      redemptionId: redemption._id,
      county: cmd.county,
      memberId: cmd.memberId,
      communityId: item.communityId,
      itemId: item._id,
      quantity: cmd.quantity,
      points,
      balance: round2(state.balance - points),
      at: cmd.at.toISOString(),
    },
  });
  return accept({ redemption, entry }, [event]);
}

/** Cancelling a redemption: the points come back as a reversal entry, the stock is released. */
export function decideCancelRedemption(
  redemption: Redemption,
  debit: Entry,
  cmd: { reason: string; at: Date; by: string; balance: number },
): Decision<{ set: Partial<Redemption>; entry: Entry }> {
  if (redemption.status === 'cancelled') return ALREADY_CANCELLED();
  const entry: Entry = {
    ...debit,
    _id: `reversal:${debit._id}`,
    kind: 'reversal',
    points: round2(-debit.points),
    cause: { type: 'entry', id: debit._id },
    reason: cmd.reason,
    reverses: debit._id,
    at: cmd.at,
    by: cmd.by,
  };
  return accept({ set: { status: 'cancelled', cancelledAt: cmd.at, cancelReason: cmd.reason }, entry }, [
    draftEvent(PointsReversed, {
      subject: redemption.memberId,
      county: redemption.county,
      data: {
        entryId: entry._id,
        reversesEntryId: debit._id,
        county: redemption.county,
        memberId: redemption.memberId,
        points: entry.points,
        hours: 0,
        reason: cmd.reason,
        balance: round2(cmd.balance + entry.points),
        at: cmd.at.toISOString(),
      },
    }),
  ]);
}
