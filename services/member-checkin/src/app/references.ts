import { throwRefusal, type Principal } from '@honglian/service-kit';
import { refuse } from '@honglian/service-kit/domain';
import type { ClientSession } from 'mongoose';
import type { MemberRm, OrgRm } from '../data/models.js';
import type { Community } from '../data/read-model.js';
import type { Activity } from '../domain/activities.js';
import type { Attendance } from '../domain/attendance.js';
import { claimedActivity } from '../domain/qr.js';
import type { MemberFacts, PairingFacts, Report } from '../domain/reports.js';
import {
  UNKNOWN,
  isSelf,
  managesCommunity,
  mayFileFor,
  seesRecord,
  seesWholeMember,
  witnessMayName,
  type CommunityPlacement,
} from '../domain/scope.js';
import { MALFORMED_TOKEN } from '../domain/sessions.js';
import type { CheckinContext } from './context.js';

/** Out of scope or missing: never told apart (domain/scope.ts UNKNOWN for ids in a body). */
const notFound = () => throwRefusal(refuse.notFound());

/** Only part of a record is in scope: the places (communities) whose rows the caller may see. */
export type Sees = ((place: CommunityPlacement) => boolean) | null;

/** What a report claim names, resolved: the member as report rules need them, the community, their pairings. */
export interface ReportTarget {
  member: MemberRm | null;
  facts: MemberFacts | null;
  pairings: PairingFacts[];
  community: Community;
  /** Whether refusals may name the member's other records (scope.ts seesWholeMember). */
  disclose: boolean;
}

const placeOf = (c: Community): CommunityPlacement => ({ county: c.county, communityPath: c.doc.path });

/**
 * The one place where the ids a request names (in its path, body or query)
 * are resolved within the caller's scope, with the rules of domain/scope.ts.
 * Every use case goes through it; nothing else loads a record by a caller's id.
 */
export class References {
  constructor(private readonly ctx: CheckinContext) {}

  private get dir() {
    return this.ctx.data.readModel;
  }

  private get data() {
    return this.ctx.data;
  }

  /* ---------- this service's records, named in a path ---------- */

  /** A report its community's managers (or, unless `manageOnly`, its member) may see; else 404. */
  async report(
    principal: Principal,
    id: string,
    opts: { manageOnly?: boolean; session?: ClientSession } = {},
  ): Promise<{ doc: Report; manages: boolean }> {
    const doc = await this.data.reports.byId(id, opts.session);
    const manages = !!doc && managesCommunity(principal, doc);
    if (!doc || (!manages && (opts.manageOnly || !isSelf(principal, doc.memberId)))) return notFound();
    return { doc, manages };
  }

  /** An attendance its community's managers (or, unless `manageOnly`, its member) may see; else 404. */
  async attendance(
    principal: Principal,
    id: string,
    opts: { manageOnly?: boolean; session?: ClientSession } = {},
  ): Promise<Attendance> {
    const doc = await this.data.attendance.byId(id, opts.session);
    const sees = !!doc && (opts.manageOnly ? managesCommunity(principal, doc) : seesRecord(principal, doc));
    if (!doc || !sees) return notFound();
    return doc;
  }

  /**
   * An activity of a community the caller manages, or (members, unless
   * `manageOnly`) one they reported to. `named: 'body'` for a witnessed
   * attendance, which says which field was unknown.
   */
  async activity(
    principal: Principal,
    id: string,
    opts: { manageOnly?: boolean; named?: 'path' | 'body' } = {},
  ): Promise<Activity> {
    const doc = await this.data.activities.byId(id);
    if (doc && managesCommunity(principal, doc)) return doc;
    if (doc && !opts.manageOnly && principal.memberId && principal.roles.includes('member')) {
      if ((await this.data.reports.reportedCommunities(principal.memberId)).includes(doc.communityId))
        return doc;
    }
    return opts.named === 'body' ? throwRefusal(UNKNOWN.activity()) : notFound();
  }

  /* ---------- ids named in a body ---------- */

  /** An open community the caller manages (to publish an activity in, or file a report at). */
  async managedCommunity(principal: Principal, communityId: string, day: string): Promise<Community> {
    const community = await this.dir.community(communityId, day);
    if (!community || !community.open || !managesCommunity(principal, placeOf(community)))
      throwRefusal(UNKNOWN.community());
    return community;
  }

