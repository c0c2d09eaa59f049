import fc from 'fast-check';
import type { Role } from '@honglian/contracts';
import {
  assertInScope,
  escapeRegex,
  isWithinOrgPath,
  principalFromClaims,
  scopeAllows,
  scopeOf,
  tenantFilter,
  type Principal,
  type TenantFields,
} from '../src/index.js';

const fields: TenantFields = {
  countyField: 'county',
  orgPathField: 'orgPath',
  firmField: 'firmId',
  memberField: 'memberId',
  ownerField: 'owner',
  published: { status: 'published' },
};

const cityAdmin: Principal = { subject: 'c', roles: ['city-admin'] };
const countyAdmin: Principal = { subject: 'k', roles: ['county-admin'], county: '331003' };
const staff: Principal = {
  subject: 's',
  roles: ['community-staff'],
  county: '331003',
  orgPath: '/331000/331003/st.1',
};

describe('tenantFilter', () => {
  it('narrows by role: city everything, county its county, staff its subtree', () => {
    const f = { countyField: 'county', orgPathField: 'orgPath' };
    expect(tenantFilter(cityAdmin, f)).toEqual({});
    expect(tenantFilter(countyAdmin, f)).toEqual({ county: '331003' });
    expect(tenantFilter(staff, f)).toEqual({
      county: '331003',
      orgPath: { $regex: '^/331000/331003/st\\.1(/|$)' },
    });
  });

  it('scopes members, firms and residents to their own records, api-consumers to published data', () => {
    expect(tenantFilter({ subject: 'm', roles: ['member'], memberId: 'm-1' }, fields)).toEqual({
      memberId: 'm-1',
    });
    expect(tenantFilter({ subject: 'f', roles: ['property-firm'], firmId: 'f-1' }, fields)).toEqual({
      firmId: 'f-1',
    });
    expect(tenantFilter({ subject: 'r-9', roles: ['resident'] }, fields)).toEqual({ owner: 'r-9' });
    expect(tenantFilter({ subject: 'a', roles: ['api-consumer'] }, fields)).toEqual({ status: 'published' });
  });

  it('matches nothing when the role or the claim the scope needs is missing', () => {
    const nothing = { county: { $in: [] } };
    expect(tenantFilter({ subject: 'x', roles: [] }, fields)).toEqual(nothing);
    expect(tenantFilter({ subject: 'x', roles: ['county-admin'] }, fields)).toEqual(nothing);
    expect(tenantFilter({ subject: 'x', roles: ['community-staff'], county: '331003' }, fields)).toEqual(
      nothing,
    );
    // An endpoint that does not say what api-consumers may read shows them nothing.
    expect(tenantFilter({ subject: 'a', roles: ['api-consumer'] }, { countyField: 'county' })).toEqual(
      nothing,
    );
  });

  it('widens with several roles', () => {
    const both: Principal = { subject: 'b', roles: ['member', 'property-firm'], memberId: 'm', firmId: 'f' };
    expect(tenantFilter(both, fields)).toEqual({ $or: [{ memberId: 'm' }, { firmId: 'f' }] });
    expect(tenantFilter({ ...both, roles: ['member', 'city-admin'] }, fields)).toEqual({});
  });
});

