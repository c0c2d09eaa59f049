import { tenantFilter, type Principal } from '@honglian/service-kit';
import type { ClientSession } from 'mongoose';
import type { Report, ReportKind, ReportStatus } from '../domain/reports.js';
import type { CheckinModels } from './models.js';
import { pageOf, type Page, type PageRequest } from './page.js';

/** Reports a member or a community's managers see (members: their own). */
export const REPORT_SCOPE = { orgPathField: 'communityPath', memberField: 'memberId' } as const;

/** Filters of the county-wide 报而不到 list. */
export interface NoShowQuery extends PageRequest {
  county?: string | undefined;
  communityId?: string | undefined;
  kind?: ReportKind | undefined;
}

export interface ReportQuery extends PageRequest {
  memberId?: string | undefined;
  communityId?: string | undefined;
  status?: ReportStatus | undefined;
  kind?: ReportKind | undefined;
}

/** The reports collection, and the per-member lock that serialises a member's writes. */
export class ReportStore {
  constructor(private readonly m: CheckinModels) {}

  byId(id: string, session?: ClientSession): Promise<Report | null> {
    return this.m.Report.findById(id, null, { session }).lean<Report>();
  }

  ofMember(memberId: string, session?: ClientSession): Promise<Report[]> {
    return this.m.Report.find({ memberId }, null, { session }).lean<Report[]>();
  }

  /** Open (submitted or active) reports: of a member, resting on a pairing, or at a community. */
  openWhere(
    where: { memberId: string } | { pairingId: string } | { communityId: string },
    session: ClientSession,
  ): Promise<Report[]> {
    return this.m.Report.find({ ...where, status: { $in: ['submitted', 'active'] } })
      .sort({ _id: 1 })
      .session(session)
      .lean<Report[]>();
  }

  /** A member's reports, oldest first (their summary). */
  ofMemberInOrder(memberId: string): Promise<Report[]> {
    return this.m.Report.find({ memberId }).sort({ submittedAt: 1 }).lean<Report[]>();
  }

  ofMembers(memberIds: string[]): Promise<Report[]> {
    return this.m.Report.find({ memberId: { $in: memberIds } }).lean<Report[]>();
  }

  /** A member's reports at a community: only their community and status (a witness's check). */
  async statusesAt(memberId: string, communityId: string): Promise<Pick<Report, 'communityId' | 'status'>[]> {
    return this.m.Report.find({ memberId, communityId }, { communityId: 1, status: 1 }).lean<
      Pick<Report, 'communityId' | 'status'>[]
    >();
  }

  async existsAt(memberId: string, communityId: string, session?: ClientSession): Promise<boolean> {
    return !!(await this.m.Report.exists({ memberId, communityId }).session(session ?? null));
  }

  /** Communities a member has reported to (submitted or active): where they see activities. */
  async reportedCommunities(memberId: string): Promise<string[]> {
    const reports = await this.m.Report.find(
      { memberId, status: { $in: ['submitted', 'active'] } },
      { communityId: 1 },
    ).lean<Pick<Report, 'communityId'>[]>();
    return [...new Set(reports.map((r) => r.communityId))];
  }

  /** Ids of the member's active reports at a community, sorted. */
  async activeIdsAt(memberId: string, communityId: string, session: ClientSession): Promise<string[]> {
    const reports = await this.m.Report.find({ memberId, communityId, status: 'active' }, { _id: 1 })
      .session(session)
      .lean<Pick<Report, '_id'>[]>();
    return reports.map((x) => x._id).sort();
  }

  activeByIds(ids: string[], session: ClientSession): Promise<Report[]> {
    return this.m.Report.find({ _id: { $in: ids }, status: 'active' })
      .session(session)
      .lean<Report[]>();
  }

  page(principal: Principal, q: ReportQuery): Promise<Page<Report>> {
    const filter: Record<string, unknown> = { $and: [tenantFilter(principal, REPORT_SCOPE)] };
    for (const key of ['memberId', 'communityId', 'status', 'kind'] as const)
      if (q[key]) filter[key] = q[key];
    return pageOf(this.m.Report, filter, q);
  }

