import type { ClientSession } from 'mongoose';
import type { CommunityFacts, MemberFacts, PairingFacts } from '../domain/reports.js';
import { honoursPairing } from '../domain/scope.js';
import type { CheckinModels, MemberRm, OrgRm, PairingRm } from './models.js';

/** A community of the read model, with its record. */
export type Community = CommunityFacts & { doc: OrgRm };

/**
 * The read model (orgs, members, pairings from the registry's events): the queries over it, and
 * the writes its consumer (events/registry.ts) makes, each keyed by the aggregate id.
 */
export class ReadModel {
  constructor(private readonly m: CheckinModels) {}

  async org(id: string, session?: ClientSession): Promise<OrgRm | null> {
    return this.m.Org.findById(id, null, { session }).lean<OrgRm>();
  }

  /** An organisation that is open on `day`. */
  static isOpen(org: Pick<OrgRm, 'closedOn'>, day: string): boolean {
    return org.closedOn === null || org.closedOn > day;
  }

  /** The nearest community on an org path (the unit itself when it is one). */
  async communityOnPath(path: string, session?: ClientSession): Promise<OrgRm | null> {
    const ids = path.split('/').filter(Boolean);
    const found = await this.m.Org.find({ _id: { $in: ids }, kind: 'community' }, null, { session }).lean<
      OrgRm[]
    >();
    return found.sort((a, b) => ids.indexOf(b._id) - ids.indexOf(a._id))[0] ?? null;
  }

  async community(id: string, day: string, session?: ClientSession): Promise<Community | null> {
    const doc = await this.org(id, session);
    if (!doc || doc.kind !== 'community') return null;
    return { id: doc._id, county: doc.county, open: ReadModel.isOpen(doc, day), doc };
  }

  async member(id: string, session?: ClientSession): Promise<MemberRm | null> {
    return this.m.Member.findById(id, null, { session }).lean<MemberRm>();
  }

  async pairing(id: string, session?: ClientSession): Promise<PairingRm | null> {
    return this.m.Pairing.findById(id, null, { session }).lean<PairingRm>();
  }

  /** Stores the org as the registry states it (created, or replacing what was held). */
  async putOrg(org: OrgRm, session: ClientSession): Promise<void> {
    await this.m.Org.replaceOne({ _id: org._id }, org, { upsert: true, session });
  }

  /** Marks the org closed on `closedOn`; false when the read model does not hold it. */
  async closeOrg(id: string, closedOn: string, session: ClientSession): Promise<boolean> {
    const res = await this.m.Org.updateOne({ _id: id }, { $set: { closedOn } }, { session });
    return res.matchedCount > 0;
  }

  /** Stores the member as the registry states them (registered, or replacing what was held). */
  async putMember(member: MemberRm, session: ClientSession): Promise<void> {
    await this.m.Member.replaceOne({ _id: member._id }, member, { upsert: true, session });
  }

  /** Stores the pairing as the registry states it (created, or replacing what was held). */
  async putPairing(pairing: PairingRm, session: ClientSession): Promise<void> {
    await this.m.Pairing.replaceOne({ _id: pairing._id }, pairing, { upsert: true, session });
  }

  /** The member as report rules need them: the residence community worked out from the org tree. */
  async memberFacts(doc: MemberRm, session?: ClientSession): Promise<MemberFacts> {
    let residenceCommunityId = doc.residenceCommunityId;
    if (doc.residenceCompoundId) {
      const compound = await this.org(doc.residenceCompoundId, session);
      if (compound)
        residenceCommunityId =
          (await this.communityOnPath(compound.path, session))?._id ?? residenceCommunityId;
    }
    return {
      memberId: doc._id,
      county: doc.county,
      status: doc.status,
      workUnitId: doc.workUnitId,
      residenceCompoundId: doc.residenceCompoundId,
      residenceCommunityId,
    };
  }

  /** Whether a pairing counts (domain/scope.ts honoursPairing): its agency's county from the read model. */
  async honoured(p: PairingRm, session?: ClientSession): Promise<boolean> {
    const agency = await this.org(p.agencyUnitId ?? p.agencyOrgId, session);
    return honoursPairing(p, agency?.county ?? null);
  }

  /** The active members working at a unit (its feedback sheet), in id order. */
  activeMembersOf(unitId: string): Promise<MemberRm[]> {
    return this.m.Member.find({ workUnitId: unitId, status: 'active' })
      .sort({ _id: 1 })
      .limit(20_000)
      .lean<MemberRm[]>();
  }

  /** The active members working at any of these units (their feedback sheets), in id order. */
  activeMembersOfUnits(unitIds: readonly string[]): Promise<MemberRm[]> {
    return this.m.Member.find({ workUnitId: { $in: [...unitIds] }, status: 'active' })
      .sort({ _id: 1 })
      .lean<MemberRm[]>();
  }

  /** Active members of a county (every county: null), in id order. */
  activeMembers(county: string | null): Promise<MemberRm[]> {
    return this.m.Member.find({ status: 'active', ...(county ? { county } : {}) })
      .sort({ _id: 1 })
      .lean<MemberRm[]>();
  }

  /** Members by id (names beside ids). */
  membersByIds(ids: readonly string[]): Promise<MemberRm[]> {
    return this.m.Member.find({ _id: { $in: [...new Set(ids)] } }).lean<MemberRm[]>();
  }

  /** Organisations by id (names and paths beside ids). */
  orgsByIds(ids: readonly string[]): Promise<OrgRm[]> {
    return this.m.Org.find({ _id: { $in: [...new Set(ids)] } }).lean<OrgRm[]>();
  }

  /** Work units (agency units) of a county (every county: null). */
  agencyUnits(county: string | null): Promise<OrgRm[]> {
    return this.m.Org.find({ kind: 'agency-unit', ...(county ? { county } : {}) })
      .sort({ _id: 1 })
      .lean<OrgRm[]>();
  }

  /** Every pairing in force on `day` (county views resolve them in memory). */
  async pairingsInForce(day: string): Promise<PairingRm[]> {
    const docs = await this.m.Pairing.find({ validFrom: { $lte: day } }).lean<PairingRm[]>();
    return docs.filter((p) => p.validTo === null || day < p.validTo);
  }

  /** Every pairing of a unit (or its party organisation), whatever its dates. */
  pairingsOfUnit(unitId: string): Promise<PairingRm[]> {
    return this.m.Pairing.find({ $or: [{ agencyUnitId: unitId }, { agencyOrgId: unitId }] }).lean<
      PairingRm[]
    >();
  }

  /** Pairings of a work unit (or its party organisation) in force on `day`, with the community each lands in. */
  async pairingsOf(workUnitId: string, day: string, session?: ClientSession): Promise<PairingFacts[]> {
    const docs = await this.m.Pairing.find(
      { $or: [{ agencyUnitId: workUnitId }, { agencyOrgId: workUnitId }] },
      null,
      { session },
    ).lean<PairingRm[]>();
    const live = docs.filter((p) => p.validFrom <= day && (p.validTo === null || day < p.validTo));
    const out: PairingFacts[] = [];
    for (const p of live) {
      if (!(await this.honoured(p, session))) continue;
      let communityId: string | null = null;
      if (p.targetKind === 'community') communityId = p.targetId;
      else {
        const target = await this.org(p.targetId, session);
        communityId = target ? ((await this.communityOnPath(target.path, session))?._id ?? null) : null;
      }
      out.push({
        pairingId: p._id,
        agencyUnitId: p.agencyUnitId,
        agencyOrgId: p.agencyOrgId,
        communityId,
        validFrom: p.validFrom,
      });
    }
    return out;
  }
}
