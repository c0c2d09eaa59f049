import type { ClientSession } from 'mongoose';
import type { Fact } from '../domain/facts.js';
import type { AssessmentModels, ContractRm, LogDoc, MemberRm, OrgRm } from './models.js';

const newer = (
  next: { effectiveFrom: string; eventTime: string },
  held: { effectiveFrom: string; eventTime: string },
) =>
  next.effectiveFrom !== held.effectiveFrom
    ? next.effectiveFrom > held.effectiveFrom
    : Date.parse(next.eventTime) >= Date.parse(held.eventTime);

/** The projections (facts and the registry's tree, members, contracts) and the event log behind them. */
export class ProjectionStore {
  constructor(private readonly m: AssessmentModels) {}

  /** Keeps the event; false when it was kept already (a redelivery). */
  async log(doc: LogDoc, session?: ClientSession): Promise<boolean> {
    const res = await this.m.Log.updateOne(
      { _id: doc._id },
      { $setOnInsert: doc },
      { upsert: true, session },
    );
    return res.upsertedCount > 0;
  }

  /**
   * Facts by natural key. Two events stating the same fact (a re-sent copy with a new id) keep
   * the one with the smaller event id, so arrival order never changes the state.
   */
  async putFacts(facts: Fact[], session?: ClientSession): Promise<void> {
    for (const f of facts) {
      const held = await this.m.Fact.findById(f._id, { eventId: 1 }, { session }).lean<Fact>();
      if (held && held.eventId <= f.eventId) continue;
      await this.m.Fact.replaceOne({ _id: f._id }, f, { upsert: true, session });
    }
  }

  /** Removes a fact (a withdrawn manual item stops counting). */
  async dropFact(id: string, session?: ClientSession): Promise<void> {
    await this.m.Fact.deleteOne({ _id: id }, { session });
  }

  /** An org, member or contract as the registry states it; an older state never overwrites a newer one. */
  async putOrg(org: OrgRm, session?: ClientSession): Promise<void> {
    const held = await this.m.Org.findById(org._id, null, { session }).lean<OrgRm>();
    if (held && !newer(org, held)) return;
    await this.m.Org.replaceOne(
      { _id: org._id },
      { ...org, closedOn: held?.closedOn ?? org.closedOn },
      { upsert: true, session },
    );
  }

  async closeOrg(id: string, closedOn: string, session?: ClientSession): Promise<void> {
    await this.m.Org.updateOne({ _id: id }, { $set: { closedOn } }, { session });
  }

  async putMember(member: MemberRm, session?: ClientSession): Promise<void> {
    const held = await this.m.Member.findById(member._id, null, { session }).lean<MemberRm>();
    if (held && !newer(member, held)) return;
    await this.m.Member.replaceOne({ _id: member._id }, member, { upsert: true, session });
  }

  async putContract(c: ContractRm, ended: boolean, session?: ClientSession): Promise<void> {
    const held = await this.m.Contract.findById(c._id, null, { session }).lean<ContractRm>();
    // An end, once known, stays (an end may arrive before the start).
    const validTo = ended
      ? c.validTo
      : held && held.validTo !== c.validTo && held.validTo
        ? held.validTo
        : c.validTo;
    await this.m.Contract.replaceOne({ _id: c._id }, { ...c, validTo }, { upsert: true, session });
  }

  /** The facts of a county (every county: null) from `from` to `to` (exclusive). */
  facts(county: string | null, from: string, to: string): Promise<Fact[]> {
    return this.m.Fact.find({ ...(county ? { county } : {}), at: { $gte: from, $lt: to } })
      .sort({ _id: 1 })
      .lean<Fact[]>();
  }

  /** Members who ever had an active report. */
  async reportedMembers(county: string): Promise<Set<string>> {
    const docs = await this.m.Fact.find({ county, kind: 'report-active' }, { memberId: 1 }).lean<Fact[]>();
    return new Set(docs.map((d) => d.memberId ?? ''));
  }

  orgs(county: string | null): Promise<OrgRm[]> {
    return this.m.Org.find(county ? { county } : {})
      .sort({ _id: 1 })
      .lean<OrgRm[]>();
  }
  org(id: string): Promise<OrgRm | null> {
    return this.m.Org.findById(id).lean<OrgRm>();
  }
  orgsByIds(ids: string[], session?: ClientSession): Promise<OrgRm[]> {
    return this.m.Org.find({ _id: { $in: ids } }, null, { session }).lean<OrgRm[]>();
  }
  members(county: string): Promise<MemberRm[]> {
    return this.m.Member.find({ county, status: 'active' }).sort({ _id: 1 }).lean<MemberRm[]>();
  }
  member(id: string, session?: ClientSession): Promise<MemberRm | null> {
    return this.m.Member.findById(id, null, { session }).lean<MemberRm>();
  }
  contracts(county: string): Promise<ContractRm[]> {
    return this.m.Contract.find({ county }).lean<ContractRm[]>();
  }
  async counties(): Promise<string[]> {
    const docs = await this.m.Org.find({ kind: 'county' }, { _id: 1 }).lean<OrgRm[]>();
    return docs.map((d) => d._id).sort();
  }

  /** The whole state of the projections, in key order (a rebuild must give the same). */
  async snapshot(): Promise<Record<string, unknown[]>> {
    const all = (model: AssessmentModels['Fact']) => model.find({}).sort({ _id: 1 }).lean<unknown[]>();
    return {
      facts: await all(this.m.Fact),
      orgs: await all(this.m.Org),
      members: await all(this.m.Member),
      contracts: await all(this.m.Contract),
    };
  }

  /** Drops the projections (not the log, not the manual items recorded here) before a rebuild. */
  async clear(): Promise<void> {
    await Promise.all([
      this.m.Fact.deleteMany({ kind: { $ne: 'manual' } }),
      this.m.Org.deleteMany({}),
      this.m.Member.deleteMany({}),
      this.m.Contract.deleteMany({}),
    ]);
  }

  /** The kept events, in batches by id (any order gives the same projections). */
  async *logBatches(size = 1000): AsyncGenerator<LogDoc[]> {
    let after = '';
    for (;;) {
      const batch = await this.m.Log.find({ _id: { $gt: after } })
        .sort({ _id: 1 })
        .limit(size)
        .lean<LogDoc[]>();
      if (batch.length === 0) return;
      yield batch;
      after = batch.at(-1)!._id;
    }
  }
}
