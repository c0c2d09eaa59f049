import { tenantFilter, type Principal, type TenantFields, type TenantFilter } from '@honglian/service-kit';

/**
 * Scoping of ratings and consequences (kit tenancy): city admin all; county admin their county;
 * community staff their org subtree (a rating's `orgPath`); a member their own rating; an
 * api-consumer published community and street ratings only. Outside → 404 like missing.
 */
export const RATING_FIELDS: TenantFields = {
  orgPathField: 'orgPath',
  memberField: 'memberId',
  published: { status: 'published', level: { $in: ['community', 'street'] } },
};
export const CONSEQUENCE_FIELDS: TenantFields = { orgPathField: 'orgPath', memberField: 'memberId' };
export const COUNTY_FIELDS: TenantFields = {};
/** Manual items: officials by county and org subtree (the member's paths); never members or api-consumers. */
export const MANUAL_FIELDS: TenantFields = { orgPathField: 'orgPath' };

export const ratingScope = (p: Principal): TenantFilter => tenantFilter(p, RATING_FIELDS);
export const consequenceScope = (p: Principal): TenantFilter => tenantFilter(p, CONSEQUENCE_FIELDS);
export const manualScope = (p: Principal): TenantFilter => tenantFilter(p, MANUAL_FIELDS);

/** The counties a caller administers: every known one for the city, their own for a county admin. */
export function countiesOf(p: Principal, known: string[]): string[] {
  if (p.roles.includes('city-admin')) return known;
  if (p.roles.includes('county-admin') && p.county) return [p.county];
  return [];
}
