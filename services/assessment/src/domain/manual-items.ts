import { ManualItemRecorded, ManualItemWithdrawn, type ManualItemCode } from '@honglian/contracts';
import { accept, draftEvent, refuse, type Decision } from '@honglian/service-kit/domain';
import type { Fact } from './facts.js';

/**
 * A manual organisational item (DOMAIN.md §5): an award (bonus points), a deduction, or the
 * reset item 清零 (six months absent from organisational life and no dues: grey at once),
 * recorded by an official for a member. It counts through a `manual` fact (`ref` = its code,
 * `value` = its points, `eventId` = its id) until it is withdrawn; the record stays for audit.
 */
export interface ManualItem {
  _id: string;
  county: string;
  memberId: string;
  memberName: string;
  communityId: string | null;
  /** The member's org paths when recorded (scoping: community staff see their subtree). */
  orgPath: string[];
  code: ManualItemCode;
  /** Points of an award or deduction (a magnitude); null for the reset item. */
  points: number | null;
  /** The day it counts on, `YYYY-MM-DD` (China time). */
  on: string;
  /** Start of that day in China time (ISO instant): the period it counts in. */
  at: string;
  reason: string;
  status: 'active' | 'withdrawn';
  recordedBy: string;
  recordedAt: string;
  withdrawnBy: string | null;
  withdrawnAt: string | null;
  withdrawReason: string | null;
}

/** What an official asks to record. */
export interface RecordManualItem {
  itemId: string;
  memberId: string;
  code: ManualItemCode;
  points: number | null;
  on: string;
  reason: string;
}

/** The member as the read model places them. */
export interface MemberAtRecording {
  memberId: string;
  name: string;
  county: string;
  status: 'active' | 'inactive';
  communityId: string | null;
  orgPath: string[];
}

const CST = 8 * 3_600_000;
/** The day (`YYYY-MM-DD`) an instant falls on in China Standard Time. */
export const chinaDayOf = (instant: Date): string =>
  new Date(instant.getTime() + CST).toISOString().slice(0, 10);
/** The first instant of a China day, ISO. */
export const chinaDayStart = (day: string): string => new Date(`${day}T00:00:00+08:00`).toISOString();

/** The earliest day an item may count on (periods start in 2000). */
export const FIRST_DAY = '2000-01-01';

export const manualFactId = (itemId: string): string => `manual:${itemId}`;

/** The fact an active item counts by (measures: `ref` is the code, `value` the points). */
export function manualFactOf(item: ManualItem): Fact {
  return {
    _id: manualFactId(item._id),
    kind: 'manual',
    county: item.county,
    memberId: item.memberId,
    communityId: item.communityId,
    at: item.at,
    value: item.points ?? 0,
    ref: item.code,
    version: 0,
    note: item.reason,
    eventId: item._id,
  };
}

/** Whether a request states the same item as one held (a retry). */
export function sameItem(held: ManualItem, cmd: RecordManualItem): boolean {
  return (
    held.memberId === cmd.memberId &&
    held.code === cmd.code &&
    held.points === cmd.points &&
    held.on === cmd.on &&
    held.reason === cmd.reason
  );
}

/**
 * Recording an item: a retry of a held item (same id, same content) gives it back unchanged and
 * announces nothing; the same id with other content is a conflict. An award or deduction needs
 * points above 0, the reset item none; the day may not lie in the future (China time) nor
 * before 2000; the member must be active.
 */
export function decideRecord(
  cmd: RecordManualItem,
  member: MemberAtRecording | null,
  held: ManualItem | null,
  ctx: { now: Date; by: string },
): Decision<{ item: ManualItem; created: boolean }> {
  if (!member) return refuse.notFound();
  if (held) {
    return sameItem(held, cmd)
      ? accept({ item: held, created: false })
      : refuse.conflict('该编号已用于另一条记录', 'this itemId is already used for a different item', {
          field: 'itemId',
        });
  }
  if (member.status !== 'active')
    return refuse.conflict('该党员不在册，不能记录', 'the member is no longer active', {
      field: 'memberId',
    });
  if (cmd.code === 'absent-no-dues' ? cmd.points !== null : !(cmd.points !== null && cmd.points > 0))
    return refuse.invalid(
      '加分、扣分须填写大于0的分值，清零项不填分值',
      'an award or deduction needs points above 0; the reset item takes none',
      { field: 'points' },
    );
  if (cmd.on > chinaDayOf(ctx.now))
    return refuse.invalid('记录日期不能晚于今天', 'the day must not lie in the future', { field: 'on' });
  if (cmd.on < FIRST_DAY)
    return refuse.invalid('记录日期不能早于2000年', 'the day must not lie before 2000', { field: 'on' });
  const recordedAt = ctx.now.toISOString();
  const item: ManualItem = {
    _id: cmd.itemId,
    county: member.county,
    memberId: member.memberId,
    memberName: member.name,
    communityId: member.communityId,
    orgPath: member.orgPath,
    code: cmd.code,
    points: cmd.points,
    on: cmd.on,
    at: chinaDayStart(cmd.on),
    reason: cmd.reason,
    status: 'active',
    recordedBy: ctx.by,
    recordedAt,
    withdrawnBy: null,
    withdrawnAt: null,
    withdrawReason: null,
  };
  return accept({ item, created: true }, [
    draftEvent(ManualItemRecorded, {
      subject: item._id,
      county: item.county,
      data: {
        itemId: item._id,
        county: item.county,
        memberId: item.memberId,
        communityId: item.communityId,
        code: item.code,
        points: item.points,
        on: item.on,
        recordedAt,
      },
    }),
  ]);
}

/** Withdrawing an active item: it stops counting, the record keeps who withdrew it and why. */
export function decideWithdraw(
  item: ManualItem | null,
  reason: string,
  ctx: { now: Date; by: string },
): Decision<ManualItem> {
  if (!item) return refuse.notFound();
  if (item.status !== 'active') return refuse.conflict('该记录已撤销', 'the item is withdrawn already');
  const withdrawnAt = ctx.now.toISOString();
  return accept(
    { ...item, status: 'withdrawn' as const, withdrawnBy: ctx.by, withdrawnAt, withdrawReason: reason },
    [
      draftEvent(ManualItemWithdrawn, {
        subject: item._id,
        county: item.county,
        data: {
          itemId: item._id,
          county: item.county,
          memberId: item.memberId,
          code: item.code,
          on: item.on,
          withdrawnAt,
        },
      }),
    ],
  );
}