  /**
   * The member and community of a report claim. A member reports to a
   * community of their county or one the registry ties them to (a
   * cross-county pairing); staff and admins file at a community they
   * manage, for a member `mayFileFor` allows.
   */
  async reportTarget(
    principal: Principal,
    memberId: string,
    communityId: string,
    day: string,
    session: ClientSession,
  ): Promise<ReportTarget> {
    const self = isSelf(principal, memberId);
    if (!self && !principal.roles.some((r) => r !== 'member')) throwRefusal(UNKNOWN.otherMember());
    const member = await this.dir.member(memberId, session);
    // The caller's own id: not yet known from the registry's events is no secret.
    if (self && !member) throwRefusal(UNKNOWN.member());
    const community = await this.dir.community(communityId, day, session);
    const facts = member ? await this.dir.memberFacts(member, session) : null;
    const pairings = member?.workUnitId ? await this.dir.pairingsOf(member.workUnitId, day, session) : [];
    const tied =
      !!member &&
      !!community &&
      (facts!.residenceCommunityId === community.id ||
        pairings.some((p) => p.communityId === community.id) ||
        (await this.data.reports.existsAt(memberId, community.id, session)));
    const manages = !!community && managesCommunity(principal, placeOf(community));
    // A member names a community of their own county, or one the registry ties them to elsewhere.
    const ownOrTied = !!member && !!community && (member.county === community.county || tied);
    if (!community || !community.open || !(manages || (self && ownOrTied))) throwRefusal(UNKNOWN.community());
    if (!self) {
      const who = member && { id: member._id, county: member.county };
      if (!who || !mayFileFor(principal, who, community, tied)) throwRefusal(UNKNOWN.member());
    }
    const disclose = !!member && seesWholeMember(principal, { id: member._id, county: member.county });
    return { member, facts, pairings, community, disclose };
  }

  /** A grid of the report's community (一编三定 placement). */
  async grid(report: Report, gridId: string): Promise<{ id: string; name: string }> {
    const g = await this.dir.org(gridId);
    if (!g || g.kind !== 'grid' || !g.path.startsWith(report.communityPath + '/'))
      throwRefusal(UNKNOWN.grid());
    return { id: g._id, name: g.name };
  }

  /**
   * The member a witness names at an activity they manage (`activity` is
   * resolved already): one with a submitted or active report at its
   * community, or for a check-out one with a session open there. Anyone else
   * is "no such member": nothing is answered, created or blocked for them.
   */
  async witnessed(
    principal: Principal,
    memberId: string,
    activity: Activity,
    forCheckout: boolean,
  ): Promise<void> {
    const reports = await this.data.reports.statusesAt(memberId, activity.communityId);
    const openHere = forCheckout && (await this.data.attendance.hasOpenAt(memberId, activity._id));
    const member = forCheckout ? null : await this.dir.member(memberId);
    if (!forCheckout && (!member || member.status !== 'active')) throwRefusal(UNKNOWN.member());
    if (!witnessMayName({ communityId: activity.communityId, reports, openHere, forCheckout }))
      throwRefusal(UNKNOWN.member());
  }

  /** The activity a scanned token claims; an unknown one answers like a forged token. */
  async scannedActivity(token: string): Promise<Activity> {
    const id = claimedActivity(token);
    if (!id) return throwRefusal(MALFORMED_TOKEN());
    return (await this.data.activities.byId(id)) ?? throwRefusal(UNKNOWN.token());
  }

  /* ---------- ids of whole records named in a path: a unit, a member ---------- */

  /**
   * A work unit's feedback sheet. The managers of the unit's own placement
   * (the city, its county, a subtree holding it) see all of it; the managers
   * of a community the unit is paired with or its members reported to see
   * the members with a report there, and only those reports (`sees`).
   */
  async unit(
    principal: Principal,
    unitId: string,
  ): Promise<{ unit: OrgRm; members: MemberRm[]; reports: Report[]; sees: Sees }> {
    const unit = await this.dir.org(unitId);
    if (!unit || unit.kind !== 'agency-unit') return notFound();
    const all = await this.dir.activeMembersOf(unitId);
    const reports = await this.data.reports.ofMembers(all.map((m) => m._id));
    if (managesCommunity(principal, { county: unit.county, communityPath: unit.path }))
      return { unit, members: all, reports, sees: null };
    const sees = (place: CommunityPlacement) => managesCommunity(principal, place);
    const mine = reports.filter(sees);
    if (mine.length === 0 && !(await this.pairedWithManaged(principal, unit))) return notFound();
    const reported = new Set(mine.map((r) => r.memberId));
    return { unit, members: all.filter((m) => reported.has(m._id)), reports: mine, sees };
  }

  private async pairedWithManaged(principal: Principal, unit: OrgRm): Promise<boolean> {
    for (const p of await this.dir.pairingsOfUnit(unit._id)) {
      if (!(await this.dir.honoured(p))) continue;
      const target = await this.dir.org(p.targetId);
      if (target && managesCommunity(principal, { county: target.county, communityPath: target.path }))
        return true;
    }
    return false;
  }

  /**
   * A member's summary: whole for the member, the city and their county's
   * admins; for the managers of a community the member reported to, only
   * the reports there and what happened there (`sees`).
   */
  async member(
    principal: Principal,
    memberId: string,
  ): Promise<{ member: MemberRm; reports: Report[]; sees: Sees }> {
    const member = await this.dir.member(memberId);
    if (!member) return notFound();
    const reports = await this.data.reports.ofMemberInOrder(memberId);
    if (seesWholeMember(principal, { id: member._id, county: member.county }))
      return { member, reports, sees: null };
    const sees = (place: CommunityPlacement) => managesCommunity(principal, place);
    const mine = reports.filter(sees);
    if (mine.length === 0) return notFound();
    return { member, reports: mine, sees };
  }
}
