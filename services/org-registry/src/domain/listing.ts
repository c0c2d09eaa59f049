import { escapeRegex, type Principal } from '@honglian/service-kit/domain';
import type { OrgKind } from '@honglian/contracts';
import { versionOn } from './effective.js';
import { managesVersion } from './members.js';
import type { MemberDoc, MemberVersion, OrgDoc, OrgVersion } from './records.js';
import { managesPlacement } from './scope.js';

/**
 * Which records a list answers: the store narrows the candidates (any version matching), and
 * these decide by the version in force on the day, exactly; the page and its total go by the
 * same rule (README, Totals).
 */
export interface OrgCriteria {
  kind?: OrgKind;
  parentId?: string;
  county?: string;
  q?: string;
  asOf: string;
}

/** The unit's version on `asOf` when the list answers it, else undefined. */
export function orgListed(
  principal: Principal,
  doc: Pick<OrgDoc, 'county' | 'kind'> & { versions: readonly OrgVersion[] },
  c: OrgCriteria,
): OrgVersion | undefined {
  const v = versionOn(doc.versions, c.asOf);
  if (!v || !managesPlacement(principal, { county: doc.county, paths: [v.path] })) return undefined;
  if (c.kind && doc.kind !== c.kind) return undefined;
  if (c.county && doc.county !== c.county) return undefined;
  if (c.parentId && v.parentId !== c.parentId) return undefined;
  if (c.q && !new RegExp(escapeRegex(c.q), 'i').test(v.name)) return undefined;
  return v;
}

export interface MemberCriteria {
  partyOrgId?: string;
  compoundId?: string;
  workUnitId?: string;
  q?: string;
  /**
   * Keyed hash of the ID number asked for (one per person, on the document); several during a key
   * rotation (the value hashed under each key held), any of which matches.
   */
  idHash?: string | readonly string[];
  /** Keyed hash(es) of the phone asked for: the version in force must have that phone. */
  phoneHash?: string | readonly string[];
  asOf: string;
}

/** The member's version on `asOf` when the list answers it (in force, in the caller's scope, matching), else undefined. */
export function memberListed(
  principal: Principal,
  doc: Pick<MemberDoc, 'county' | 'idHash'> & { versions: readonly MemberVersion[] },
  c: MemberCriteria,
): MemberVersion | undefined {
  if (c.idHash !== undefined && !hashMatches(doc.idHash, c.idHash)) return undefined;
  const v = versionOn(doc.versions, c.asOf);
  if (!v || !managesVersion(principal, doc, v)) return undefined;
  if (c.partyOrgId && v.partyOrgId !== c.partyOrgId) return undefined;
  if (c.compoundId && v.residenceCompoundId !== c.compoundId) return undefined;
  if (c.workUnitId && v.workUnitId !== c.workUnitId) return undefined;
  if (c.phoneHash !== undefined && !hashMatches(v.phoneHash, c.phoneHash)) return undefined;
  if (c.q && !v.name.includes(c.q)) return undefined;
  return v;
}

/** Whether a stored keyed hash is the one (or one of those) asked for. */
export function hashMatches(stored: string | undefined, wanted: string | readonly string[]): boolean {
  if (stored === undefined) return false;
  return typeof wanted === 'string' ? stored === wanted : wanted.includes(stored);
}
