import { isWithinOrgPath, type Principal } from '@honglian/service-kit';

/**
 * Check-in scoping (issue 7, §8): members see their own records; community
 * staff the communities under their `org_path`; county admins their county;
 * city admins everything. Out of scope reads as 404.
 */
export interface CommunityPlacement {
  county: string;
  communityPath: string;
}

export function managesCommunity(principal: Principal, place: CommunityPlacement): boolean {
  if (principal.roles.includes('city-admin')) return true;
  if (!principal.county || principal.county !== place.county) return false;
  if (principal.roles.includes('county-admin')) return true;
  if (principal.roles.includes('community-staff') && principal.orgPath)
    return isWithinOrgPath(place.communityPath, principal.orgPath);
  return false;
}

export function isSelf(principal: Principal, memberId: string): boolean {
  return principal.roles.includes('member') && principal.memberId === memberId;
}

export const MANAGERS = ['city-admin', 'county-admin', 'community-staff'] as const;
export const ADMINS = ['city-admin', 'county-admin'] as const;
export const MANAGERS_AND_MEMBERS = [...MANAGERS, 'member'] as const;
