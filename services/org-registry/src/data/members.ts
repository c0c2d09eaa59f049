import type { ClientSession, mongo } from 'mongoose';
import type { Principal } from '@honglian/service-kit/domain';
import type { MemberDoc, MemberVersion, RegistryModels } from './models.js';
import type { MemberReseal, SealedMember } from '../domain/pii-rotation.js';
import { placementFilter } from './scope.js';

type Session = ClientSession | undefined;
/** What a member list filters on (domain/listing.ts MemberCriteria, without the day). */
export interface MemberSearch {
  partyOrgId?: string;
  compoundId?: string;
  workUnitId?: string;
  /** Keyed hash(es) of an ID number: several during a key rotation (one per key held), any matches. */
  idHash?: string | readonly string[];
  phoneHash?: string | readonly string[];
}

const anyOf = (hash: string | readonly string[]) =>
  typeof hash === 'string' ? hash : { $in: [...(hash as readonly string[])] };

/** How re-sealing a member ended (`reseal`). */
export type ResealOutcome = 'resealed' | 'changed-meanwhile' | 'hash-taken';
const VERSION_RULE_FIELDS = ['validFrom', 'validTo', 'county', 'scopePaths', 'name'];
/** What the list rule reads of a member (domain/listing.ts memberListed). */
const LISTED_FIELDS = Object.fromEntries(
  ['_id', 'county', 'idHash']
    .concat(
      [...VERSION_RULE_FIELDS, 'partyOrgId', 'workUnitId', 'residenceCompoundId', 'phoneHash'].map(
        (f) => `versions.${f}`,
      ),
    )
    .map((f) => [f, 1]),
);
/** What naming a member reads (domain/names.ts memberNameOn). */
const NAME_FIELDS = Object.fromEntries(
  ['_id', 'county', ...VERSION_RULE_FIELDS.map((f) => `versions.${f}`)].map((f) => [f, 1]),
);
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

  /** Who holds an ID number (by its keyed hash; during a key rotation, by its hash under each key). */
  holderOf(idHash: string | readonly string[], session?: Session): Promise<IdHolder | null> {
    return this.Member.findOne(
      { idHash: anyOf(idHash) },
      { _id: 1, county: 1, versions: { $slice: -1 }, idMasked: 1 },
    )
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
   * The candidates of a list: members with a version the principal may see (any version of their
   * county, any path ever held) that match the criteria in some version; null when the principal
   * sees nothing. The version in force on the day decides in code, by its own placement.
   */
  private candidates(principal: Principal, criteria: MemberSearch): Record<string, unknown> | null {
    const scope = placementFilter(principal, 'scopePaths');
    if (!scope) return null;
    const { county, ...paths } = scope as { county?: string };
    const filter: Record<string, unknown> = county
      ? { ...paths, $or: [{ county }, { 'versions.county': county }] }
      : { ...paths };
    if (criteria.partyOrgId) filter['versions.partyOrgId'] = criteria.partyOrgId;
    if (criteria.compoundId) filter['versions.residenceCompoundId'] = criteria.compoundId;
    if (criteria.workUnitId) filter['versions.workUnitId'] = criteria.workUnitId;
    if (criteria.idHash !== undefined) filter.idHash = anyOf(criteria.idHash);
    if (criteria.phoneHash !== undefined) filter['versions.phoneHash'] = anyOf(criteria.phoneHash);
    return filter;
  }

  /** A page of candidates for a list, by id after `after` (see `candidates`). Empty when the principal sees nothing. */
  searchPage(
    principal: Principal,
    criteria: MemberSearch,
    after: string | undefined,
    limit: number,
  ): Promise<MemberDoc[]> {
    const filter = this.candidates(principal, criteria);
    if (!filter) return Promise.resolve([]);
    if (after) filter._id = { $gt: after };
    return this.Member.find(filter).sort({ _id: 1 }).limit(limit).lean<MemberDoc[]>().exec();
  }

  /**
   * How many candidates `accept` takes (a list's total): one pass over every candidate, streamed,
   * reading only what the list rule looks at (no ciphertexts, no history stamps).
   */
  async count(
    principal: Principal,
    criteria: MemberSearch,
    accept: (doc: Pick<MemberDoc, '_id' | 'county' | 'idHash' | 'versions'>) => boolean,
  ): Promise<number> {
    const filter = this.candidates(principal, criteria);
    if (!filter) return 0;
    let n = 0;
    const cursor = this.Member.find(filter, LISTED_FIELDS).lean<MemberDoc>().cursor({ batchSize: 1000 });
    for await (const doc of cursor) if (accept(doc as MemberDoc)) n += 1;
    return n;
  }

  /** Members by id with only what naming them needs (their versions' names, county and scope paths). */
  async namesOf(ids: Iterable<string>): Promise<Map<string, MemberDoc>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    const docs = await this.Member.find({ _id: { $in: unique } }, NAME_FIELDS).lean<MemberDoc[]>();
    return new Map(docs.map((d) => [d._id, d]));
  }

  /** Members with a version lacking its phone hash (recorded before it was kept), by id after `after`. */
  withoutPhoneHash(after: string | undefined, limit: number): Promise<MemberDoc[]> {
    return this.Member.find({
      versions: { $elemMatch: { phoneHash: { $exists: false } } },
      ...(after ? { _id: { $gt: after } } : {}),
    })
      .sort({ _id: 1 })
      .limit(limit)
      .select({ _id: 1, 'versions.phoneEnc': 1, 'versions.phoneHash': 1, 'versions.piiKeyId': 1 })
      .lean<MemberDoc[]>()
      .exec();
  }

  /**
   * Sets the phone hash of the versions holding each ciphertext and no hash yet: one update per
   * member, safe beside concurrent writes (it touches no other field and no version that has one).
   */
  async setPhoneHashes(id: string, hashes: ReadonlyMap<string, string>): Promise<void> {
    const set: Record<string, string> = {};
    const arrayFilters: Record<string, unknown>[] = [];
    [...hashes].forEach(([enc, hash], i) => {
      set[`versions.$[v${i}].phoneHash`] = hash;
      arrayFilters.push({ [`v${i}.phoneEnc`]: enc, [`v${i}.phoneHash`]: { $exists: false } });
    });
    if (arrayFilters.length === 0) return;
    await this.Member.collection.updateOne({ _id: id as never }, { $set: set }, { arrayFilters });
  }

  /** Members with anything sealed under another key than `keyId` (or under no recorded key). */
  private notOnKey(keyId: string): Record<string, unknown> {
    return {
      $or: [{ piiKeyId: { $ne: keyId } }, { versions: { $elemMatch: { piiKeyId: { $ne: keyId } } } }],
    };
  }

  /** A page of members not wholly on the key `keyId`, by id after `after`: only their sealed fields. */
  notOnKeyPage(keyId: string, after: string | undefined, limit: number): Promise<SealedMember[]> {
    return this.Member.find({ ...this.notOnKey(keyId), ...(after ? { _id: { $gt: after } } : {}) })
      .sort({ _id: 1 })
      .limit(limit)
      .select({
        _id: 1,
        idHash: 1,
        idEnc: 1,
        piiKeyId: 1,
        lock: 1,
        'versions.phoneEnc': 1,
        'versions.phoneHash': 1,
        'versions.piiKeyId': 1,
      })
      .lean<SealedMember[]>()
      .exec();
  }

  /** How many members are not wholly on the key `keyId`. */
  countNotOnKey(keyId: string): Promise<number> {
    return this.Member.countDocuments(this.notOnKey(keyId)).exec();
  }

  /**
   * Writes a member's re-sealed fields if it is still as read (same `lock`, so the version indexes
   * hold): one atomic update per member. Does not bump `lock`: a change read before it and saved
   * after writes its versions back with their own key ids, which a later pass re-seals.
   */
  async reseal(r: MemberReseal): Promise<ResealOutcome> {
    const set: Record<string, string> = {};
    if (r.id) Object.assign(set, r.id);
    for (const v of r.versions) {
      set[`versions.${v.index}.phoneEnc`] = v.phoneEnc;
      set[`versions.${v.index}.phoneHash`] = v.phoneHash;
      set[`versions.${v.index}.piiKeyId`] = v.piiKeyId;
    }
    try {
      const res = await this.Member.collection.updateOne(
        { _id: r._id as never, lock: r.lock ?? { $exists: false } },
        { $set: set },
      );
      return res.matchedCount > 0 ? 'resealed' : 'changed-meanwhile';
    } catch (err) {
      // Another member already holds the new hash of this ID number (registered twice across keys).
      if ((err as { code?: number }).code === 11000) return 'hash-taken';
      throw err;
    }
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
