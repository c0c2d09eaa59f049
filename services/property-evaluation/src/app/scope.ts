import { tenantFilter, type Principal, type TenantFilter } from '@honglian/service-kit';

const has = (p: Principal, role: string) => (p.roles as readonly string[]).includes(role);

/**
 * Staff and committees see their county's cycles and results (the notice is public there); a
 * firm's account its home county's (the token's) and those of every county where it holds a
 * contract (`servedCounties`, resolved from the registry's read model by references.ts).
 */
function countyClause(p: Principal, servedCounties: readonly string[]): TenantFilter | null {
  const counties = new Set<string>();
  if ((has(p, 'community-staff') || has(p, 'compound-committee') || has(p, 'property-firm')) && p.county)
    counties.add(p.county);
  if (has(p, 'property-firm') && p.firmId) for (const c of servedCounties) counties.add(c);
  if (counties.size === 0) return null;
  const sorted = [...counties].sort();
  return sorted.length === 1 ? { county: sorted[0] } : { county: { $in: sorted } };
}

function or(...clauses: (TenantFilter | null)[]): TenantFilter {
  const live = clauses.filter((c): c is TenantFilter => c !== null && !(c.county && isNothing(c.county)));
  if (live.some((c) => Object.keys(c).length === 0)) return {};
  if (live.length === 0) return { county: { $in: [] } };
  return live.length === 1 ? live[0]! : { $or: live };
}

function isNothing(v: unknown): boolean {
  return (
    typeof v === 'object' &&
    v !== null &&
    Array.isArray((v as { $in?: unknown }).$in) &&
    (v as { $in: unknown[] }).$in.length === 0
  );
}

/**
 * Cycles: admins by tenancy, anyone of a county its county's, a firm also those of the counties
 * where it holds a contract (`servedCounties`, ignored for any other caller), api-consumers the
 * published ones.
 */
export function cycleFilter(p: Principal, servedCounties: readonly string[] = []): TenantFilter {
  return or(tenantFilter(p, { published: { status: 'published' } }), countyClause(p, servedCounties));
}

/** Results before publication: admins by tenancy, firms their own, staff and committees their county's. */
export function resultFilter(p: Principal): TenantFilter {
  const staff = has(p, 'community-staff') || has(p, 'compound-committee');
  return or(tenantFilter(p, { firmField: 'firmId' }), staff && p.county ? { county: p.county } : null);
}

/** Submissions: admins by tenancy, staff and committees under their subtree, firms those about them. */
export function submissionFilter(p: Principal): TenantFilter {
  return tenantFilter(p, { orgPathField: 'compoundPath', firmField: 'firmId' });
}

/** Appeals: admins of the county, the firm that filed it. */
export function appealFilter(p: Principal): TenantFilter {
  return tenantFilter(p, { firmField: 'firmId' });
}

/** Published versions: everyone with a role here reads them (they are public), api-consumers included. */
export function publishedFilter(p: Principal): TenantFilter {
  return p.roles.length > 0 ? {} : { county: { $in: [] } };
}

/** Templates: the city's for everyone; a county's for that county. */
export function templateFilter(p: Principal): TenantFilter {
  if (has(p, 'city-admin')) return {};
  return { county: { $in: [null, ...(p.county ? [p.county] : [])] } };
}
