import type { ClientSession } from 'mongoose';
import type { TenantFilter } from '@honglian/service-kit';
import type { Consequence } from '../domain/consequences.js';
import { parsePeriod } from '../domain/periods.js';
import type { Rating } from '../domain/ratings.js';
import type { AssessmentModels, Doc, JobDoc, PeriodDoc, RuleDoc } from './models.js';

export interface RatingQuery {
  period?: string | undefined;
  level?: string | undefined;
  colour?: string | undefined;
  county?: string | undefined;
}

/** Ratings, periods, consequences, rule versions and jobs: every query ANDed with the caller's scope. */
export class RatingStore {
  constructor(private readonly m: AssessmentModels) {}

  /**
   * Replaces a county's ratings of an open period. A member rated in another county before
   * (transferred since): that county's provisional rating of the period goes (she is rated
   * here now); its published one stays, and is not rated again here.
   */
  async replace(period: string, county: string, ratings: Rating[], session?: ClientSession): Promise<void> {
    await this.m.Rating.deleteMany({ period, county }, { session });
    const members = ratings.filter((r) => r.level === 'member').map((r) => r._id);
    const elsewhere = members.length
      ? await this.m.Rating.find(
          { _id: { $in: members }, county: { $ne: county } },
          { status: 1 },
          { session },
        ).lean<Pick<Rating, '_id' | 'status'>[]>()
      : [];
    const moved = elsewhere.filter((r) => r.status !== 'published').map((r) => r._id);
    if (moved.length) await this.m.Rating.deleteMany({ _id: { $in: moved } }, { session });
    const kept = new Set(elsewhere.filter((r) => r.status === 'published').map((r) => r._id));
    const mine = kept.size ? ratings.filter((r) => !kept.has(r._id)) : ratings;
    if (mine.length) await this.m.Rating.insertMany(mine, { session });
  }

  /** Of these members, those whose rating of the period was published in another county. */
  async publishedElsewhere(period: string, county: string, memberIds: string[]): Promise<Set<string>> {
    if (memberIds.length === 0) return new Set();
    const docs = await this.m.Rating.find(
      {
        period,
        status: 'published',
        level: 'member',
        county: { $ne: county },
        subjectId: { $in: memberIds },
      },
      { subjectId: 1 },
    ).lean<Pick<Rating, 'subjectId'>[]>();
    return new Set(docs.map((d) => d.subjectId));
  }

  async save(ratings: Rating[], session?: ClientSession): Promise<void> {
    for (const r of ratings) await this.m.Rating.replaceOne({ _id: r._id }, r, { session });
  }

  ofPeriod(period: string, county: string, session?: ClientSession): Promise<Rating[]> {
    return this.m.Rating.find({ period, county }, null, { session }).sort({ _id: 1 }).lean<Rating[]>();
  }

  one(id: string, scope: TenantFilter): Promise<Rating | null> {
    return this.m.Rating.findOne({ $and: [{ _id: id }, scope] }).lean<Rating>();
  }

  private filter(q: RatingQuery, scope: TenantFilter): TenantFilter {
    return {
      $and: [
        scope,
        {
          ...(q.period ? { period: q.period } : {}),
          ...(q.level ? { level: q.level } : {}),
          ...(q.colour ? { 'result.colour': q.colour } : {}),
          ...(q.county ? { county: q.county } : {}),
        },
      ],
    };
  }

  async page(q: RatingQuery, scope: TenantFilter, limit: number, cursor?: string) {
    const where = this.filter(q, scope);
    const items = await this.m.Rating.find({ $and: [where, cursor ? { _id: { $gt: cursor } } : {}] })
      .sort({ _id: 1 })
      .limit(limit + 1)
      .lean<Rating[]>();
    const total = await this.m.Rating.countDocuments(where);
    const more = items.length > limit;
    const shown = items.slice(0, limit);
    return { items: shown, nextCursor: more ? shown.at(-1)!._id : null, total };
  }

  /** Colour, level and period of every rating in scope (dashboard counts and trend). */
  summary(
    q: RatingQuery,
    scope: TenantFilter,
  ): Promise<Pick<Rating, 'period' | 'level' | 'result' | 'status'>[]> {
    return this.m.Rating.find(this.filter(q, scope), {
      period: 1,
      level: 1,
      'result.colour': 1,
      status: 1,
    }).lean<Rating[]>();
  }

