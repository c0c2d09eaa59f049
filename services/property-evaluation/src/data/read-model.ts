import type { ClientSession } from 'mongoose';
import type { ContractRm, EvaluationModels, OrgRm } from './models.js';

/** The registry's read model (orgs, contracts): the writes its consumer makes, the reads use cases need. */
export class ReadModel {
  constructor(private readonly m: EvaluationModels) {}

  org(id: string, session?: ClientSession): Promise<OrgRm | null> {
    return this.m.Org.findById(id, null, { session }).lean<OrgRm>();
  }

  async putOrg(org: OrgRm, session: ClientSession): Promise<void> {
    await this.m.Org.replaceOne({ _id: org._id }, org, { upsert: true, session });
  }

  async closeOrg(id: string, closedOn: string, session: ClientSession): Promise<boolean> {
    const res = await this.m.Org.updateOne({ _id: id }, { $set: { closedOn } }, { session });
    return res.matchedCount > 0;
  }

  contract(id: string, session?: ClientSession): Promise<ContractRm | null> {
    return this.m.Contract.findById(id, null, { session }).lean<ContractRm>();
  }

  async putContract(contract: ContractRm, session: ClientSession): Promise<void> {
    await this.m.Contract.replaceOne({ _id: contract._id }, contract, { upsert: true, session });
  }

  /** Contracts of a county (the cycle filters them by its period). */
  contractsOf(county: string, session?: ClientSession): Promise<ContractRm[]> {
    return this.m.Contract.find({ county }, null, { session }).sort({ _id: 1 }).lean<ContractRm[]>();
  }

  /** Contracts between one firm and one compound. */
  contractsBetween(firmId: string, compoundId: string, session?: ClientSession): Promise<ContractRm[]> {
    return this.m.Contract.find({ firmId, compoundId }, null, { session }).lean<ContractRm[]>();
  }

  /** Whether the firm has (had) a contract for a compound of the county. */
  async servesIn(firmId: string, county: string, session?: ClientSession): Promise<boolean> {
    return (await this.m.Contract.countDocuments({ firmId, county }, { session })) > 0;
  }

  /** The counties where the firm has (had) a contract, sorted: a firm is rated in each of them. */
  async countiesServedBy(firmId: string, session?: ClientSession): Promise<string[]> {
    const counties = await this.m.Contract.distinct('county', { firmId }).session(session ?? null);
    return (counties as string[]).sort();
  }

  orgsByIds(ids: readonly string[], session?: ClientSession): Promise<OrgRm[]> {
    return this.m.Org.find({ _id: { $in: [...new Set(ids)] } }, null, { session }).lean<OrgRm[]>();
  }

  /** Firms of a county, or every county. */
  firms(county: string | null): Promise<OrgRm[]> {
    return this.m.Org.find({ kind: 'property-firm', ...(county ? { county } : {}) })
      .sort({ _id: 1 })
      .lean<OrgRm[]>();
  }

  /** Whether the read model holds every one of these orgs (demo seeding waits for it). */
  async holdsAll(ids: readonly string[]): Promise<boolean> {
    return (await this.m.Org.countDocuments({ _id: { $in: [...new Set(ids)] } })) === new Set(ids).size;
  }
}