  /** Active reports flagged 报而不到 in the caller's scope (county views), in id order. */
  noShowPage(principal: Principal, q: NoShowQuery): Promise<Page<Report>> {
    const filter: Record<string, unknown> = {
      $and: [tenantFilter(principal, REPORT_SCOPE)],
      status: 'active',
      noShow: true,
    };
    for (const key of ['county', 'communityId', 'kind'] as const) if (q[key]) filter[key] = q[key];
    return pageOf(this.m.Report, filter, q);
  }

  /** Open (submitted or active) reports of these members: who still owes which kind. */
  openOfMembers(memberIds: string[]): Promise<Pick<Report, 'memberId' | 'kind'>[]> {
    return this.m.Report.find(
      { memberId: { $in: memberIds }, status: { $in: ['submitted', 'active'] } },
      { memberId: 1, kind: 1 },
    ).lean<Pick<Report, 'memberId' | 'kind'>[]>();
  }

  /** Members with an active report in the caller's scope (a community's people), optionally one county's. */
  async activeMemberIdsIn(principal: Principal, county: string | undefined): Promise<string[]> {
    const filter: Record<string, unknown> = {
      $and: [tenantFilter(principal, REPORT_SCOPE)],
      status: 'active',
    };
    if (county) filter.county = county;
    return (await this.m.Report.distinct('memberId', filter)) as string[];
  }

  /** Serialises one member's writes (reports, sessions) across concurrent requests. */
  async lockMember(session: ClientSession, memberId: string): Promise<void> {
    await this.m.MemberLock.updateOne({ _id: memberId }, { $inc: { n: 1 } }, { upsert: true, session });
  }

  async insert(report: Report, session: ClientSession): Promise<void> {
    await this.m.Report.create([report], { session });
  }

  /** Sets the fields if the report is still in `status`; false when it changed meanwhile. */
  async updateIfStatus(
    id: string,
    status: ReportStatus,
    set: Partial<Report>,
    session: ClientSession,
  ): Promise<boolean> {
    const res = await this.m.Report.updateOne({ _id: id, status }, { $set: set }, { session });
    return res.matchedCount > 0;
  }

  /** The member attended for this report: 报而不到 no longer holds. */
  async markAttended(id: string, lastAttendanceAt: Date, session: ClientSession): Promise<void> {
    await this.m.Report.updateOne(
      { _id: id },
      { $set: { lastAttendanceAt, noShow: false, noShowSince: null } },
      { session },
    );
  }

  /**
   * Reports the 报而不到 rule may change: active ones due for a flag, and
   * flagged ones the rule no longer holds for (attended since, window
   * lengthened, report no longer active). A flagged report that is still due
   * is not a candidate, so a large backlog of standing flags never crowds out
   * new ones; each batch is taken in id order after `after`.
   */
  noShowCandidates(cutoff: Date, after: string | null, limit: number): Promise<Report[]> {
    const filter: Record<string, unknown> = {
      $or: [
        {
          status: 'active',
          noShow: false,
          activatedAt: { $lte: cutoff },
          $or: [{ lastAttendanceAt: null }, { lastAttendanceAt: { $lte: cutoff } }],
        },
        {
          noShow: true,
          $or: [
            { status: { $ne: 'active' } },
            { activatedAt: null },
            { activatedAt: { $gt: cutoff } },
            { lastAttendanceAt: { $gt: cutoff } },
          ],
        },
      ],
    };
    return this.m.Report.find(after === null ? filter : { $and: [filter, { _id: { $gt: after } }] })
      .sort({ _id: 1 })
      .limit(limit)
      .lean<Report[]>();
  }

  /** Sets the 报而不到 fields if what the sweep read did not change meanwhile. */
  async setNoShowIfUnchanged(
    r: Report,
    set: Pick<Report, 'noShow' | 'noShowSince'>,
    session: ClientSession,
  ): Promise<boolean> {
    const res = await this.m.Report.updateOne(
      { _id: r._id, noShow: r.noShow, lastAttendanceAt: r.lastAttendanceAt, status: r.status },
      { $set: set },
      { session },
    );
    return res.matchedCount > 0;
  }
}