describe('scopeAllows and assertInScope', () => {
  const inA = { county: '331003', orgPath: '/331000/331003/st.1/cm-2' };
  const sibling = { county: '331003', orgPath: '/331000/331003/st.10' };
  const otherCounty = { county: '331002', orgPath: '/331000/331002/st.1' };

  it('lets staff see their subtree, not a sibling whose id starts the same', () => {
    expect(scopeAllows(staff, inA, fields)).toBe(true);
    expect(scopeAllows(staff, sibling, fields)).toBe(false);
    expect(scopeAllows(countyAdmin, sibling, fields)).toBe(true);
    expect(scopeAllows(countyAdmin, otherCounty, fields)).toBe(false);
    expect(scopeAllows(cityAdmin, otherCounty, fields)).toBe(true);
  });

  it('turns an out-of-scope or missing record into 404, never 403', () => {
    expect(assertInScope(countyAdmin, inA, fields)).toBe(inA);
    for (const record of [otherCounty, null, undefined]) {
      expect(() => assertInScope(countyAdmin, record, fields)).toThrow(
        expect.objectContaining({ status: 404 }),
      );
    }
  });

  it('matches any element of an array field, as MongoDB does', () => {
    const placed = { county: '331003', orgPath: ['/331000/331003/st.9', '/331000/331003/st.1/cm-7'] };
    expect(scopeAllows(staff, placed, fields)).toBe(true);
  });

  /** Evaluates the filter shapes tenantFilter builds, with MongoDB's semantics. */
  function mongoMatches(record: Record<string, unknown>, filter: Record<string, unknown>): boolean {
    return Object.entries(filter).every(([key, cond]) => {
      if (key === '$or') return (cond as Record<string, unknown>[]).some((c) => mongoMatches(record, c));
      const value = record[key];
      const values = Array.isArray(value) ? value : [value];
      if (cond && typeof cond === 'object' && '$regex' in cond) {
        const re = new RegExp((cond as { $regex: string }).$regex);
        return values.some((v) => typeof v === 'string' && re.test(v));
      }
      if (cond && typeof cond === 'object' && '$in' in cond) {
        return values.some((v) => (cond as { $in: unknown[] }).$in.includes(v));
      }
      return values.some((v) => v === cond);
    });
  }

  it('agrees with the query filter for any caller and record', () => {
    const segment = fc.constantFrom('331003', '331002', 'st.1', 'st-1', 'st.10', 'cm+2', 'x(y)');
    const path = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => '/' + s.join('/'));
    const roles = fc.subarray<Role>([
      'city-admin',
      'county-admin',
      'community-staff',
      'compound-committee',
      'member',
      'property-firm',
      'resident',
      'api-consumer',
    ]);
    const principal = fc.record(
      {
        subject: fc.constantFrom('u1', 'u2'),
        roles,
        county: fc.constantFrom('331003', '331002'),
        orgPath: path,
        firmId: fc.constantFrom('f1', 'f2'),
        memberId: fc.constantFrom('m1', 'm2'),
      },
      { requiredKeys: ['subject', 'roles'] },
    );
    const record = fc.record({
      county: fc.constantFrom('331003', '331002'),
      orgPath: path,
      firmId: fc.constantFrom('f1', 'f2'),
      memberId: fc.constantFrom('m1', 'm2'),
      owner: fc.constantFrom('u1', 'u2'),
      status: fc.constantFrom('draft', 'published'),
    });
    fc.assert(
      fc.property(principal, record, (p, r) => {
        expect(scopeAllows(p, r, fields)).toBe(mongoMatches(r, tenantFilter(p, fields)));
      }),
      { numRuns: 500 },
    );
  });
});

describe('principalFromClaims and scopeOf', () => {
  it('keeps known roles and well-formed scope claims only', () => {
    const p = principalFromClaims({
      sub: 'u',
      azp: 'honglian-web',
      realm_access: { roles: ['county-admin', 'uma_authorization', 42, 'county-admin'] },
      county: '33100',
      org_path: '/331000/../x',
      firm_id: 'f 1',
    });
    expect(p).toEqual({ subject: 'u', clientId: 'honglian-web', roles: ['county-admin'] });
    expect(principalFromClaims({ sub: 'u', org_path: '/331000/331003/st.1' })?.orgPath).toBe(
      '/331000/331003/st.1',
    );
    expect(principalFromClaims({ realm_access: { roles: ['city-admin'] } })).toBeUndefined();
  });

  it('describes the widest scope of the caller', () => {
    expect(scopeOf(cityAdmin)).toEqual({ level: 'city' });
    expect(scopeOf(countyAdmin)).toEqual({ level: 'county', county: '331003' });
    expect(scopeOf(staff)).toEqual({ level: 'org', county: '331003', orgPath: staff.orgPath });
    expect(scopeOf({ subject: 'a', roles: ['api-consumer'] })).toEqual({ level: 'published' });
    expect(scopeOf({ subject: 'n', roles: [] })).toEqual({ level: 'none' });
  });

  it('escapes regex metacharacters and respects segment boundaries', () => {
    expect(escapeRegex('a.b*c')).toBe('a\\.b\\*c');
    expect(isWithinOrgPath('/a/b', '/a/b')).toBe(true);
    expect(isWithinOrgPath('/a/b/c', '/a/b')).toBe(true);
    expect(isWithinOrgPath('/a/bc', '/a/b')).toBe(false);
    expect(isWithinOrgPath('/a/bxc', '/a/b.c')).toBe(false);
  });
});
