import type { Principal } from '@honglian/service-kit/domain';
import { memberListed, orgListed } from '../src/domain/listing.js';
import { memberNameOn, unitNameOn, versionForName } from '../src/domain/names.js';
import type { MemberDoc, MemberVersion, OrgDoc, OrgVersion } from '../src/domain/records.js';

const stamp = { recordedAt: new Date(0), recordedBy: 't' };
const orgVersion = (validFrom: string, validTo: string | null, name: string, parentId = 'p'): OrgVersion => ({
  validFrom,
  validTo,
  name,
  parentId,
  path: `/331000/331003/${parentId}/u`,
  ...stamp,
});
const memberVersion = (
  validFrom: string,
  validTo: string | null,
  patch: Partial<MemberVersion> = {},
): MemberVersion => ({
  validFrom,
  validTo,
  name: '周敏',
  phoneEnc: 'enc',
  phoneMasked: '138****0001',
  phoneHash: 'phone-a',
  category: 'retired',
  status: 'active',
  partyOrgId: 'branch',
  workUnitId: null,
  residenceCompoundId: 'cp-1',
  residenceBuildingId: null,
  county: '331003',
  scopePaths: ['/331000/331003/st-1/cm-1/cp-1'],
  ...stamp,
  ...patch,
});

const city: Principal = { subject: 'c', roles: ['city-admin'] };
const huangyan: Principal = { subject: 'h', roles: ['county-admin'], county: '331003' };
const jiaojiang: Principal = { subject: 'j', roles: ['county-admin'], county: '331002' };
const staffCm2: Principal = {
  subject: 's',
  roles: ['community-staff'],
  county: '331003',
  orgPath: '/331000/331003/st-1/cm-2',
};

describe('names on a day (domain/names.ts)', () => {
  const renamed = [
    orgVersion('2026-01-01', '2026-04-01', '锦江花园'),
    orgVersion('2026-04-01', '2026-09-01', '锦江新苑'),
  ];

  it('takes the version in force, else the last name before the day, else the first one', () => {
    expect(unitNameOn({ versions: renamed }, '2026-03-31')).toBe('锦江花园');
    expect(unitNameOn({ versions: renamed }, '2026-04-01')).toBe('锦江新苑');
    expect(unitNameOn({ versions: renamed }, '2027-01-01')).toBe('锦江新苑'); // closed since: its last name
    expect(unitNameOn({ versions: renamed }, '2025-01-01')).toBe('锦江花园'); // not yet open: its first name
    expect(unitNameOn(undefined, '2026-05-01')).toBeNull();
    expect(versionForName([], '2026-05-01')).toBeUndefined();
  });

  it('names a member only to the member and the managers of the version naming them', () => {
    const doc: Pick<MemberDoc, '_id' | 'county'> & { versions: MemberVersion[] } = {
      _id: 'm-1',
      county: '331002',
      versions: [
        memberVersion('2026-01-01', '2026-06-30'),
        memberVersion('2026-06-30', null, { county: '331002', scopePaths: ['/331000/331002/x'] }),
      ],
    };
    expect(memberNameOn(huangyan, doc, '2026-03-01')).toBe('周敏');
    expect(memberNameOn(huangyan, doc, '2026-06-30')).toBeNull();
    expect(memberNameOn(jiaojiang, doc, '2026-03-01')).toBeNull();
    expect(memberNameOn(jiaojiang, doc, '2026-06-30')).toBe('周敏');
    expect(memberNameOn(city, doc, '2026-03-01')).toBe('周敏');
    expect(memberNameOn(staffCm2, doc, '2026-03-01')).toBeNull();
    expect(memberNameOn({ subject: 'm', roles: ['member'], memberId: 'm-1' }, doc, '2026-03-01')).toBe(
      '周敏',
    );
    expect(memberNameOn(city, undefined, '2026-03-01')).toBeNull();
  });
});

describe('what a list answers (domain/listing.ts)', () => {
  it('a unit by its version on the day: scope, parent and name of that version', () => {
    const doc: Pick<OrgDoc, 'county' | 'kind'> & { versions: OrgVersion[] } = {
      county: '331003',
      kind: 'building',
      versions: [
        orgVersion('2026-01-01', '2026-04-01', '1幢', 'cp-1'),
        orgVersion('2026-04-01', null, '一号楼', 'cp-2'),
      ],
    };
    expect(orgListed(huangyan, doc, { asOf: '2026-03-01', parentId: 'cp-1' })?.name).toBe('1幢');
    expect(orgListed(huangyan, doc, { asOf: '2026-05-01', parentId: 'cp-1' })).toBeUndefined();
    expect(orgListed(huangyan, doc, { asOf: '2026-05-01', q: '号楼' })?.name).toBe('一号楼');
    expect(orgListed(huangyan, doc, { asOf: '2026-05-01', q: '幢' })).toBeUndefined();
    expect(orgListed(jiaojiang, doc, { asOf: '2026-05-01' })).toBeUndefined();
    expect(orgListed(city, doc, { asOf: '2025-05-01' })).toBeUndefined();
    expect(orgListed(city, doc, { asOf: '2026-05-01', kind: 'compound' })).toBeUndefined();
  });

  it('a member by the version in force: its placement, filters and phone hash; the ID hash of the person', () => {
    const doc = {
      county: '331003',
      idHash: 'id-a',
      versions: [
        memberVersion('2026-01-01', '2026-05-01'),
        memberVersion('2026-05-01', null, { phoneHash: 'phone-b' }),
      ],
    };
    expect(memberListed(huangyan, doc, { asOf: '2026-03-01', phoneHash: 'phone-a' })).toBeDefined();
    expect(memberListed(huangyan, doc, { asOf: '2026-06-01', phoneHash: 'phone-a' })).toBeUndefined();
    expect(
      memberListed(huangyan, doc, { asOf: '2026-06-01', phoneHash: 'phone-b', idHash: 'id-a' }),
    ).toBeDefined();
    expect(memberListed(huangyan, doc, { asOf: '2026-06-01', idHash: 'id-b' })).toBeUndefined();
    expect(memberListed(jiaojiang, doc, { asOf: '2026-06-01', idHash: 'id-a' })).toBeUndefined();
    expect(memberListed(huangyan, doc, { asOf: '2026-06-01', compoundId: 'cp-2' })).toBeUndefined();
    expect(memberListed(huangyan, doc, { asOf: '2026-06-01', q: '周' })).toBeDefined();
    expect(memberListed(huangyan, doc, { asOf: '2025-06-01' })).toBeUndefined();
  });
});
