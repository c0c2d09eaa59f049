import { orgSubtreePattern, type Principal } from '@honglian/service-kit/domain';

/**
 * The read rule of domain/scope.ts (`managesPlacement`) as a MongoDB filter over `county` and a
 * paths field; null when nothing is visible. It narrows the candidates a store reads; the rule
 * itself decides in code.
 */
export function placementFilter(principal: Principal, pathsField: string): Record<string, unknown> | null {
  if (principal.roles.includes('city-admin')) return {};
  if (!principal.county) return null;
  if (principal.roles.includes('county-admin')) return { county: principal.county };
  if (principal.roles.includes('community-staff') && principal.orgPath) {
    return { county: principal.county, [pathsField]: { $regex: orgSubtreePattern(principal.orgPath) } };
  }
  return null;
}
