import type { Principal } from '@honglian/service-kit/domain';
import { versionOn, type Period } from './effective.js';
import { managesVersion } from './members.js';
import type { MemberDoc, MemberVersion } from './records.js';

/**
 * Names beside ids (README, Names beside ids). Units and members keep their names per version; an
 * answer about a day names them as they stood that day. A record may name a unit outside the day
 * it existed (a member's unit closed since, a relation read before its unit opened): then the name
 * it last had before the day, else the first one it had.
 */
export function versionForName<T extends Period>(versions: readonly T[], day: string): T | undefined {
  return (
    versionOn(versions, day) ??
    versions.filter((v) => v.validFrom <= day).at(-1) ??
    versions.find((v) => v.validFrom > day)
  );
}

/** Whatever a unit's versions carry: its name is public (README: units are public bodies). */
export function unitNameOn(
  doc: { versions: readonly (Period & { name: string })[] } | undefined,
  day: string,
) {
  return (doc && versionForName(doc.versions, day)?.name) ?? null;
}

/**
 * A person's name is personal data: only for the member themselves and the managers of the
 * version that names them on the day (the member read rule, README Moves and transfers); null
 * for anyone else, even when the record naming them (an appointment) is in the caller's scope.
 */
export function memberNameOn(
  principal: Principal,
  doc: (Pick<MemberDoc, '_id' | 'county'> & { versions: readonly MemberVersion[] }) | undefined,
  day: string,
): string | null {
  if (!doc) return null;
  const v = versionForName(doc.versions, day);
  if (!v) return null;
  const self = principal.roles.includes('member') && principal.memberId === doc._id;
  return self || managesVersion(principal, doc, v) ? v.name : null;
}
