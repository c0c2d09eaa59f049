import { MemberRegistered, PARTY_ORG_KINDS } from '@honglian/contracts';
import {
  accept,
  draftEvent,
  refuse,
  type Decision,
  type Principal,
  type Refusal,
} from '@honglian/service-kit/domain';
import type { RegisterMember } from './commands.js';
import type { Stamp } from './orgs.js';
import type { MemberDoc, MemberVersion, OrgDoc } from './records.js';
import { isRefused, resolveOrg, type FoundOrg, type RefSpec } from './references.js';
import { DEFAULT_DATE_RULES, implausibleDate, implausibleMemberAge } from './dates.js';
import { dayOf, versionOn } from './effective.js';
import { managesPlacement, type Placement } from './scope.js';

/**
 * The units a member record names. Its party organisation and work unit may be county-level
 * units (agency party organisations, agency units), which community staff reach county-wide;
 * the member must still end up placed (party organisation or residence) in the caller's scope.
 */
export const MEMBER_REFS = {
  partyOrgId: {
    field: 'partyOrgId',
    label: { zh: '党组织', en: 'party organisation' },
    kinds: PARTY_ORG_KINDS,
    reach: 'linked',
  },
  workUnitId: {
    field: 'workUnitId',
    label: { zh: '工作单位', en: 'work unit' },
    kinds: ['agency-unit'],
    reach: 'linked',
  },
  residenceCompoundId: {
    field: 'residenceCompoundId',
    label: { zh: '居住小区', en: 'compound' },
    kinds: ['compound'],
    reach: 'linked',
  },
  residenceBuildingId: {
    field: 'residenceBuildingId',
    label: { zh: '楼栋', en: 'building' },
    kinds: ['building'],
    reach: 'linked',
  },
} as const satisfies Record<string, RefSpec>;
export type PlacementField = keyof typeof MEMBER_REFS;
export const PLACEMENT_FIELDS = Object.keys(MEMBER_REFS) as PlacementField[];
/** The units a request names, each with the request field that names it. */
export type Named = Partial<Record<PlacementField, string>>;
export const ALL_NAMED: Named = Object.fromEntries(PLACEMENT_FIELDS.map((f) => [f, f]));

export type PlacementRefs = Record<PlacementField, string | null> & { partyOrgId: string };

/** Where a member is filed: the county and the paths community staff see them under. */
export interface MemberPlacement {
  county: string;
  paths: string[];
  /** Community of the residence compound on the day. */
  community: string | null;
}

/**
 * ID numbers are unique city-wide (one person, one record), so registering a number that is
 * already on file must be refused even when that record lies outside the caller's scope. The
 * refusal then says neither whose number it is nor where: the same words whatever county holds
 * it, and a review case for the city admin, who sees every such attempt (README, ID numbers).
 */
export const NEUTRAL_ID_REFUSAL = {
  zh: '该身份证号无法在此登记，已提交市级管理员核查',
  en: 'this ID number cannot be registered here; a city administrator has been asked to review it',
} as const;

export const isIdentityClash = (r: Refusal) =>
  r.kind === 'conflict' && r.field === 'idNumber' && r.reason.en === NEUTRAL_ID_REFUSAL.en;

/** The community a path lies in on `day` (the nearest live community on it), from the communities loaded. */
export function communityOn(
  path: string,
  day: string,
  communities: ReadonlyMap<string, OrgDoc>,
): string | null {
  const ids = path.split('/').filter(Boolean);
  for (let i = ids.length - 1; i >= 0; i--) {
    const d = communities.get(ids[i]!);
    if (d && d.kind === 'community' && versionOn(d.versions, day)) return d._id;
  }
  return null;
}

/**
 * Resolves the member's units on `day` (as loaded: `unitOn(id)`) and derives county and scope
 * paths from them. Units the caller names now (`named`) must be within their reach; units already
 * on the record that a change leaves alone need only still exist.
 */
