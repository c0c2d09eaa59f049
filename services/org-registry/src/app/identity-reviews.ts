import { RefusalError, type Principal } from '@honglian/service-kit';
import { refuse } from '@honglian/service-kit/domain';
import type { IdentityReviewView, Page } from '../api/schemas.js';
import type { IdentityReviewDoc } from '../data/models.js';
import { NEUTRAL_ID_REFUSAL } from '../domain/members.js';
import { actorOf, type RegistryContext } from './context.js';
import { identityReviewView } from './views.js';

export { NEUTRAL_ID_REFUSAL } from '../domain/members.js';

export type IdentityAttempt = Pick<
  IdentityReviewDoc,
  'idMasked' | 'existingMemberId' | 'attemptedMemberId' | 'attemptedName' | 'attemptedPartyOrgId'
>;

/** The neutral refusal; carries the attempt (never serialised) so the caller can file the review case. */
export class IdentityClash extends RefusalError {
  constructor(readonly attempt: IdentityAttempt) {
    super(refuse.conflict(NEUTRAL_ID_REFUSAL, { field: 'idNumber' }));
  }
}

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
    const docs = await this.ctx.identityReviews.file(
      clashes.map((c) => ({
        at,
        actor: actorOf(principal),
        actorRoles: principal.roles,
        actorCounty: principal.county ?? null,
        actorOrgPath: principal.orgPath ?? null,
        ...c.attempt,
        via,
        ...(requestId ? { requestId } : {}),
      })),
    );
    for (const d of docs) {
      this.ctx.logger.warn(
        { audit: 'identity.review', reviewId: d._id, actor: d.actor, existingMemberId: d.existingMemberId },
        'ID number already registered outside the caller’s scope',
      );
    }
  }

  /** Every case, oldest first (the route lets city admins only). */
  async list(q: { limit: number; cursor?: string }): Promise<Page<IdentityReviewView>> {
    const docs = await this.ctx.identityReviews.page(q.cursor, q.limit + 1);
    const page = docs.slice(0, q.limit);
    return {
      items: page.map(identityReviewView),
      nextCursor: docs.length > q.limit ? page.at(-1)!._id : null,
      total: await this.ctx.identityReviews.count(),
    };
  }
}
