import type { ClientSession } from 'mongoose';
import type { OrgKind } from '@honglian/contracts';
import { escapeRegex, type Principal } from '@honglian/service-kit/domain';
import { versionOn } from '../domain/effective.js';
import type { FoundOrg } from '../domain/references.js';
import type { OrgDoc, OrgVersion, RegistryModels } from './models.js';
import { placementFilter } from './scope.js';

type Session = ClientSession | undefined;

/** What a list of units asks for, each matched against any version. */
export interface OrgSearch {
  county?: string;
  kind?: OrgKind;
  parentId?: string;
  /** Part of the name, any case. */
  name?: string;
}

/** The queries and writes the use cases need over units (one collection, versions inside). */
export class OrgRepository {
  constructor(private readonly models: RegistryModels) {}

  private get Org() {
    return this.models.Org;
  }

  findById(id: string, session?: Session): Promise<OrgDoc | null> {
    return this.Org.findById(id, null, { session }).lean<OrgDoc>().exec();
  }

  /** A unit as it stood on `day`, whoever asks; undefined when it did not exist then. */
  async versionOn(id: string, day: string, session?: Session): Promise<FoundOrg | undefined> {
    const doc = await this.findById(id, session);
    const version = doc && versionOn(doc.versions, day);
    return doc && version ? { doc, version } : undefined;
  }

  /** Several units at once (a chunk of import rows names the same few again and again). */
  async findByIds(ids: Iterable<string>, session?: Session): Promise<Map<string, OrgDoc>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    const docs = await this.Org.find({ _id: { $in: unique } }, null, { session }).lean<OrgDoc[]>();
    return new Map(docs.map((d) => [d._id, d]));
  }

  async exists(id: string, session?: Session): Promise<boolean> {
    return (await this.Org.exists({ _id: id }).session(session ?? null)) !== null;
  }

  /** The unit other than `self` that holds a credit code in any version. */
  creditCodeHolder(code: string, self: string, session?: Session) {
    return this.Org.findOne(
      { 'versions.creditCode': code, _id: { $ne: self } },
      { _id: 1, county: 1, paths: 1 },
    )
      .session(session ?? null)
      .lean<Pick<OrgDoc, '_id' | 'county' | 'paths'>>()
      .exec();
  }

  /** Units that ever lay under `path` (not the unit itself). */
  descendantsOf(path: string, session?: Session): Promise<OrgDoc[]> {
    return this.Org.find({ paths: { $regex: `^${escapeRegex(path)}/` } }, null, { session })
      .lean<OrgDoc[]>()
      .exec();
  }

  /** Units at `path` or under it in any version; every unit when path is empty. */
  within(path: string): Promise<OrgDoc[]> {
    const filter = path ? { paths: { $regex: `^${escapeRegex(path)}(/|$)` } } : {};
    return this.Org.find(filter).lean<OrgDoc[]>().exec();
  }

  /** Units that had `id` as their parent in any version. */
  childrenOf(id: string, session?: Session): Promise<OrgDoc[]> {
    return this.Org.find({ 'versions.parentId': id }, null, { session }).lean<OrgDoc[]>().exec();
  }

  /** Communities among the given ids (the units of a path). */
  communitiesAmong(ids: readonly string[], session?: Session): Promise<OrgDoc[]> {
    return this.Org.find({ _id: { $in: ids }, kind: 'community' }, null, { session })
      .lean<OrgDoc[]>()
      .exec();
  }

  /**
   * The candidates of a list: units the principal may see in some version that match the criteria
   * in some version (the name as a case-insensitive substring). The version in force on the day
   * decides in code. Null when the principal sees nothing or asks for a county outside their own.
   */
  private candidates(principal: Principal, criteria: OrgSearch): Record<string, unknown> | null {
    const scope = placementFilter(principal, 'paths');
    if (!scope) return null;
    const filter: Record<string, unknown> = { ...scope };
    if (criteria.county) {
      if (filter.county && filter.county !== criteria.county) return null;
      filter.county = criteria.county;
    }
    if (criteria.kind) filter.kind = criteria.kind;
    if (criteria.parentId) filter['versions.parentId'] = criteria.parentId;
    if (criteria.name) filter['versions.name'] = { $regex: escapeRegex(criteria.name), $options: 'i' };
    return filter;
  }

  /** A page of candidates for a list, by id after `after` (see `candidates`). */
  async searchPage(
    principal: Principal,
    criteria: OrgSearch,
    after: string | undefined,
    limit: number,
  ): Promise<OrgDoc[]> {
    const filter = this.candidates(principal, criteria);
    if (!filter) return [];
    if (after) filter._id = { $gt: after };
    return this.Org.find(filter).sort({ _id: 1 }).limit(limit).lean<OrgDoc[]>().exec();
  }

  /** How many candidates `accept` takes (a list's total): one streamed pass, versions without their stamps. */
  async count(principal: Principal, criteria: OrgSearch, accept: (doc: OrgDoc) => boolean): Promise<number> {
    const filter = this.candidates(principal, criteria);
    if (!filter) return 0;
    let n = 0;
    const fields = { 'versions.recordedAt': 0, 'versions.recordedBy': 0, 'versions.term': 0, paths: 0 };
    for await (const doc of this.Org.find(filter, fields).lean<OrgDoc>().cursor({ batchSize: 1000 })) {
      if (accept(doc as OrgDoc)) n += 1;
    }
    return n;
  }

  /** Units by id with only their versions' names and periods (names beside ids: one query per page). */
  async namesOf(ids: Iterable<string | null | undefined>): Promise<Map<string, OrgDoc>> {
    const unique = [...new Set([...ids].filter((id): id is string => !!id))];
    if (unique.length === 0) return new Map();
    const docs = await this.Org.find(
      { _id: { $in: unique } },
      { 'versions.name': 1, 'versions.validFrom': 1, 'versions.validTo': 1 },
    ).lean<OrgDoc[]>();
    return new Map(docs.map((d) => [d._id, d]));
  }

  /** Whether the registry holds any unit at all. */
  async any(): Promise<boolean> {
    return (await this.Org.exists({})) !== null;
  }

  async insert(doc: OrgDoc, session: ClientSession): Promise<void> {
    await this.Org.create([doc], { session });
  }

  /** Replaces the versions if nobody changed the unit since it was read; false when somebody did. */
  async writeVersions(
    doc: OrgDoc,
    set: { versions: OrgVersion[]; paths?: string[] },
    session: ClientSession,
  ): Promise<boolean> {
    const res = await this.Org.updateOne(
      { _id: doc._id, lock: doc.lock },
      { $set: set, $inc: { lock: 1 } },
      { session },
    );
    return res.matchedCount > 0;
  }

  /** Serialises writes that must not overlap (e.g. two contracts for one compound). */
  async lock(id: string, session: ClientSession): Promise<void> {
    await this.Org.updateOne({ _id: id }, { $inc: { lock: 1 } }, { session });
  }
}
