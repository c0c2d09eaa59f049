import type { Role } from '@honglian/contracts';
import { orgSubtreePattern } from '../domain/paths.js';
import { notFound } from '../problem.js';
import type { Principal } from './principal.js';

/**
 * Where a collection keeps the facts scoping is decided on. Only `county` is
 * assumed (every document has one); a role whose scope needs a field the
 * collection does not name sees nothing through this filter, so an endpoint
 * never shows more than it meant to.
 */
export interface TenantFields {
  /** County division code. Default `county`. */
  countyField?: string;
  /** Path of the record's org node from the root, e.g. `/331000/331003/st-1/cm-2` (a string or an array of them). */
  orgPathField?: string;
  /** Id of the property firm the record belongs to. */
  firmField?: string;
  /** Id of the party member the record belongs to. */
  memberField?: string;
  /** Subject (`sub`) of the person who owns the record, for residents' own requests and ratings. */
  ownerField?: string;
  /**
   * What an api-consumer may read through this endpoint, e.g. `{ status: 'published' }`
   * (equalities and `$in` only). Absent: api-consumers see nothing here.
   */
  published?: Record<string, unknown>;
}

/** A MongoDB (mongoose) query filter. */
export type TenantFilter = Record<string, unknown>;

type Clause = 'all' | TenantFilter | undefined;

// Pure path rules live with the domain helpers (importable from `@honglian/service-kit/domain`).
export { escapeRegex, isWithinOrgPath, orgSubtreePattern } from '../domain/paths.js';

function clauseFor(role: Role, p: Principal, f: TenantFields): Clause {
  const county = f.countyField ?? 'county';
  switch (role) {
    case 'city-admin':
      return 'all';
    case 'county-admin':
      return p.county ? { [county]: p.county } : undefined;
    case 'community-staff':
    case 'compound-committee':
      if (!p.orgPath || !f.orgPathField) return undefined;
      return {
        ...(p.county ? { [county]: p.county } : {}),
        [f.orgPathField]: { $regex: orgSubtreePattern(p.orgPath) },
      };
    case 'property-firm':
      return p.firmId && f.firmField ? { [f.firmField]: p.firmId } : undefined;
    case 'member':
      return p.memberId && f.memberField ? { [f.memberField]: p.memberId } : undefined;
    case 'resident':
      return f.ownerField ? { [f.ownerField]: p.subject } : undefined;
    case 'api-consumer':
      return f.published ? { ...f.published } : undefined;
    default:
      return undefined;
  }
}

function clausesOf(principal: Principal, fields: TenantFields): 'all' | TenantFilter[] {
  const clauses: TenantFilter[] = [];
  const seen = new Set<string>();
  for (const role of principal.roles) {
    const clause = clauseFor(role, principal, fields);
    if (clause === 'all') return 'all';
    if (!clause) continue;
    const key = JSON.stringify(clause);
    if (!seen.has(key)) {
      seen.add(key);
      clauses.push(clause);
    }
  }
  return clauses;
}

/**
 * The caller's scope as a query filter, to AND with every read and write:
 *
 * | role | filter |
 * |---|---|
 * | city-admin | `{}` |
 * | county-admin | `{ county }` |
 * | community-staff, compound-committee | `{ county, orgPath: { $regex: '^<org_path>(/|$)' } }` |
 * | property-firm | `{ firmId }` |
 * | member | `{ memberId }` |
 * | resident | `{ owner: sub }` |
 * | api-consumer | `fields.published` |
 *
 * Several roles widen the scope (`$or`); a caller with no usable role, or
 * whose scope claims are missing, gets a filter that matches nothing.
 */
export function tenantFilter(principal: Principal, fields: TenantFields = {}): TenantFilter {
  const clauses = clausesOf(principal, fields);
  if (clauses === 'all') return {};
  if (clauses.length === 0) return { [fields.countyField ?? 'county']: { $in: [] } };
  if (clauses.length === 1) return clauses[0]!;
  return { $or: clauses };
}

/** The same rule as `tenantFilter`, checked on one record already in memory. */
export function scopeAllows(principal: Principal, record: object, fields: TenantFields = {}): boolean {
  const clauses = clausesOf(principal, fields);
  if (clauses === 'all') return true;
  return clauses.some((clause) => matches(record, clause));
}

/**
 * Returns the record when the caller may see it; otherwise (or when it does
 * not exist) throws 404, so a record outside the caller's scope cannot be
 * told apart from one that does not exist.
 */
export function assertInScope<T extends object>(
  principal: Principal,
  record: T | null | undefined,
  fields: TenantFields = {},
): T {
  if (!record || !scopeAllows(principal, record, fields)) throw notFound();
  return record;
}

/** How far the caller sees, for display (`/whoami`): the widest of its roles. */
export interface PrincipalScope {
  level: 'city' | 'county' | 'org' | 'firm' | 'member' | 'self' | 'published' | 'none';
  county?: string;
  orgPath?: string;
  firmId?: string;
  memberId?: string;
}

export function scopeOf(p: Principal): PrincipalScope {
  const has = (r: Role) => p.roles.includes(r);
  const county = p.county ? { county: p.county } : {};
  if (has('city-admin')) return { level: 'city' };
  if (has('county-admin') && p.county) return { level: 'county', county: p.county };
  if ((has('community-staff') || has('compound-committee')) && p.orgPath) {
    return { level: 'org', ...county, orgPath: p.orgPath };
  }
  if (has('property-firm') && p.firmId) return { level: 'firm', ...county, firmId: p.firmId };
  if (has('member') && p.memberId) return { level: 'member', ...county, memberId: p.memberId };
  if (has('resident')) return { level: 'self', ...county };
  if (has('api-consumer')) return { level: 'published' };
  return { level: 'none' };
}

function valueAt(record: object, path: string): unknown {
  let value: unknown = record;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Evaluates the filters `tenantFilter` builds: equality, `$regex`, `$in`; arrays match on any element. */
function matches(record: object, clause: TenantFilter): boolean {
  return Object.entries(clause).every(([path, condition]) => {
    const actual = valueAt(record, path);
    const candidates = Array.isArray(actual) ? actual : [actual];
    if (condition !== null && typeof condition === 'object' && !Array.isArray(condition)) {
      const ops = condition as Record<string, unknown>;
      const keys = Object.keys(ops);
      if (keys.length === 1 && typeof ops.$regex === 'string') {
        const re = new RegExp(ops.$regex);
        return candidates.some((c) => typeof c === 'string' && re.test(c));
      }
      if (keys.length === 1 && Array.isArray(ops.$in)) {
        const allowed = ops.$in as unknown[];
        return candidates.some((c) => allowed.includes(c));
      }
      throw new Error(`scopeAllows supports equality, $regex and $in only (field ${path})`);
    }
    return candidates.some((c) => c === condition);
  });
}
