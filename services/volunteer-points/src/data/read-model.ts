import type { ClientSession } from 'mongoose';
import type { PointsModels } from './models.js';
import type { MemberRm, OrgRm } from './types.js';

/** Orgs and members from the org registry's events, nothing else. */
export class ReadModel {
  constructor(private readonly m: PointsModels) {}

  org(id: string, session?: ClientSession): Promise<OrgRm | null> {
    return this.m.Org.findById(id, null, { session }).lean<OrgRm>();
  }

  member(id: string, session?: ClientSession): Promise<MemberRm | null> {
    return this.m.Member.findById(id, null, { session }).lean<MemberRm>();
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
}
