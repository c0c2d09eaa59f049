import type { RegistryContext } from '../app/context.js';
import type { OrgService } from '../app/orgs.js';
import type { OrgQueries } from '../app/org-queries.js';
import type { RelationService } from '../app/relations.js';
import type { RelationQueries } from '../app/relation-queries.js';
import type { IdentityReviews } from '../app/identity-reviews.js';
import type { MemberService } from '../app/members.js';
import type { MemberQueries } from '../app/member-queries.js';
import type { Naming } from '../app/names.js';

export { orgRoutes } from './org-routes.js';
export { relationsRoutes } from './relation-routes.js';
export { memberRoutes } from './member-routes.js';

/** What the routes call (built in module.ts). */
export interface RegistryServices {
  ctx: RegistryContext;
  orgs: OrgService;
  orgQueries: OrgQueries;
  relations: RelationService;
  relationQueries: RelationQueries;
  members: MemberService;
  memberQueries: MemberQueries;
  reviews: IdentityReviews;
  /** Names beside ids, one query per page (README, Names beside ids). */
  names: Naming;
}
