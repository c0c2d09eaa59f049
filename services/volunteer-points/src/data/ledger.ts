import { tenantFilter, type Principal } from '@honglian/service-kit';
import type { ClientSession } from 'mongoose';
import type { Account, Entry, EntryKind } from '../domain/ledger.js';
import { LEDGER_SCOPE } from '../domain/scope.js';
import type { PointsModels } from './models.js';
import { pageOf, type Page, type PageRequest } from './page.js';
import type { StarDoc } from './types.js';

export interface EntryQuery extends PageRequest {
  kind?: EntryKind | undefined;
}

export interface Ranked {
  key: string;
  county: string;
  points: number;
  hours: number;
}

const cents = (n: number) => Math.round(n * 100);

/** Ledger entries (append-only: inserted, never updated or deleted), accounts and stars. */
export class LedgerStore {
  constructor(private readonly m: PointsModels) {}

  entry(id: string, session?: ClientSession): Promise<Entry | null> {
    return this.m.Entry.findById(id, null, { session }).lean<Entry>();
  }

  async written(id: string, session: ClientSession): Promise<boolean> {
    return !!(await this.m.Entry.exists({ _id: id }).session(session));
  }

  account(memberId: string, session?: ClientSession): Promise<Account | null> {
    return this.m.Account.findById(memberId, null, { session }).lean<Account>();
  }

  /**
   * Appends an entry and applies it to the member's account in the caller's transaction. A
   * debit applies only while the balance covers it (a conditional update, so concurrent debits
   * never overdraw): false when it does not, and nothing is written.
   */
  async append(entry: Entry, session: ClientSession): Promise<boolean> {
    const inc = { balanceCents: cents(entry.points), hoursCents: cents(entry.hours), entries: 1 };
    if (entry.points < 0) {
      const res = await this.m.Account.updateOne(
        { _id: entry.memberId, balanceCents: { $gte: -inc.balanceCents } },
        { $inc: inc, $set: { updatedAt: entry.at } },
        { session },
      );
      if (res.matchedCount === 0) return false;
    } else {
      await this.m.Account.updateOne(
        { _id: entry.memberId },
        {
          $inc: inc,
          $set: {
            updatedAt: entry.at,
            county: entry.county,
            ...(entry.communityId
              ? { communityId: entry.communityId, communityPath: entry.communityPath }
              : {}),
          },
        },
        { session, upsert: true },
      );
    }
    await this.m.Entry.create([entry], { session });
    return true;
  }

  /** Points of `kinds` a member got in [from, to) (caps per day and month). */
  async sumPoints(
    memberId: string,
    kinds: EntryKind[],
    from: Date,
    to: Date,
    session?: ClientSession,
  ): Promise<number> {
    const rows = await this.m.Entry.aggregate<{ c: number }>([
      { $match: { memberId, kind: { $in: kinds }, at: { $gte: from, $lt: to } } },
      { $group: { _id: null, c: { $sum: { $round: [{ $multiply: ['$points', 100] }, 0] } } } },
    ]).session(session ?? null);
    return (rows[0]?.c ?? 0) / 100;
  }

  /**
   * Award points a member got for service on a CST day (the day's cap), whenever written, net of
   * their reversals (a corrected award does not use up the day). An award written without its
   * day counts by the day of its `at`.
   */
  async awardedOn(memberId: string, day: string, session?: ClientSession): Promise<number> {
    const from = new Date(`${day}T00:00:00+08:00`);
    const rows = await this.m.Entry.aggregate<{ c: number }>([
      {
        $match: {
          memberId,
          $or: [
            { kind: 'award', day },
            {
              kind: 'award',
              day: { $exists: false },
              at: { $gte: from, $lt: new Date(from.getTime() + 86_400_000) },
            },
            { kind: 'reversal', reverses: /^award:/, day },
          ],
        },
      },
      { $group: { _id: null, c: { $sum: { $round: [{ $multiply: ['$points', 100] }, 0] } } } },
    ]).session(session ?? null);
    return (rows[0]?.c ?? 0) / 100;
  }

  /** Points credited (awards, bonuses, net of their reversals) to a member from `from` on (year end). */
  async creditedSince(memberId: string, from: Date, session?: ClientSession): Promise<number> {
    const rows = await this.m.Entry.aggregate<{ c: number }>([
      {
        $match: {
          memberId,
          at: { $gte: from },
          $or: [{ kind: { $in: ['award', 'bonus'] } }, { kind: 'reversal', reverses: /^(award|bonus):/ }],
        },
      },
      { $group: { _id: null, c: { $sum: { $round: [{ $multiply: ['$points', 100] }, 0] } } } },
    ]).session(session ?? null);
    return (rows[0]?.c ?? 0) / 100;
  }

