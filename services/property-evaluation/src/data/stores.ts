import type { ClientSession } from 'mongoose';
import type { Appeal } from '../domain/appeals.js';
import type { Cycle, CycleStatus } from '../domain/cycles.js';
import type { PublishedVersion, Result } from '../domain/results.js';
import type { Submission } from '../domain/submissions.js';
import type { Template } from '../domain/template.js';
import type { EvaluationModels } from './models.js';
import { findScoped, pageOf, type Page, type PageRequest } from './page.js';

type Filter = Record<string, unknown>;

/** A duplicate key (a concurrent writer got there first) is a `false`; anything else is thrown. */
function duplicateKey(err: { code?: number }): false {
  if (err.code === 11000) return false;
  throw err;
}

export class TemplateStore {
  constructor(private readonly m: EvaluationModels) {}
  scoped(id: string, filter: Filter, session?: ClientSession): Promise<Template | null> {
    return findScoped(this.m.Template, id, filter, session);
  }
  byId(id: string, session?: ClientSession): Promise<Template | null> {
    return this.m.Template.findById(id, null, { session }).lean<Template>();
  }
  async latest(code: string, county: string | null, session?: ClientSession): Promise<Template | null> {
    return this.m.Template.findOne({ code, county }, null, { session })
      .sort({ version: -1 })
      .lean<Template>();
  }
  async insert(t: Template, session?: ClientSession): Promise<void> {
    await this.m.Template.create([t], { session });
  }
  async markUsed(id: string, at: Date, session: ClientSession): Promise<void> {
    await this.m.Template.updateOne({ _id: id, usedAt: null }, { $set: { usedAt: at } }, { session });
  }
  page(filter: Filter, q: PageRequest): Promise<Page<Template>> {
    return pageOf(this.m.Template, filter, q);
  }
}

export class CycleStore {
  constructor(private readonly m: EvaluationModels) {}
  scoped(id: string, filter: Filter, session?: ClientSession): Promise<Cycle | null> {
    return findScoped(this.m.Cycle, id, filter, session);
  }
  byId(id: string, session?: ClientSession): Promise<Cycle | null> {
    return this.m.Cycle.findById(id, null, { session }).lean<Cycle>();
  }
  async exists(county: string, period: string, session?: ClientSession): Promise<boolean> {
    return (await this.m.Cycle.countDocuments({ county, period }, { session })) > 0;
  }
  /** False when the county has a cycle of that period already (the unique index says so). */
  async insert(c: Cycle, session: ClientSession): Promise<boolean> {
    return this.m.Cycle.create([c], { session }).then(() => true, duplicateKey);
  }
  /** Replaces the cycle if its status is still `expected`; false when it moved meanwhile. */
  async replaceIf(c: Cycle, expected: CycleStatus, session: ClientSession): Promise<boolean> {
    const res = await this.m.Cycle.replaceOne({ _id: c._id, status: expected }, c, { session });
    return res.matchedCount === 1;
  }
  page(filter: Filter, q: PageRequest): Promise<Page<Cycle>> {
    return pageOf(this.m.Cycle, filter, q);
  }
}

export class SubmissionStore {
  constructor(private readonly m: EvaluationModels) {}
  scoped(id: string, filter: Filter, session?: ClientSession): Promise<Submission | null> {
    return findScoped(this.m.Submission, id, filter, session);
  }
  byId(id: string, session?: ClientSession): Promise<Submission | null> {
    return this.m.Submission.findById(id, null, { session }).lean<Submission>();
  }
  byKey(
    k: Pick<Submission, 'cycleId' | 'firmId' | 'compoundId' | 'raterRole'>,
    session?: ClientSession,
  ): Promise<Submission | null> {
    const { cycleId, firmId, compoundId, raterRole } = k;
    return this.m.Submission.findOne({ cycleId, firmId, compoundId, raterRole }, null, {
      session,
    }).lean<Submission>();
  }
  /** Inserts or replaces it if its revision is still the one loaded; false when someone edited it meanwhile. */
  async save(s: Submission, session: ClientSession): Promise<boolean> {
    if (s.revision === 1) return this.m.Submission.create([s], { session }).then(() => true, duplicateKey);
    const res = await this.m.Submission.replaceOne({ _id: s._id, revision: s.revision - 1 }, s, { session });
    return res.matchedCount === 1;
  }
  ofCycle(cycleId: string, session?: ClientSession): Promise<Submission[]> {
    return this.m.Submission.find({ cycleId }, null, { session }).sort({ _id: 1 }).lean<Submission[]>();
  }
  ofFirm(cycleId: string, firmId: string, session?: ClientSession): Promise<Submission[]> {
    return this.m.Submission.find({ cycleId, firmId }, null, { session })
      .sort({ _id: 1 })
      .lean<Submission[]>();
  }
  page(filter: Filter, q: PageRequest): Promise<Page<Submission>> {
    return pageOf(this.m.Submission, filter, q);
  }
}

