import { HttpProblem, type Principal } from '@honglian/service-kit';
import { Types } from 'mongoose';
import type { IdentityReviewDoc } from '../data/models.js';
import { actorOf, type RegistryContext } from './context.js';

/**
 * ID numbers are unique city-wide (one person, one record), so registering a number that is
 * already on file must be refused even when that record lies outside the caller's scope. The
 * refusal then says neither whose number it is nor where: the same words whatever county holds
 * it, and a review case for the city admin, who sees every such attempt (README, ID numbers).
 */
export const NEUTRAL_ID_REFUSAL = {
  zh: '该身份证号无法在此登记，已提交市级管理员核查',
  en: 'this ID number cannot be registered here; a city administrator has been asked to review it',
} as const;

export type IdentityAttempt = Pick<
  IdentityReviewDoc,
  'idMasked' | 'existingMemberId' | 'attemptedMemberId' | 'attemptedName' | 'attemptedPartyOrgId'
>;

/** The neutral refusal; carries the attempt (never serialised) so the caller can file the review case. */
export class IdentityClash extends HttpProblem {
  constructor(readonly attempt: IdentityAttempt) {
    super(409, NEUTRAL_ID_REFUSAL.en, { extensions: { reason: NEUTRAL_ID_REFUSAL, field: 'idNumber' } });
  }
}

export type IdentityReviewView = Omit<IdentityReviewDoc, '_id'> & { id: string };

export class IdentityReviews {
  constructor(private readonly ctx: RegistryContext) {}

  /**
   * Files one case per refused attempt, outside the request's transaction (which the refusal
   * rolls back, as does every dry run).
   */
  async record(
    clashes: readonly IdentityClash[],
    principal: Principal,
    via: IdentityReviewDoc['via'],
    requestId?: string,
  ): Promise<void> {
    if (clashes.length === 0) return;
    const at = this.ctx.clock.now();
    const docs: IdentityReviewDoc[] = clashes.map((c) => ({
      // An ObjectId's text grows with each one made: the id order is the order of the attempts.
      _id: new Types.ObjectId().toHexString(),
      at,
      actor: actorOf(principal),
      actorRoles: principal.roles,
      actorCounty: principal.county ?? null,
      actorOrgPath: principal.orgPath ?? null,
      ...c.attempt,
      via,
      ...(requestId ? { requestId } : {}),
    }));
    await this.ctx.models.IdentityReview.insertMany(docs);
    for (const d of docs) {
      this.ctx.logger.warn(
        { audit: 'identity.review', reviewId: d._id, actor: d.actor, existingMemberId: d.existingMemberId },
        'ID number already registered outside the caller’s scope',
      );
    }
  }

  /** Every case, oldest first (the route lets city admins only). */
  async list(q: { limit: number; cursor?: string }): Promise<{
    items: IdentityReviewView[];
    nextCursor: string | null;
  }> {
    const docs = await this.ctx.models.IdentityReview.find(q.cursor ? { _id: { $gt: q.cursor } } : {})
      .sort({ _id: 1 })
      .limit(q.limit + 1)
      .lean<IdentityReviewDoc[]>();
    const page = docs.slice(0, q.limit);
    return {
      items: page.map(({ _id, ...rest }) => ({ id: _id, ...rest })),
      nextCursor: docs.length > q.limit ? page.at(-1)!._id : null,
    };
  }
}
