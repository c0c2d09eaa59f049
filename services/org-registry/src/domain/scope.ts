import type { OrgKind } from '@honglian/contracts';
import type { Principal } from '@honglian/service-kit/domain';
import { isWithin } from './org-rules.js';

/** Where a registry record sits: its county and the tree paths it hangs under. */
export interface Placement {
  county: string;
  paths: readonly string[];
}

/**
 * Registry scoping (DOMAIN.md, Who uses it): city admins see everything,
 * county admins their county, community staff their subtree (`org_path`).
 * Everyone else sees nothing here unless an endpoint says otherwise
 * (a member their own record, a firm its own unit). Out of scope reads as 404.
 */
export function managesPlacement(principal: Principal, placement: Placement): boolean {
  if (principal.roles.includes('city-admin')) return true;
  if (!principal.county || principal.county !== placement.county) return false;
  if (principal.roles.includes('county-admin')) return true;
  if (principal.roles.includes('community-staff') && principal.orgPath) {
    const root = principal.orgPath;
    return placement.paths.some((p) => isWithin(p, root));
  }
  return false;
}

/** Roles that manage the registry at all. */
export const REGISTRY_MANAGERS = ['city-admin', 'county-admin', 'community-staff'] as const;

/**
 * Units that hang under a county (or the city), never under a street or a
 * community: agency units and their party organisations, property firms,
 * industry associations. No community subtree holds them.
 */
export const COUNTY_LEVEL_KINDS: readonly OrgKind[] = [
  'agency-unit',
  'agency-party-organisation',
  'property-firm',
  'industry-association',
];

/**
 * How far a reference in a request may reach (README, Cross-county links):
 * - `placed`: the side that files the record (a contract's compound, a pairing's target, an
 *   alliance, an appointment's org, a unit's parent): the read rule, nothing more;
 * - `linked`: the other side of a link: the read rule, except that community staff reach the
 *   county-level units of their own county, which no community subtree holds;
 * - `city`: any unit of the city (a contract's property firm: a public legal entity that serves
 *   compounds in several counties).
 */
export type Reach = 'placed' | 'linked' | 'city';

export function reaches(principal: Principal, unit: Placement & { kind: OrgKind }, reach: Reach): boolean {
  if (managesPlacement(principal, unit)) return true;
  if (!REGISTRY_MANAGERS.some((r) => principal.roles.includes(r))) return false;
  if (reach === 'city') return true;
  return (
    reach === 'linked' &&
    COUNTY_LEVEL_KINDS.includes(unit.kind) &&
    principal.roles.includes('community-staff') &&
    principal.county === unit.county
  );
}

/**
 * Whether a pairing links its agency to its target: within one county always; across counties
 * only when the city recorded it (the only level that may, README Cross-county links). A
 * cross-county pairing a county or community recorded before that rule was enforced, or whose
 * creator was not kept, links nothing: it hides no coverage gap of the agency's county, and the
 * check-in service ignores it the same way (its event states `creatorLevel`).
 */
export function honoursPairing(
  pairing: { county: string; creatorLevel?: string | null },
  agencyCounty: string | null,
): boolean {
  if (agencyCounty !== null && agencyCounty === pairing.county) return true;
  return pairing.creatorLevel === 'city';
}
