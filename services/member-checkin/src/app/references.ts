import { notFound, type Principal } from '@honglian/service-kit';
import type { ClientSession } from 'mongoose';
import type { ActivityDoc, AttendanceDoc, MemberRm, OrgRm, PairingRm, ReportDoc } from '../data/models.js';
import { FORGED, claimedActivity } from '../domain/qr.js';
import type { MemberFacts, PairingFacts } from '../domain/reports.js';
import { reason } from '../domain/rules.js';
import {
  isSelf,
  managesCommunity,
  mayFileFor,
  seesRecord,
  seesWholeMember,
  witnessMayName,
  type CommunityPlacement,
} from '../domain/scope.js';
import { refused, type CheckinContext } from './context.js';
import { Directory } from './directory.js';

/**
 * What a caller is told about an id it may not use: exactly what it is told
 * about an id that does not exist. Same status, same body, nothing of the
 * record named (not even the id: the caller has it), so probing ids tells
 * nothing about other counties.
 */
export const UNKNOWN = {
  community: () => refused(422, reason('社区不存在', 'no such community'), { field: 'communityId' }),
  member: () => refused(422, reason('党员不存在', 'no such member'), { field: 'memberId' }),
  /** A member-only caller naming anyone but themself. */
  otherMember: () => refused(404, reason('党员不存在', 'no such member'), { field: 'memberId' }),
  grid: () => refused(422, reason('该社区没有此网格', 'no such grid in this community'), { field: 'gridId' }),
  /** An activity named in a body (witnessed attendance). */
  activity: () => refused(404, reason('活动不存在', 'no such activity'), { field: 'activityId' }),
  token: () => refused(422, FORGED.reason, { code: FORGED.code }),
};

/** Only part of a record is in scope: the places (communities) whose rows the caller may see. */
export type Sees = ((place: CommunityPlacement) => boolean) | null;

