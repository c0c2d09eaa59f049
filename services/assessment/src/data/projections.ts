import { Types, type ClientSession } from 'mongoose';
import { escapeRegex } from '@honglian/service-kit';
import type { Fact } from '../domain/facts.js';
import type { AssessmentModels, ContractRm, LogDoc, MemberRm, OrgRm } from './models.js';

const newer = (
  next: { effectiveFrom: string; eventTime: string },
  held: { effectiveFrom: string; eventTime: string },
) =>
  next.effectiveFrom !== held.effectiveFrom
    ? next.effectiveFrom > held.effectiveFrom
    : Date.parse(next.eventTime) >= Date.parse(held.eventTime);

/**
 * An instant as the facts keep it: UTC with milliseconds (`toISOString`), so that periods (their
 * bounds are kept alike) select facts by comparing strings. Events may state an instant with an
 * offset (`2026-03-31T20:00:00+08:00` is still March in China, though its text sorts after the
 * quarter's end `2026-03-31T16:00:00.000Z`).
 */
export function instantOf(at: string): string {
  return at.length === 24 && at.endsWith('Z') && at[19] === '.' ? at : new Date(at).toISOString();
}

/** The projections (facts and the registry's tree, members, contracts) and the event log behind them. */
export class ProjectionStore {
  constructor(private readonly m: AssessmentModels) {}

  /** Keeps the event; false when it was kept already (a redelivery). */
  async log(doc: LogDoc, session?: ClientSession): Promise<boolean> {
    const res = await this.m.Log.updateOne(
      { _id: doc._id },
      { $setOnInsert: { ...doc, seq: new Types.ObjectId() } },
      { upsert: true, session },
    );
    return res.upsertedCount > 0;
  }

  /**
   * Facts by natural key. Two events stating the same fact (a re-sent copy with a new id) keep
   * the one with the smaller event id, so arrival order never changes the state.
   */
  async putFacts(facts: Fact[], session?: ClientSession): Promise<void> {
    for (const stated of facts) {
      const f = { ...stated, at: instantOf(stated.at) };
      const held = await this.m.Fact.findById(f._id, { eventId: 1 }, { session }).lean<Fact>();
      if (held && held.eventId <= f.eventId) continue;
      await this.m.Fact.replaceOne({ _id: f._id }, f, { upsert: true, session });
    }
  }

  /**
   * Moves an activity to where its latest change (by event time, then id) says it starts, with
   * that title; without changes it stays as published. Whichever of them was read first, the
   * activity ends alike; a call's changes (no activity fact) move nothing.
   */
  async placeActivity(activityId: string, session?: ClientSession): Promise<void> {
    const activity = await this.m.Fact.findById(`activity:${activityId}`, null, { session }).lean<Fact>();
    if (!activity) return;
    const changes = await this.m.Fact.find(
      { _id: { $regex: `^activity-change:${escapeRegex(activityId)}:` } },
      null,
      { session },
    ).lean<Fact[]>();
    const latest = changes.sort((a, b) => b.version - a.version || b.eventId.localeCompare(a.eventId))[0];
    if (!latest || (latest.at === activity.at && latest.note === activity.note)) return;
    await this.m.Fact.updateOne(
      { _id: activity._id },
      { $set: { at: latest.at, note: latest.note } },
      { session },
    );
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

  /**
   * Closes an org. A close may be read before the org's creation (redelivered out of order, or
   * replayed from a log kept before reads were sequenced): the org is then kept as a closed
   * placeholder that its creation fills in (`putOrg` keeps `closedOn`). Of two closing days the
   * earlier stays.
   */
  async closeOrg(
    c: { orgId: string; county: string; kind: string; path: string; closedOn: string },
    session?: ClientSession,
  ): Promise<void> {
    const held = await this.m.Org.findById(c.orgId, { closedOn: 1 }, { session }).lean<OrgRm>();
    if (held?.closedOn && held.closedOn <= c.closedOn) return;
    if (held) {
      await this.m.Org.updateOne({ _id: c.orgId }, { $set: { closedOn: c.closedOn } }, { session });
      return;
    }
    const placeholder: OrgRm = {
      _id: c.orgId,
      county: c.county,
      kind: c.kind,
      name: c.orgId,
      parentId: null,
      path: c.path,
      closedOn: c.closedOn,
      // Older than any state the registry sends: the creation replaces it (keeping the close).
      effectiveFrom: '',
      eventTime: new Date(0).toISOString(),
    };
    await this.m.Org.replaceOne({ _id: c.orgId }, placeholder, { upsert: true, session });
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

  /** Members who had an active report before `before` (the end of a period; absent: ever). */
  async reportedMembers(county: string, before?: string): Promise<Set<string>> {
    const docs = await this.m.Fact.find(
      { county, kind: 'report-active', ...(before ? { at: { $lt: before } } : {}) },
      { memberId: 1 },
    ).lean<Fact[]>();
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

  /**
   * The kept events in batches, in the order they were first read (`seq`): facts land alike in
   * any order, but two states of an org or a member stated at one instant keep the one read last.
   */
  async *logBatches(size = 1000): AsyncGenerator<LogDoc[]> {
    // Events kept before reads were sequenced: first, by id.
    let afterId = '';
    for (;;) {
      const batch = await this.m.Log.find({ seq: { $exists: false }, _id: { $gt: afterId } })
        .sort({ _id: 1 })
        .limit(size)
        .lean<LogDoc[]>();
      if (batch.length === 0) break;
      yield batch;
      afterId = batch.at(-1)!._id;
    }
    let after: Types.ObjectId | null = null;
    for (;;) {
      const batch: LogDoc[] = await this.m.Log.find(
        after ? { seq: { $gt: after } } : { seq: { $exists: true } },
      )
        .sort({ seq: 1 })
        .limit(size)
        .lean<LogDoc[]>();
      if (batch.length === 0) return;
      yield batch;
      after = batch.at(-1)!.seq!;
    }
  }
}
