import { isWithinOrgPath, type Principal } from '@honglian/service-kit/domain';

/**
 * Points scoping (DESIGN.md Security model): members see their own ledger,
 * records, redemptions; community staff what lies under their `org_path`;
 * county admins their county; the city everything; residents only the
 * orders they posted. Property firms and API consumers see nothing here.
 * Out of scope reads as 404 (app/references.ts applies these rules).
 */
export interface Place {
  county: string;
  path: string | null;
}

export const MANAGERS = ['city-admin', 'county-admin', 'community-staff'] as const;
export const MANAGERS_AND_MEMBERS = [...MANAGERS, 'member'] as const;
export const ORDER_ROLES = [...MANAGERS_AND_MEMBERS, 'resident'] as const;

/** Manages a place (a community, or a street for escalated orders) and what lies under it. */
export function manages(principal: Principal, place: Place): boolean {
  if (principal.roles.includes('city-admin')) return true;
  if (!principal.county || principal.county !== place.county) return false;
  if (principal.roles.includes('county-admin')) return true;
  if (principal.roles.includes('community-staff') && principal.orgPath && place.path)
    return isWithinOrgPath(place.path, principal.orgPath);
  return false;
}

/** Manages any of the paths (an escalated order is seen by its community and its street). */
export function managesAny(principal: Principal, county: string, paths: readonly string[]): boolean {
  return paths.some((path) => manages(principal, { county, path }));
}

export function isSelf(principal: Principal, memberId: string): boolean {
  return principal.roles.includes('member') && principal.memberId === memberId;
}

/** Fields the kit's tenantFilter scopes ledger-like collections by. */
export const LEDGER_SCOPE = { orgPathField: 'communityPath', memberField: 'memberId' } as const;
export const ORDER_SCOPE = {
  orgPathField: 'scopePaths',
  memberField: 'memberId',
  ownerField: 'residentSub',
} as const;
