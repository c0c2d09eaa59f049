import { isWithinOrgPath, refuse, type Principal } from '@honglian/service-kit/domain';
import { FORGED } from './qr.js';

/**
 * Check-in scoping (issue 7, §8; README "Scope of references"): members see
 * their own records; community staff the communities under their `org_path`;
 * county admins their county; city admins everything. Out of scope reads as
 * 404. The same rules decide which ids a caller may name in a request body
 * (app/references.ts applies them).
 */
export interface CommunityPlacement {
  county: string;
  communityPath: string;
}

/** Manages the place: a community (or any org node, e.g. a work unit) and what lies under it. */
export function managesCommunity(principal: Principal, place: CommunityPlacement): boolean {
  if (principal.roles.includes('city-admin')) return true;
  if (!principal.county || principal.county !== place.county) return false;
  if (principal.roles.includes('county-admin')) return true;
  if (principal.roles.includes('community-staff') && principal.orgPath)
    return isWithinOrgPath(place.communityPath, principal.orgPath);
  return false;
}

export function isSelf(principal: Principal, memberId: string): boolean {
  return principal.roles.includes('member') && principal.memberId === memberId;
}

/** Sees a member's record at a community (report, attendance): its managers and the member. */
export function seesRecord(principal: Principal, record: CommunityPlacement & { memberId: string }): boolean {
  return managesCommunity(principal, record) || isSelf(principal, record.memberId);
}

/**
 * Sees a member's whole record (every report, all attendance, the summary):
 * the member, the city, and the admins of the member's own county. Anyone
 * else sees a member only through the reports made to a community they manage.
 */
export function seesWholeMember(principal: Principal, member: { id: string; county: string }): boolean {
  if (isSelf(principal, member.id) || principal.roles.includes('city-admin')) return true;
  return principal.roles.includes('county-admin') && principal.county === member.county;
}

/**
 * May file a report on a member's behalf at a community the caller manages.
 * The city and the member's county admins may; community staff only for a
 * member of their own county whom the registry ties to that community
 * (lives there, or the work unit is paired with it). A member of another
 * county reached through a city-made cross-county pairing reports by
 * themself: the pairing opens the community to their report, not the
 * county's member list to the community.
 */
export function mayFileFor(
  principal: Principal,
  member: { id: string; county: string },
  community: { county: string },
  tiedToCommunity: boolean,
): boolean {
  if (seesWholeMember(principal, member)) return true;
  return member.county === community.county && tiedToCommunity;
}

/**
 * Whether a pairing (结对共建) ties its agency to its target here. Within one county, always.
 * Across counties only when the city recorded it: only the city may link counties (org-registry
 * README, Cross-county links), and a cross-county pairing a county or community recorded before
 * the registry enforced that (or whose creator the event does not state) grants nothing: not
 * the unit's feedback sheet, not a report at the other county's community.
 */
export function honoursPairing(
  pairing: { county: string; creatorLevel: string | null },
  agencyCounty: string | null,
): boolean {
  if (agencyCounty !== null && agencyCounty === pairing.county) return true;
  return pairing.creatorLevel === 'city';
}

export type ReportState = 'submitted' | 'active' | 'rejected' | 'ended';

/**
 * A witness (staff checking in someone without a phone, at an activity of a
 * community they manage) may name only a member who has a submitted or
 * active report at that community, i.e. one their community already sees;
 * for a check-out also a member with a session open at that very activity.
 */
export function witnessMayName(input: {
  communityId: string;
  reports: readonly { communityId: string; status: ReportState }[];
  openHere: boolean;
  forCheckout: boolean;
}): boolean {
  const reported = input.reports.some(
    (r) => r.communityId === input.communityId && (r.status === 'submitted' || r.status === 'active'),
  );
  return reported || (input.forCheckout && input.openHere);
}

/**
 * What a caller is told about an id it may not use: exactly what it is told
 * about an id that does not exist. Same status, same body, nothing of the
 * record named (not even the id: the caller has it), so probing ids tells
 * nothing about other counties.
 */
export const UNKNOWN = {
  community: () => refuse.invalid('社区不存在', 'no such community', { field: 'communityId' }),
  member: () => refuse.invalid('党员不存在', 'no such member', { field: 'memberId' }),
  /** A member-only caller naming anyone but themself. */
  otherMember: () => refuse.notFound('党员不存在', 'no such member', { field: 'memberId' }),
  grid: () => refuse.invalid('该社区没有此网格', 'no such grid in this community', { field: 'gridId' }),
  /** An activity named in a body (witnessed attendance). */
  activity: () => refuse.notFound('活动不存在', 'no such activity', { field: 'activityId' }),
  /** A scanned token naming an activity that does not exist: answered like a forged one. */
  token: () => refuse.invalid(FORGED.reason, { extras: { code: FORGED.code } }),
};

export const MANAGERS = ['city-admin', 'county-admin', 'community-staff'] as const;
export const MANAGERS_AND_MEMBERS = [...MANAGERS, 'member'] as const;
