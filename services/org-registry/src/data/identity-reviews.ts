import { Types } from 'mongoose';
import type { IdentityReviewDoc, RegistryModels } from './models.js';

/** Review cases: ID numbers on file outside the caller's scope, for the city admin. */
export class IdentityReviewStore {
  constructor(private readonly models: RegistryModels) {}

  private get IdentityReview() {
    return this.models.IdentityReview;
  }

  /** Files the cases, in order; the cases as stored (with their ids). */
  async file(cases: readonly Omit<IdentityReviewDoc, '_id'>[]): Promise<IdentityReviewDoc[]> {
    // An ObjectId's text grows with each one made: the id order is the order of the attempts.
    const docs = cases.map((c) => ({ _id: new Types.ObjectId().toHexString(), ...c }));
    await this.IdentityReview.insertMany(docs);
    return docs;
  }

  /** A page of cases, oldest first, after `cursor`. */
  page(cursor: string | undefined, limit: number): Promise<IdentityReviewDoc[]> {
    return this.IdentityReview.find(cursor ? { _id: { $gt: cursor } } : {})
      .sort({ _id: 1 })
      .limit(limit)
      .lean<IdentityReviewDoc[]>()
      .exec();
  }

  /** How many cases there are in all. */
  count(): Promise<number> {
    return this.IdentityReview.countDocuments({}).exec();
  }
}