export function decidePlacement(
  principal: Principal,
  p: PlacementRefs,
  day: string,
  loaded: { unitOn: (id: string) => FoundOrg | undefined; communityOf: (path: string) => string | null },
  named: Named = ALL_NAMED,
): MemberPlacement | Refusal {
  const unit = (field: PlacementField, id: string) => {
    const asked = named[field];
    const ref = asked ? { ...MEMBER_REFS[field], field: asked } : MEMBER_REFS[field];
    return resolveOrg(principal, loaded.unitOn(id), ref, id, day, !asked);
  };
  const partyOrg = unit('partyOrgId', p.partyOrgId);
  if (isRefused(partyOrg)) return partyOrg;
  const paths = [partyOrg.version.path];
  let county = partyOrg.doc.county;
  if (p.workUnitId) {
    const work = unit('workUnitId', p.workUnitId);
    if (isRefused(work)) return work;
  }
  let community: string | null = null;
  if (p.residenceCompoundId) {
    const compound = unit('residenceCompoundId', p.residenceCompoundId);
    if (isRefused(compound)) return compound;
    paths.push(compound.version.path);
    county = compound.doc.county;
    community = loaded.communityOf(compound.version.path);
    if (p.residenceBuildingId) {
      // One answer whether the building is missing, out of reach or in another compound.
      const building = unit('residenceBuildingId', p.residenceBuildingId);
      if (isRefused(building) || building.version.parentId !== p.residenceCompoundId) {
        return refuse.invalid(
          `楼栋${p.residenceBuildingId}不在小区${p.residenceCompoundId}内`,
          `building ${p.residenceBuildingId} is not in compound ${p.residenceCompoundId}`,
          { field: 'residenceBuildingId' },
        );
      }
    }
  } else if (p.residenceBuildingId) {
    return refuse.invalid('填写楼栋时须填写小区', 'a residence building needs its compound', {
      field: 'residenceCompoundId',
    });
  }
  // Every unit is within reach, but a county-level party organisation alone would file the
  // member where the caller could not read them back.
  if (!managesPlacement(principal, { county, paths })) {
    return refuse.invalid(
      '所属党组织或居住小区须在您的管理范围内',
      'the party organisation or the residence compound must be within your scope',
      { field: 'partyOrgId' },
    );
  }
  return { county, paths, community };
}

/**
 * Where one version of a member is filed: the county and paths of its own units. Each version is
 * read by the managers of its own placement (README, Moves and transfers): a move never re-files
 * the member's past under the new county, nor shows the old county the present.
 */
export function versionPlacement(doc: Pick<MemberDoc, 'county'>, v: MemberVersion): Placement {
  return { county: v.county ?? doc.county, paths: v.scopePaths };
}

/** Where the member is filed now: the latest version (which may start in the future). Writes and reveals go by it. */
export function currentPlacement(doc: Pick<MemberDoc, 'county' | 'versions'>): Placement {
  return versionPlacement(doc, doc.versions.at(-1)!);
}

export const managesVersion = (principal: Principal, doc: Pick<MemberDoc, 'county'>, v: MemberVersion) =>
  managesPlacement(principal, versionPlacement(doc, v));

export const managesMember = (principal: Principal, doc: Pick<MemberDoc, 'county' | 'versions'>) =>
  managesPlacement(principal, currentPlacement(doc));

/** What the registry publishes about a member in a version. */
export function memberState(
  doc: Pick<MemberDoc, '_id' | 'county'>,
  v: MemberVersion,
  community: string | null,
) {
  return {
    memberId: doc._id,
    county: v.county ?? doc.county,
    name: v.name,
    category: v.category,
    status: v.status,
    partyOrgId: v.partyOrgId,
    workUnitId: v.workUnitId,
    residenceCompoundId: v.residenceCompoundId,
    residenceBuildingId: v.residenceBuildingId,
    residenceCommunityId: community,
    effectiveFrom: v.validFrom,
  };
}