type Community = NonNullable<Awaited<ReturnType<Directory['community']>>>;

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
  private readonly dir: Directory;
  constructor(private readonly ctx: CheckinContext) {
    this.dir = new Directory(ctx);
  }

  private get m() {
    return this.ctx.models;
  }

  /* ---------- this service's records, named in a path ---------- */

  /** A report its community's managers (or, unless `manageOnly`, its member) may see; else 404. */
  async report(
    principal: Principal,
    id: string,
    opts: { manageOnly?: boolean; session?: ClientSession } = {},
  ): Promise<{ doc: ReportDoc; manages: boolean }> {
    const doc = await this.m.Report.findById(id, null, { session: opts.session }).lean<ReportDoc>();
    const manages = !!doc && managesCommunity(principal, doc);
    if (!doc || (!manages && (opts.manageOnly || !isSelf(principal, doc.memberId))))
      throw notFound(`Report ${id} was not found.`);
    return { doc, manages };
  }

  /** An attendance its community's managers (or, unless `manageOnly`, its member) may see; else 404. */
  async attendance(
    principal: Principal,
    id: string,
    opts: { manageOnly?: boolean; session?: ClientSession } = {},
  ): Promise<AttendanceDoc> {
    const doc = await this.m.Attendance.findById(id, null, { session: opts.session }).lean<AttendanceDoc>();
    const sees = !!doc && (opts.manageOnly ? managesCommunity(principal, doc) : seesRecord(principal, doc));
    if (!doc || !sees) throw notFound(`Attendance ${id} was not found.`);
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
  ): Promise<ActivityDoc> {
    const doc = await this.m.Activity.findById(id).lean<ActivityDoc>();
    if (doc && managesCommunity(principal, doc)) return doc;
    if (doc && !opts.manageOnly && principal.memberId && principal.roles.includes('member')) {
      if ((await this.reportedCommunities(principal.memberId)).includes(doc.communityId)) return doc;
    }
    throw opts.named === 'body' ? UNKNOWN.activity() : notFound(`Activity ${id} was not found.`);
  }

  /** Communities a member has reported to (submitted or active): where they see activities. */
  async reportedCommunities(memberId: string): Promise<string[]> {
    const reports = await this.m.Report.find(
      { memberId, status: { $in: ['submitted', 'active'] } },
      { communityId: 1 },
    ).lean<Pick<ReportDoc, 'communityId'>[]>();
    return [...new Set(reports.map((r) => r.communityId))];
  }

  /* ---------- ids named in a body ---------- */

  /** An open community the caller manages (to publish an activity in, or file a report at). */
  async managedCommunity(principal: Principal, communityId: string, day: string): Promise<Community> {
    const community = await this.dir.community(communityId, day);
    if (!community || !community.open || !managesCommunity(principal, placeOf(community)))
      throw UNKNOWN.community();
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
    if (!self && !principal.roles.some((r) => r !== 'member')) throw UNKNOWN.otherMember();
    const member = await this.dir.member(memberId, session);
    // The caller's own id: not yet known from the registry's events is no secret.
    if (self && !member) throw UNKNOWN.member();
    const community = await this.dir.community(communityId, day, session);
    const facts = member ? await this.dir.memberFacts(member, session) : null;
    const pairings = member?.workUnitId ? await this.dir.pairingsOf(member.workUnitId, day, session) : [];
    const tied =
      !!member &&
      !!community &&
      (facts!.residenceCommunityId === community.id ||
        pairings.some((p) => p.communityId === community.id) ||
        !!(await this.m.Report.exists({ memberId, communityId: community.id }).session(session)));
    const manages = !!community && managesCommunity(principal, placeOf(community));
    // A member names a community of their own county, or one the registry ties them to elsewhere.
    const ownOrTied = !!member && !!community && (member.county === community.county || tied);
    if (!community || !community.open || !(manages || (self && ownOrTied))) throw UNKNOWN.community();
    if (!self) {
      const who = member && { id: member._id, county: member.county };
      if (!who || !mayFileFor(principal, who, community, tied)) throw UNKNOWN.member();
    }
    const disclose = !!member && seesWholeMember(principal, { id: member._id, county: member.county });
    return { member, facts, pairings, community, disclose };
  }

  /** A grid of the report's community (一编三定 placement). */
  async grid(report: ReportDoc, gridId: string): Promise<{ id: string; name: string }> {
    const g = await this.dir.org(gridId);
    if (!g || g.kind !== 'grid' || !g.path.startsWith(report.communityPath + '/')) throw UNKNOWN.grid();
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
    activity: ActivityDoc,
    forCheckout: boolean,
  ): Promise<void> {
    const reports = await this.m.Report.find(
      { memberId, communityId: activity.communityId },
      { communityId: 1, status: 1 },
    ).lean<Pick<ReportDoc, 'communityId' | 'status'>[]>();
    const openHere =
      forCheckout &&
      !!(await this.m.Attendance.exists({ memberId, activityId: activity._id, status: 'open' }));
    const member = forCheckout ? null : await this.dir.member(memberId);
    if (!forCheckout && (!member || member.status !== 'active')) throw UNKNOWN.member();
    if (!witnessMayName({ communityId: activity.communityId, reports, openHere, forCheckout }))
      throw UNKNOWN.member();
  }

  /** The activity a scanned token claims; an unknown one answers like a forged token. */
  async scannedActivity(token: string): Promise<ActivityDoc> {
    const id = claimedActivity(token);
    if (!id) throw refused(422, reason('二维码无效', 'the QR token is malformed'), { code: 'malformed' });
    const activity = await this.m.Activity.findById(id).lean<ActivityDoc>();
    if (!activity) throw UNKNOWN.token();
    return activity;
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
  ): Promise<{ unit: OrgRm; members: MemberRm[]; reports: ReportDoc[]; sees: Sees }> {
    const unit = await this.dir.org(unitId);
    if (!unit || unit.kind !== 'agency-unit') throw notFound(`Unit ${unitId} was not found.`);
    const all = await this.m.Member.find({ workUnitId: unitId, status: 'active' })
      .sort({ _id: 1 })
      .limit(20_000)
      .lean<MemberRm[]>();
    const reports = await this.m.Report.find({ memberId: { $in: all.map((m) => m._id) } }).lean<
      ReportDoc[]
    >();
    if (managesCommunity(principal, { county: unit.county, communityPath: unit.path }))
      return { unit, members: all, reports, sees: null };
    const sees = (place: CommunityPlacement) => managesCommunity(principal, place);
    const mine = reports.filter(sees);
    if (mine.length === 0 && !(await this.pairedWithManaged(principal, unit)))
      throw notFound(`Unit ${unitId} was not found.`);
    const reported = new Set(mine.map((r) => r.memberId));
    return { unit, members: all.filter((m) => reported.has(m._id)), reports: mine, sees };
  }

  private async pairedWithManaged(principal: Principal, unit: OrgRm): Promise<boolean> {
    const pairings = await this.m.Pairing.find({
      $or: [{ agencyUnitId: unit._id }, { agencyOrgId: unit._id }],
    }).lean<PairingRm[]>();
    for (const p of pairings) {
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
  ): Promise<{ member: MemberRm; reports: ReportDoc[]; sees: Sees }> {
    const member = await this.dir.member(memberId);
    if (!member) throw notFound(`Member ${memberId} was not found.`);
    const reports = await this.m.Report.find({ memberId }).sort({ submittedAt: 1 }).lean<ReportDoc[]>();
    if (seesWholeMember(principal, { id: member._id, county: member.county }))
      return { member, reports, sees: null };
    const sees = (place: CommunityPlacement) => managesCommunity(principal, place);
    const mine = reports.filter(sees);
    if (mine.length === 0) throw notFound(`Member ${memberId} was not found.`);
    return { member, reports: mine, sees };
  }
}
