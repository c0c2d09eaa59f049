import type { ClientSession } from 'mongoose';
import { pairingLinks, pairingOfUnit } from '../domain/pairings.js';
import type { PointsModels } from './models.js';
import type { MemberRm, OrgRm, PairingRm } from './types.js';

/** Orgs, members and pairings from the org registry's events, nothing else. */
export class ReadModel {
  constructor(private readonly m: PointsModels) {}

  org(id: string, session?: ClientSession): Promise<OrgRm | null> {
    return this.m.Org.findById(id, null, { session }).lean<OrgRm>();
  }

  member(id: string, session?: ClientSession): Promise<MemberRm | null> {
    return this.m.Member.findById(id, null, { session }).lean<MemberRm>();
  }

  pairing(id: string, session?: ClientSession): Promise<PairingRm | null> {
    return this.m.Pairing.findById(id, null, { session }).lean<PairingRm>();
  }

  async putOrg(org: OrgRm, session?: ClientSession): Promise<void> {
    await this.m.Org.replaceOne({ _id: org._id }, org, { upsert: true, session });
  }

  async closeOrg(id: string, closedOn: string, session: ClientSession): Promise<boolean> {
    const res = await this.m.Org.updateOne({ _id: id }, { $set: { closedOn } }, { session });
    return res.matchedCount > 0;
  }

  async putMember(member: MemberRm, session?: ClientSession): Promise<void> {
    await this.m.Member.replaceOne({ _id: member._id }, member, { upsert: true, session });
  }

  /** Stores the pairing as the registry states it (created, or replacing what was held). */
  async putPairing(pairing: PairingRm, session?: ClientSession): Promise<void> {
    await this.m.Pairing.replaceOne({ _id: pairing._id }, pairing, { upsert: true, session });
  }

  /**
   * Whether a pairing in force on `day` links the unit (an agency unit, or its party
   * organisation) with the community: its target is the community or a compound in it (by the
   * target's path in the org tree), and it counts (a cross-county one only when the city made
   * it; the agency's county from the orgs held here). domain/pairings.ts `pairingLinks`.
   */
  async pairsUnitWith(
    unitId: string,
    communityId: string,
    day: string,
    session?: ClientSession,
  ): Promise<boolean> {
    const pairings = await this.m.Pairing.find(
      { $or: [{ agencyUnitId: unitId }, { agencyOrgId: unitId }] },
      null,
      { session },
    ).lean<PairingRm[]>();
    for (const p of pairings) {
      if (!pairingOfUnit(p, unitId)) continue;
      // One after the other: a transaction's session takes no parallel operations.
      const agency = await this.org(p.agencyUnitId ?? p.agencyOrgId, session);
      const target = p.targetKind === 'compound' ? await this.org(p.targetId, session) : null;
      const tree = { agencyCounty: agency?.county ?? null, targetPath: target?.path ?? null };
      if (pairingLinks(p, { unitId, communityId, day }, tree)) return true;
    }
    return false;
  }
}