  /**
   * Published ratings of these subjects in the periods of the same kind before `period` (a
   * quarter: earlier quarters, never its months or its year), the latest period first.
   */
  async history(subjectIds: string[], period: string, session?: ClientSession): Promise<Rating[]> {
    const kind = parsePeriod(period)?.kind;
    const held = await this.m.Rating.find(
      { subjectId: { $in: subjectIds }, status: 'published', period: { $lt: period } },
      { subjectId: 1, period: 1, 'result.colour': 1, 'result.score': 1 },
      { session },
    ).lean<Rating[]>();
    return held
      .filter((r) => parsePeriod(r.period)?.kind === kind)
      .sort((a, b) => b.period.localeCompare(a.period));
  }

  /* ---------- periods ---------- */
  period(period: string, county: string, session?: ClientSession): Promise<PeriodDoc | null> {
    return this.m.Period.findById(`${period}:${county}`, null, { session }).lean<PeriodDoc>();
  }
  async putPeriod(doc: PeriodDoc, session?: ClientSession): Promise<void> {
    await this.m.Period.replaceOne({ _id: doc._id }, doc, { upsert: true, session });
  }
  periods(scope: TenantFilter): Promise<PeriodDoc[]> {
    return this.m.Period.find(scope).sort({ period: 1, county: 1 }).lean<PeriodDoc[]>();
  }
  openPeriods(county: string): Promise<PeriodDoc[]> {
    return this.m.Period.find({ county, status: 'open' }).lean<PeriodDoc[]>();
  }

  /* ---------- consequences ---------- */
  async putConsequences(list: Consequence[], session?: ClientSession): Promise<void> {
    for (const c of list) await this.m.Consequence.replaceOne({ _id: c._id }, c, { upsert: true, session });
  }
  consequence(id: string, scope: TenantFilter, session?: ClientSession): Promise<Consequence | null> {
    return this.m.Consequence.findOne({ $and: [{ _id: id }, scope] }, null, { session }).lean<Consequence>();
  }
  /** A page of consequences in id order, after `cursor` (the last id of the previous page). */
  consequences(
    q: {
      status?: string | undefined;
      kind?: string | undefined;
      period?: string | undefined;
      cursor?: string | undefined;
    },
    scope: TenantFilter,
    limit: number,
  ) {
    return this.m.Consequence.find({
      $and: [
        scope,
        {
          ...(q.status ? { status: q.status } : {}),
          ...(q.kind ? { kind: q.kind } : {}),
          ...(q.period ? { period: q.period } : {}),
          ...(q.cursor ? { _id: { $gt: q.cursor } } : {}),
        },
      ],
    })
      .sort({ _id: 1 })
      .limit(limit)
      .lean<Consequence[]>();
  }

  /* ---------- rule versions ---------- */
  latestRule(scope: string): Promise<RuleDoc | null> {
    return this.m.Rule.findOne({ scope }).sort({ version: -1 }).lean<RuleDoc>();
  }
  /** Adds a rule version; false when that version exists already (another one was added meanwhile). */
  async addRule(doc: RuleDoc): Promise<boolean> {
    const res = await this.m.Rule.updateOne(
      { _id: doc._id },
      { $setOnInsert: doc as unknown as Doc },
      { upsert: true },
    );
    return res.upsertedCount > 0;
  }
  /** One rule version by id (`city-2`, `331003-1`). */
  ruleById(id: string): Promise<RuleDoc | null> {
    return this.m.Rule.findById(id).lean<RuleDoc>();
  }
  /** The latest override of every county that has one. */
  async latestOverrides(): Promise<RuleDoc[]> {
    const all = await this.m.Rule.find({ scope: { $ne: 'city' } })
      .sort({ scope: 1, version: 1 })
      .lean<RuleDoc[]>();
    return [...new Map(all.map((d) => [d.scope, d])).values()];
  }
  rules(scopes: string[]): Promise<RuleDoc[]> {
    return this.m.Rule.find({ scope: { $in: scopes } })
      .sort({ scope: 1, version: 1 })
      .lean<RuleDoc[]>();
  }

  /* ---------- jobs ---------- */
  async createJob(doc: JobDoc): Promise<void> {
    await this.m.Job.create(doc as unknown as Doc);
  }
  async finishJob(id: string, change: Partial<JobDoc>): Promise<void> {
    await this.m.Job.updateOne({ _id: id }, { $set: change });
  }
  job(id: string): Promise<JobDoc | null> {
    return this.m.Job.findById(id).lean<JobDoc>();
  }
}
