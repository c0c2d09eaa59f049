import { tenantFilter, type Principal } from '@honglian/service-kit';
import type { ClientSession } from 'mongoose';
import type { YearEndPolicy } from '../domain/ledger.js';
import type { RecordStatus, ServiceRecord } from '../domain/records.js';
import type { RuleVersion } from '../domain/rules.js';
import { LEDGER_SCOPE } from '../domain/scope.js';
import type { PointsModels } from './models.js';
import { pageOf, type Page, type PageRequest } from './page.js';
import type { YearEndSetting } from './types.js';

export interface RecordQuery extends PageRequest {
  memberId?: string | undefined;
  status?: RecordStatus | undefined;
}

/** Service records, rule versions, community settings and number counters. */
export class RecordStore {
  constructor(private readonly m: PointsModels) {}

  byId(id: string, session?: ClientSession): Promise<ServiceRecord | null> {
    return this.m.Record.findById(id, null, { session }).lean<ServiceRecord>();
  }

  async bySource(source: string, sourceId: string, session: ClientSession): Promise<ServiceRecord | null> {
    return this.m.Record.findOne({ source: source as ServiceRecord['source'], sourceId }, null, {
      session,
    }).lean<ServiceRecord>();
  }

  async insert(record: ServiceRecord, session: ClientSession): Promise<void> {
    await this.m.Record.create([record], { session });
  }

  /** Sets the fields while the record is still pending; false when it changed meanwhile. */
  async updateIfPending(id: string, set: Partial<ServiceRecord>, session: ClientSession): Promise<boolean> {
    const res = await this.m.Record.updateOne({ _id: id, status: 'pending' }, { $set: set }, { session });
    return res.matchedCount > 0;
  }

  page(principal: Principal, q: RecordQuery): Promise<Page<ServiceRecord>> {
    return pageOf(
      this.m.Record,
      // AND, never spread: a query's memberId must not replace a member's own scope.
      {
        $and: [
          tenantFilter(principal, LEDGER_SCOPE),
          { ...(q.memberId ? { memberId: q.memberId } : {}), ...(q.status ? { status: q.status } : {}) },
        ],
      },
      q,
    );
  }

  /** Approved records in scope with dates in [from, to] (days), for exports; capped. */
  inPeriod(principal: Principal, from: string, to: string, communityId?: string): Promise<ServiceRecord[]> {
    return this.m.Record.find({
      $and: [
        tenantFilter(principal, LEDGER_SCOPE),
        { status: 'approved', date: { $gte: from, $lte: to }, ...(communityId ? { communityId } : {}) },
      ],
    })
      .sort({ date: 1, _id: 1 })
      .limit(50_000)
      .lean<ServiceRecord[]>();
  }

  /** Approved hours of a member with dates in [from, to] (days, inclusive). */
  async approvedHours(memberId: string, from: string, to: string): Promise<number> {
    const rows = await this.m.Record.aggregate<{ h: number }>([
      { $match: { memberId, status: 'approved', date: { $gte: from, $lte: to } } },
      { $group: { _id: null, h: { $sum: { $round: [{ $multiply: ['$hours', 100] }, 0] } } } },
    ]);
    return (rows[0]?.h ?? 0) / 100;
  }

  /* ---------- rules ---------- */

  latestRule(scope: string, session?: ClientSession): Promise<RuleVersion | null> {
    return this.m.Rule.findOne({ scope }, null, { session }).sort({ version: -1 }).lean<RuleVersion>();
  }

  async insertRule(rule: RuleVersion): Promise<void> {
    await this.m.Rule.create([rule]);
  }

  rulesOf(scopes: string[]): Promise<RuleVersion[]> {
    return this.m.Rule.find({ scope: { $in: scopes } })
      .sort({ scope: 1, version: 1 })
      .limit(500)
      .lean<RuleVersion[]>();
  }

  /* ---------- community settings ---------- */

  setting(communityId: string, session?: ClientSession): Promise<YearEndSetting | null> {
    return this.m.Setting.findById(communityId, null, { session }).lean<YearEndSetting>();
  }

  async putSetting(s: YearEndSetting): Promise<void> {
    await this.m.Setting.replaceOne({ _id: s._id }, s, { upsert: true });
  }

  /** Year-end policies by community id. */
  async policies(): Promise<Map<string, YearEndPolicy>> {
    const all = await this.m.Setting.find({}).limit(100_000).lean<YearEndSetting[]>();
    return new Map(all.map((s) => [s._id, s.yearEnd]));
  }

  /** The next number of a series (certificate numbers), in the caller's transaction. */
  async next(series: string, session: ClientSession): Promise<number> {
    const doc = await this.m.Counter.findOneAndUpdate(
      { _id: series },
      { $inc: { n: 1 } },
      { upsert: true, returnDocument: 'after', session },
    ).lean<{ n: number }>();
    return doc!.n;
  }
}