/** Personal data as the use case sealed it (hash, ciphertexts, masks): the domain never sees a key. */
export interface SealedIdentity {
  idHash: string;
  idEnc: string;
  idMasked: string;
  phoneEnc: string;
  phoneMasked: string;
  /** Keyed hash of the normalised phone (search by phone). */
  phoneHash: string;
  /** Fingerprint of the key that hashed and sealed them (stamped on the record and its version). */
  piiKeyId: string;
  /**
   * The keyed hashes a lookup matches, current key first: during a key rotation, records not yet
   * re-sealed carry the previous key's hashes. Just `[idHash]` / `[phoneHash]` outside a rotation.
   */
  idHashes: readonly string[];
  phoneHashes: readonly string[];
}

export interface RegistrationState {
  placement: MemberPlacement | Refusal;
  /** The member already holding the ID number, if any (with their latest version at least). */
  holder: Pick<MemberDoc, '_id' | 'county' | 'versions'> | null;
  /** Whether the member code the command asks for is taken. */
  idTaken: boolean;
}

/**
 * Registers a member. The units it names are resolved first, so a request naming units out of
 * reach learns nothing about the ID number. An ID number already on file is refused naming the
 * member when the caller manages them, and with the neutral refusal otherwise.
 */
export function decideRegistration(
  cmd: RegisterMember & { id: string; askedId: boolean },
  sealed: SealedIdentity,
  state: RegistrationState,
  stamp: Stamp,
): Decision<{ doc: MemberDoc; version: MemberVersion }> {
  const rules = stamp.dates ?? DEFAULT_DATE_RULES;
  const today = dayOf(stamp.now);
  const implausible =
    implausibleDate(rules, today, [{ field: 'effectiveFrom', day: cmd.effectiveFrom }]) ??
    implausibleMemberAge(rules, today, cmd.idNumber, cmd.effectiveFrom);
  if (implausible) return implausible;
  if (isRefused(state.placement)) return state.placement;
  const place = state.placement;
  const { holder } = state;
  if (holder && managesMember(stamp.principal, holder)) {
    return refuse.conflict('身份证号已登记', 'duplicate ID number', {
      field: 'idNumber',
      extras: { memberId: holder._id },
    });
  }
  if (holder) return refuse.conflict(NEUTRAL_ID_REFUSAL, { field: 'idNumber' });
  if (cmd.askedId && state.idTaken) {
    return refuse.conflict(`党员编号${cmd.id}已被使用`, `member code ${cmd.id} is already in use`, {
      field: 'id',
    });
  }
  const version: MemberVersion = {
    validFrom: cmd.effectiveFrom,
    validTo: null,
    name: cmd.name,
    phoneEnc: sealed.phoneEnc,
    phoneMasked: sealed.phoneMasked,
    phoneHash: sealed.phoneHash,
    piiKeyId: sealed.piiKeyId,
    category: cmd.category,
    status: 'active',
    partyOrgId: cmd.partyOrgId,
    workUnitId: cmd.workUnitId,
    residenceCompoundId: cmd.residenceCompoundId,
    residenceBuildingId: cmd.residenceBuildingId,
    county: place.county,
    scopePaths: place.paths,
    recordedAt: stamp.now,
    recordedBy: stamp.actor,
  };
  const doc: MemberDoc = {
    _id: cmd.id,
    county: place.county,
    idHash: sealed.idHash,
    idEnc: sealed.idEnc,
    piiKeyId: sealed.piiKeyId,
    idMasked: sealed.idMasked,
    versions: [version],
    scopePaths: place.paths,
    lock: 0,
    createdAt: stamp.now,
  };
  return accept({ doc, version }, [
    draftEvent(MemberRegistered, {
      subject: doc._id,
      county: doc.county,
      data: memberState(doc, version, place.community),
    }),
  ]);
}