export class AppealStore {
  constructor(private readonly m: EvaluationModels) {}
  scoped(id: string, filter: Filter, session?: ClientSession): Promise<Appeal | null> {
    return findScoped(this.m.Appeal, id, filter, session);
  }
  byId(id: string, session?: ClientSession): Promise<Appeal | null> {
    return this.m.Appeal.findById(id, null, { session }).lean<Appeal>();
  }
  async insert(a: Appeal, session: ClientSession): Promise<void> {
    await this.m.Appeal.create([a], { session });
  }
  async replaceIfPending(a: Appeal, session: ClientSession): Promise<boolean> {
    const res = await this.m.Appeal.replaceOne({ _id: a._id, status: 'pending' }, a, { session });
    return res.matchedCount === 1;
  }
  pending(cycleId: string, session?: ClientSession): Promise<number> {
    return this.m.Appeal.countDocuments({ cycleId, status: 'pending' }, { session });
  }
  page(filter: Filter, q: PageRequest): Promise<Page<Appeal>> {
    return pageOf(this.m.Appeal, filter, q);
  }
}

export class ResultStore {
  constructor(private readonly m: EvaluationModels) {}
  scoped(id: string, filter: Filter, session?: ClientSession): Promise<Result | null> {
    return findScoped(this.m.Result, id, filter, session);
  }
  byId(id: string, session?: ClientSession): Promise<Result | null> {
    return this.m.Result.findById(id, null, { session }).lean<Result>();
  }
  ofCycle(cycleId: string, session?: ClientSession): Promise<Result[]> {
    return this.m.Result.find({ cycleId }, null, { session }).sort({ _id: 1 }).lean<Result[]>();
  }
  /** The cycle's results as computed now: replaces those of the last computation. */
  async replaceCycle(cycleId: string, results: readonly Result[], session: ClientSession): Promise<void> {
    await this.m.Result.deleteMany({ cycleId }, { session });
    if (results.length > 0) await this.m.Result.insertMany(results, { session });
  }
  async replace(r: Result, session: ClientSession): Promise<void> {
    await this.m.Result.replaceOne({ _id: r._id }, r, { session });
  }
  page(filter: Filter, q: PageRequest): Promise<Page<Result>> {
    return pageOf(this.m.Result, filter, q);
  }
}

export class VersionStore {
  constructor(private readonly m: EvaluationModels) {}
  current(resultId: string, session?: ClientSession): Promise<PublishedVersion | null> {
    return this.m.Version.findOne({ resultId, current: true }, null, { session }).lean<PublishedVersion>();
  }
  byId(id: string, session?: ClientSession): Promise<PublishedVersion | null> {
    return this.m.Version.findById(id, null, { session }).lean<PublishedVersion>();
  }
  ofResult(resultId: string): Promise<PublishedVersion[]> {
    return this.m.Version.find({ resultId }).sort({ version: 1 }).lean<PublishedVersion[]>();
  }
  /**
   * Firms with a blacklisting in force on `today` (a current version whose blacklisting runs past
   * it), leaving out the versions of one result (`except`) when given.
   */
  async blacklistedFirms(today: string, except?: string, session?: ClientSession): Promise<string[]> {
    const filter = {
      current: true,
      blacklistedUntil: { $gt: today },
      ...(except ? { resultId: { $ne: except } } : {}),
    };
    const ids = await this.m.Version.distinct('firmId', filter).session(session ?? null);
    return (ids as string[]).sort();
  }
  /** Adds a version; the one it supersedes stays, marked with its successor. Only new documents: nothing is edited but that mark. */
  async add(
    v: PublishedVersion,
    previous: PublishedVersion | null,
    session: ClientSession,
  ): Promise<boolean> {
    if (previous) {
      const res = await this.m.Version.updateOne(
        { _id: previous._id, current: true },
        { $set: { current: false, supersededBy: v.version } },
        { session },
      );
      if (res.matchedCount !== 1) return false;
    }
    await this.m.Version.create([v], { session });
    return true;
  }
  page(filter: Filter, q: PageRequest): Promise<Page<PublishedVersion>> {
    return pageOf(this.m.Version, filter, q);
  }
}
