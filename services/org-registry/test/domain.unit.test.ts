import { ORG_KINDS, ORG_KIND_PARENTS, isAllowedParent, type OrgKind } from '@honglian/contracts';
import { coverage } from '../src/domain/coverage.js';
import fc from 'fast-check';
import {
  creditCodeCheckChar,
  idNumberCheckChar,
  maskIdNumber,
  maskPhone,
  normalisePhone,
  validateCreditCode,
  validateIdNumber,
  validatePhone,
} from '../src/domain/identifiers.js';
import { holdsOn, isWellFormed, overlaps, versionOn, dayOf } from '../src/domain/effective.js';
import { childPath, isWithin, parentRuleViolation, wouldCreateCycle } from '../src/domain/org-rules.js';
import { reaches } from '../src/domain/scope.js';

describe('resident ID numbers (GB 11643)', () => {
  it('accepts a well-formed number and its X check character', () => {
    expect(validateIdNumber('11010519491231002X')).toBeNull();
    expect(validateIdNumber('11010519491231002x')).toBeNull();
  });
  it('rejects a wrong check digit, a bad date, and a wrong length, with reasons in both languages', () => {
    expect(validateIdNumber('110105194912310021')).toEqual({
      zh: '身份证号校验位错误',
      en: 'ID number check digit is wrong',
    });
    expect(validateIdNumber('110105194902300021')?.en).toMatch(/birth date/);
    expect(validateIdNumber('1101051949123100')?.zh).toBe('身份证号应为18位');
  });
  it('rejects a birth date in the future', () => {
    const first17 = '33100320991231001';
    expect(validateIdNumber(first17 + idNumberCheckChar(first17), new Date('2026-11-22'))?.en).toMatch(
      /birth date/,
    );
  });
  it('accepts every number whose check character is computed, and no other', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1930-01-01'), max: new Date('2008-12-31'), noInvalidDate: true }),
        fc.integer({ min: 0, max: 999 }),
        (birth, seq) => {
          const first17 = `331003${birth.toISOString().slice(0, 10).replaceAll('-', '')}${String(seq).padStart(3, '0')}`;
          const good = first17 + idNumberCheckChar(first17);
          const bad = first17 + (idNumberCheckChar(first17) === '0' ? '1' : '0');
          return validateIdNumber(good) === null && validateIdNumber(bad) !== null;
        },
      ),
    );
  });
});

describe('unified social credit codes (GB 32100)', () => {
  it('accepts a valid code and rejects a changed character', () => {
    const code = '91330000' + '7236160' + '40';
    const first17 = code.slice(0, 17);
    const valid = first17 + creditCodeCheckChar(first17);
    expect(validateCreditCode(valid)).toBeNull();
    expect(validateCreditCode(valid.slice(0, 17) + (valid[17] === 'A' ? 'B' : 'A'))).not.toBeNull();
  });
  it('accepts a published code', () => {
    expect(validateCreditCode('91350100M000100Y43')).toBeNull();
  });
  it('rejects letters outside the alphabet', () => {
    expect(validateCreditCode('91350100M000100YI3')?.en).toMatch(/18 valid characters/);
  });
});

describe('phones', () => {
  it('normalises and validates mainland mobiles', () => {
    expect(normalisePhone('+86 138-1234-5678')).toBe('13812345678');
    expect(validatePhone('13812345678')).toBeNull();
    expect(validatePhone('12812345678')).not.toBeNull();
    expect(validatePhone('0576-8888888')).not.toBeNull();
  });
});

describe('masking', () => {
  it('keeps the first four and last four characters of an ID number', () => {
    expect(maskIdNumber('331003199001011234')).toBe('3310**********1234');
  });
  it('keeps the first three and last four digits of a phone', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
  });
});

