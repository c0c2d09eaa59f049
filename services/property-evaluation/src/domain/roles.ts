import type { Principal } from '@honglian/service-kit/domain';
import { isWithinOrgPath } from '@honglian/service-kit/domain';

/** Rater roles (contracts RaterRole): kept here as codes so the domain needs no zod. */
export const RATER_ROLE_CODES = [
  'self',
  'branch',
  'committee',
  'residents',
  'community',
  'street',
  'bureau',
] as const;
export type RaterRoleCode = (typeof RATER_ROLE_CODES)[number];

export const BAND_CODES = ['AAA', 'AA', 'A', 'B', 'C'] as const;
export type EvaluationBandCode = (typeof BAND_CODES)[number];

/** Where a compound sits: its county and org path (from the registry's read model). */
export interface CompoundPlace {
  id: string;
  county: string;
  path: string;
}

/** A firm as the registry states it. */
export interface FirmFacts {
  id: string;
  county: string;
  name: string;
  path: string;
  creditCode: string | null;
}

const has = (p: Principal, role: string) => (p.roles as readonly string[]).includes(role);

/** City admins everywhere, county admins in their county. */
export function isAdminOf(p: Principal, county: string): boolean {
  return has(p, 'city-admin') || (has(p, 'county-admin') && p.county === county);
}

/** Staff or a committee whose subtree holds the compound. */
function managesCompound(p: Principal, c: CompoundPlace): boolean {
  return !!p.orgPath && (!p.county || p.county === c.county) && isWithinOrgPath(c.path, p.orgPath);
}

/**
 * Which rater roles a caller may submit for a compound (README, Who rates):
 * the firm's self-assessment by the firm itself; the party branch and owners’ committee by the
 * compound's committee account; residents' survey, community and street inspections by the
 * community or street staff over the compound; any role but `self` by an admin of the county,
 * the housing bureau's inspection only by admins.
 */
export function mayRateAs(
  p: Principal,
  role: RaterRoleCode,
  compound: CompoundPlace,
  firmId: string,
): boolean {
  switch (role) {
    case 'self':
      return has(p, 'property-firm') && p.firmId === firmId;
    case 'branch':
    case 'committee':
      return (has(p, 'compound-committee') && managesCompound(p, compound)) || isAdminOf(p, compound.county);
    case 'residents':
    case 'community':
    case 'street':
      return (has(p, 'community-staff') && managesCompound(p, compound)) || isAdminOf(p, compound.county);
    case 'bureau':
      return isAdminOf(p, compound.county);
  }
}

/**
 * Self-dealing: a caller belongs to a firm when its token names the firm, or its org subtree is
 * the firm's or lies inside it (the firm's own party branch, say). Such a caller rates the firm
 * only as `self`.
 */
export function belongsToFirm(p: Principal, firm: Pick<FirmFacts, 'id' | 'path'>): boolean {
  if (p.firmId && p.firmId === firm.id) return true;
  return !!p.orgPath && !!firm.path && isWithinOrgPath(p.orgPath, firm.path);
}