  /** A member's balance from the entries before `until` (year-end clearing). */
  async balanceBefore(memberId: string, until: Date, session?: ClientSession): Promise<number> {
    const rows = await this.m.Entry.aggregate<{ c: number }>([
      { $match: { memberId, at: { $lt: until } } },
      { $group: { _id: null, c: { $sum: { $round: [{ $multiply: ['$points', 100] }, 0] } } } },
    ]).session(session ?? null);
    return (rows[0]?.c ?? 0) / 100;
  }

  /** Every entry of a member, oldest first (reconciliation; capped). */
  entriesOf(memberId: string, limit = 100_000): Promise<Entry[]> {
    return this.m.Entry.find({ memberId }).sort({ at: 1, _id: 1 }).limit(limit).lean<Entry[]>();
  }

  pageOfMember(memberId: string, q: EntryQuery): Promise<Page<Entry>> {
    return pageOf(this.m.Entry, { memberId, ...(q.kind ? { kind: q.kind } : {}) }, q);
  }

  /** Accounts in the caller's scope (by their home community). */
  accounts(principal: Principal, q: PageRequest): Promise<Page<Account>> {
    return pageOf(
      this.m.Account,
      tenantFilter(principal, { orgPathField: 'communityPath', memberField: '_id' }),
      q,
    );
  }

  /** Every account id (year-end job), in id order after `after`. */
  async accountIds(after: string | null, limit: number): Promise<Account[]> {
    return this.m.Account.find(after ? { _id: { $gt: after } } : {})
      .sort({ _id: 1 })
      .limit(limit)
      .lean<Account[]>();
  }

  /** Sums per member of the entries in scope: for reconciliation against the accounts. */
  sumsByMember(principal: Principal): Promise<{ _id: string; c: number; h: number; n: number }[]> {
    return this.m.Entry.aggregate([
      { $match: tenantFilter(principal, LEDGER_SCOPE) },
      {
        $group: {
          _id: '$memberId',
          c: { $sum: { $round: [{ $multiply: ['$points', 100] }, 0] } },
          h: { $sum: { $round: [{ $multiply: ['$hours', 100] }, 0] } },
          n: { $sum: 1 },
        },
      },
    ]);
  }

  accountsOf(ids: string[]): Promise<Account[]> {
    return this.m.Account.find({ _id: { $in: ids } }).lean<Account[]>();
  }

  /** Points earned (awards, bonuses and their reversals) and hours in a period, ranked. */
  async ranking(
    match: Record<string, unknown>,
    by: 'memberId' | 'teamId',
    from: Date,
    to: Date,
    limit: number,
  ): Promise<Ranked[]> {
    const rows = await this.m.Entry.aggregate<{ _id: string; county: string; c: number; h: number }>([
      {
        $match: {
          ...match,
          at: { $gte: from, $lt: to },
          kind: { $in: ['award', 'bonus', 'reversal'] },
          ...(by === 'teamId' ? { teamId: { $type: 'string' } } : {}),
          // A reversal of a redemption gives back spent points: not earned ones.
          'cause.id': { $not: /^redemption:/ },
        },
      },
      {
        $group: {
          _id: `$${by}`,
          county: { $first: '$county' },
          c: { $sum: { $round: [{ $multiply: ['$points', 100] }, 0] } },
          h: { $sum: { $round: [{ $multiply: ['$hours', 100] }, 0] } },
        },
      },
      { $sort: { c: -1, h: -1, _id: 1 } },
      { $limit: limit },
    ]);
    return rows.map((r) => ({ key: r._id, county: r.county, points: r.c / 100, hours: r.h / 100 }));
  }

  starsOf(memberId: string, session?: ClientSession): Promise<StarDoc[]> {
    return this.m.Star.find({ memberId }, null, { session }).sort({ level: 1 }).lean<StarDoc[]>();
  }

  async insertStars(stars: StarDoc[], session: ClientSession): Promise<void> {
    if (stars.length) await this.m.Star.insertMany(stars, { session });
  }

  /** Members holding at least `level` stars in the caller's scope. */
  starred(principal: Principal, level: number): Promise<StarDoc[]> {
    return this.m.Star.find({
      ...tenantFilter(principal, { memberField: 'memberId' }),
      level: { $gte: level },
    })
      .sort({ _id: 1 })
      .limit(200)
      .lean<StarDoc[]>();
  }
}