describe('effective dating', () => {
  const a = { validFrom: '2026-01-01', validTo: '2026-07-01' };
  it('holds from the first day up to, not including, the end', () => {
    expect(holdsOn(a, '2026-01-01')).toBe(true);
    expect(holdsOn(a, '2026-06-30')).toBe(true);
    expect(holdsOn(a, '2026-07-01')).toBe(false);
    expect(holdsOn({ validFrom: '2026-01-01', validTo: null }, '2099-01-01')).toBe(true);
  });
  it('detects overlapping periods; touching periods do not overlap', () => {
    expect(overlaps(a, { validFrom: '2026-06-30', validTo: null })).toBe(true);
    expect(overlaps(a, { validFrom: '2026-07-01', validTo: null })).toBe(false);
    expect(overlaps({ validFrom: '2025-01-01', validTo: null }, a)).toBe(true);
  });
  it('finds the version on a day', () => {
    const versions = [
      { validFrom: '2026-01-01', validTo: '2026-03-01', name: 'old' },
      { validFrom: '2026-03-01', validTo: null, name: 'new' },
    ];
    expect(versionOn(versions, '2026-02-28')?.name).toBe('old');
    expect(versionOn(versions, '2026-03-01')?.name).toBe('new');
    expect(versionOn(versions, '2025-12-31')).toBeUndefined();
  });
  it('rejects malformed periods', () => {
    expect(isWellFormed({ validFrom: '2026-02-30', validTo: null })).toBe(false);
    expect(isWellFormed({ validFrom: '2026-03-01', validTo: '2026-03-01' })).toBe(false);
  });
  it('takes the day in China Standard Time', () => {
    expect(dayOf(new Date('2026-06-30T17:00:00Z'))).toBe('2026-07-01');
  });
});

describe('org tree rules', () => {
  const county = { id: '331003', kind: 'county' as const, county: '331003', path: '/331000/331003' };
  const community = {
    id: 'cm1',
    kind: 'community' as const,
    county: '331003',
    path: '/331000/331003/st1/cm1',
  };
  it('allows skipping levels where reality does, and explains refusals', () => {
    expect(parentRuleViolation('community', county)).toBeNull();
    expect(parentRuleViolation('compound', community)).toBeNull();
    expect(parentRuleViolation('building', community)).toEqual({
      zh: '楼栋不能隶属于社区',
      en: 'a building cannot be under a community; allowed: compound',
    });
    expect(parentRuleViolation('city', null)).toBeNull();
    expect(parentRuleViolation('street', null)?.en).toBe('a street needs a parent (county)');
  });
  it('builds paths and tells subtrees apart', () => {
    expect(childPath(community, 'g1')).toBe('/331000/331003/st1/cm1/g1');
    expect(isWithin('/331000/331003/st1/cm1/g1', '/331000/331003/st1')).toBe(true);
    expect(isWithin('/331000/331003/st10', '/331000/331003/st1')).toBe(false);
    expect(wouldCreateCycle({ ...county }, community)).toBe(true);
  });
});

describe('org kinds and allowed parents (data in contracts)', () => {
  const kinds = Object.keys(ORG_KINDS) as OrgKind[];
  it('every kind has zh-CN and en labels and allowed parents that are kinds', () => {
    for (const k of kinds) {
      expect(ORG_KINDS[k].zh).toMatch(/\p{Script=Han}/u);
      expect(ORG_KINDS[k].en).toMatch(/^[A-Z]/);
      expect(ORG_KIND_PARENTS[k].length).toBeGreaterThan(0);
      for (const p of ORG_KIND_PARENTS[k]) if (p !== null) expect(kinds).toContain(p);
    }
  });
  it('every kind can be placed under the city through allowed parents; only the city is a root', () => {
    const reaches = (k: OrgKind, seen = new Set<OrgKind>()): boolean =>
      ORG_KIND_PARENTS[k].some((p) => p === null || (!seen.has(p) && reaches(p, new Set([...seen, k]))));
    for (const k of kinds) expect(reaches(k)).toBe(true);
    expect(kinds.filter((k) => ORG_KIND_PARENTS[k].includes(null))).toEqual(['city']);
  });
  it('follows the tree of DOMAIN.md §1', () => {
    expect(isAllowedParent('grid', 'community')).toBe(true);
    expect(isAllowedParent('lane', 'community')).toBe(true);
    expect(isAllowedParent('compound', 'grid')).toBe(true);
    expect(isAllowedParent('building', 'compound')).toBe(true);
    expect(isAllowedParent('building', 'grid')).toBe(false);
    expect(isAllowedParent('owners-committee', 'compound')).toBe(true);
    expect(isAllowedParent('compound-party-branch', 'grid')).toBe(false);
    expect(isAllowedParent('agency-party-organisation', 'agency-unit')).toBe(true);
    expect(isAllowedParent('street', 'city')).toBe(false);
  });
});

