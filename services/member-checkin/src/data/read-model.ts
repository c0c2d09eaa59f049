import type { ClientSession } from 'mongoose';
import type { CommunityFacts, MemberFacts, PairingFacts } from '../domain/reports.js';
import { honoursPairing } from '../domain/scope.js';
import type { CheckinModels, MemberRm, OrgRm, PairingRm } from './models.js';

/** A community of the read model, with its record. */
export type Community = CommunityFacts & { doc: OrgRm };

/** Queries over the read model (orgs, members, pairings from the registry's events). */
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
      out.push({ pairingId: p._id, agencyUnitId: p.agencyUnitId, agencyOrgId: p.agencyOrgId, communityId });
    }
    return out;
  }
}
