import type { ClientSession, mongo } from 'mongoose';
import type { Principal } from '@honglian/service-kit/domain';
import type { MemberDoc, MemberVersion, RegistryModels } from './models.js';
import { placementFilter } from './scope.js';

type Session = ClientSession | undefined;
/** Who holds an ID number: where they are filed now (the latest version only). */
export type IdHolder = Pick<MemberDoc, '_id' | 'county' | 'versions' | 'idMasked'>;

/** The queries and writes the use cases need over members. */
export class MemberRepository {
  constructor(private readonly models: RegistryModels) {}

  private get Member() {
    return this.models.Member;
  }

  findById(id: string, session?: Session): Promise<MemberDoc | null> {
    return this.Member.findById(id, null, { session }).lean<MemberDoc>().exec();
  }

  /** Who holds an ID number (by its keyed hash). */
  holderOf(idHash: string, session?: Session): Promise<IdHolder | null> {
    return this.Member.findOne({ idHash }, { _id: 1, county: 1, versions: { $slice: -1 }, idMasked: 1 })
      .session(session ?? null)
      .lean<IdHolder>()
      .exec();
  }

  async exists(id: string, session?: Session): Promise<boolean> {
    return (await this.Member.exists({ _id: id }).session(session ?? null)) !== null;
  }

  /** The members holding any of these ID-number hashes (a chunk of import rows, one query). */
  async byIdHashes(hashes: Iterable<string>, session?: Session): Promise<Map<string, MemberDoc>> {
    const unique = [...new Set(hashes)];
    if (unique.length === 0) return new Map();
    const docs = await this.Member.find({ idHash: { $in: unique } }, null, { session }).lean<MemberDoc[]>();
    return new Map(docs.map((d) => [d.idHash, d]));
  }

  /** Which of these member codes are taken. */
  async takenIds(ids: Iterable<string>, session?: Session): Promise<Set<string>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Set();
    const docs = await this.Member.find({ _id: { $in: unique } }, { _id: 1 }, { session }).lean<
      Pick<MemberDoc, '_id'>[]
    >();
    return new Set(docs.map((d) => d._id));
  }

  /**
   * A page of candidates for a list, by id after `after`: members with a version the principal may
   * see (any version of their county, any path ever held) that match the criteria in some version.
   * The version in force on the day decides in code, by its own placement. Empty when the
   * principal sees nothing.
   */
  searchPage(
    principal: Principal,
    criteria: { partyOrgId?: string; compoundId?: string; workUnitId?: string },
    after: string | undefined,
    limit: number,
  ): Promise<MemberDoc[]> {
    const scope = placementFilter(principal, 'scopePaths');
    if (!scope) return Promise.resolve([]);
    const { county, ...paths } = scope as { county?: string };
    const filter: Record<string, unknown> = county
      ? { ...paths, $or: [{ county }, { 'versions.county': county }] }
      : { ...paths };
    if (criteria.partyOrgId) filter['versions.partyOrgId'] = criteria.partyOrgId;
    if (criteria.compoundId) filter['versions.residenceCompoundId'] = criteria.compoundId;
    if (criteria.workUnitId) filter['versions.workUnitId'] = criteria.workUnitId;
    if (after) filter._id = { $gt: after };
    return this.Member.find(filter).sort({ _id: 1 }).limit(limit).lean<MemberDoc[]>().exec();
  }

  /**
   * New members in one round trip. The documents are complete records built by the domain (every
   * field set, nothing to default or cast), so they go to the driver as they are: mongoose's
   * per-document casting and validation cost more than the write itself on a chunk of thousands.
   */
  async insertMany(docs: readonly MemberDoc[], session: ClientSession): Promise<void> {
    if (docs.length === 0) return;
    const collection = this.Member.collection as unknown as mongo.Collection<MemberDoc>;
    await collection.insertMany(docs as MemberDoc[], { session, ordered: true });
  }

  /** Replaces the versions if nobody changed the member since it was read; false when somebody did. */
  async writeVersions(
    doc: MemberDoc,
    set: { versions: MemberVersion[]; scopePaths: string[]; county: string },
    session: ClientSession,
  ): Promise<boolean> {
    const res = await this.Member.updateOne(
      { _id: doc._id, lock: doc.lock },
      { $set: set, $inc: { lock: 1 } },
      { session },
    );
    return res.matchedCount > 0;
  }
}