describe('coverage (pure)', () => {
  it('finds compounds without branch, committee or firm, buildings without a leader, unpaired agencies', () => {
    const result = coverage({
      units: [
        { id: 'cm', kind: 'community', parentId: null },
        { id: 'g1', kind: 'grid', parentId: 'cm' },
        { id: 'g1-b', kind: 'grid-party-branch', parentId: 'g1' },
        { id: 'g2', kind: 'grid', parentId: 'cm' },
        { id: 'x1', kind: 'compound', parentId: 'g1' },
        { id: 'x1-b', kind: 'compound-party-branch', parentId: 'x1' },
        { id: 'x2', kind: 'compound', parentId: 'g2' },
        { id: 'x2-y', kind: 'owners-committee', parentId: 'x2' },
        { id: 'b1', kind: 'building', parentId: 'x1' },
        { id: 'b2', kind: 'building', parentId: 'x1' },
        { id: 'a1', kind: 'agency-unit', parentId: null },
        { id: 'a1-dw', kind: 'agency-party-organisation', parentId: 'a1' },
        { id: 'a2', kind: 'agency-unit', parentId: null },
      ],
      compoundsWithFirm: new Set(['x2']),
      unitsWithBuildingLeader: new Set(['b1']),
      pairedAgencies: new Set(['a1-dw']),
    });
    expect(result.counts).toMatchObject({ compound: 2, building: 2, grid: 2 });
    expect(result.gaps).toEqual({
      compoundsWithoutPartyBranch: ['x2'],
      compoundsWithoutOwnersCommittee: ['x1'],
      compoundsWithoutFirm: ['x1'],
      buildingsWithoutLeader: ['b2'],
      gridsWithoutPartyBranch: ['g2'],
      agencyUnitsWithoutPairing: ['a2'],
    });
  });
});

describe('how far a reference reaches (README, Cross-county links)', () => {
  const city = { subject: 'c', roles: ['city-admin' as const] };
  const county = { subject: 'a', roles: ['county-admin' as const], county: '331002' };
  const staff = {
    subject: 's',
    roles: ['community-staff' as const],
    county: '331002',
    orgPath: '/331000/331002/st/cm-1',
  };
  const unit = (county: string, path: string, kind: OrgKind) => ({ county, paths: [path], kind });
  const agency = unit('331002', '/331000/331002/ag', 'agency-party-organisation');
  const otherAgency = unit('331003', '/331000/331003/ag', 'agency-party-organisation');
  const neighbour = unit('331002', '/331000/331002/st/cm-2', 'community');
  const own = unit('331002', '/331000/331002/st/cm-1/cp', 'compound');

  it('applies the read rule to the side that files a record', () => {
    expect(reaches(staff, own, 'placed')).toBe(true);
    expect(reaches(staff, neighbour, 'placed')).toBe(false);
    expect(reaches(staff, agency, 'placed')).toBe(false);
    expect(reaches(county, neighbour, 'placed')).toBe(true);
    expect(reaches(county, otherAgency, 'placed')).toBe(false);
  });
  it('lets community staff link county-level units of their own county, nothing else beyond their subtree', () => {
    expect(reaches(staff, agency, 'linked')).toBe(true);
    expect(reaches(staff, otherAgency, 'linked')).toBe(false);
    expect(reaches(staff, neighbour, 'linked')).toBe(false);
    expect(reaches(county, otherAgency, 'linked')).toBe(false);
  });
  it('lets any registry manager name any unit of the city where the link allows it, and the city admin everything', () => {
    expect(reaches(county, otherAgency, 'city')).toBe(true);
    expect(reaches(staff, otherAgency, 'city')).toBe(true);
    expect(reaches({ subject: 'm', roles: ['member'] }, otherAgency, 'city')).toBe(false);
    expect(reaches(city, otherAgency, 'placed')).toBe(true);
  });
});
