import { MEMBER_CATEGORIES, type MemberCategory } from '@honglian/contracts';
import { notFound, type Principal } from '@honglian/service-kit';
import type { AttendanceDoc, MemberRm, OrgRm, PairingRm, ReportDoc } from '../data/models.js';
import { buildFeedbackSheet, type FeedbackSheet, type SheetReport } from '../domain/feedback.js';
import type { Period } from '../domain/period.js';
import { isSelf, managesCommunity } from '../domain/scope.js';
import { attendanceView } from './attendance.js';
import type { CheckinContext } from './context.js';
import { reportView } from './reports.js';
import { Directory } from './directory.js';

const sheetReport = (r: ReportDoc): SheetReport => ({
  id: r._id,
  memberId: r.memberId,
  kind: r.kind,
  communityId: r.communityId,
  communityName: r.communityName,
  status: r.status,
  activatedAt: r.activatedAt,
  endedAt: r.endedAt,
  noShow: r.noShow,
});

export class FeedbackService {
  private readonly dir: Directory;
  constructor(private readonly ctx: CheckinContext) {
    this.dir = new Directory(ctx);
  }

  private async creditedAttendances(memberIds: string[], period: Period) {
    return this.ctx.models.Attendance.find({
      memberId: { $in: memberIds },
      status: 'closed',
      checkInAt: { $gte: period.from, $lt: period.to },
    }).lean<AttendanceDoc[]>();
  }

  /**
   * The unit's feedback sheet. City admins and the unit's county admins see
   * it; community staff see it when the unit is paired with a community they
   * manage or one of its members reported to such a community. Otherwise 404.
   */
  async unitSheet(unitId: string, period: Period, principal: Principal): Promise<FeedbackSheet> {
    const unit = await this.dir.org(unitId);
    if (!unit || unit.kind !== 'agency-unit') throw notFound(`Unit ${unitId} was not found.`);
    const members = await this.ctx.models.Member.find({ workUnitId: unitId, status: 'active' })
      .sort({ _id: 1 })
      .limit(20_000)
      .lean<MemberRm[]>();
    const ids = members.map((m) => m._id);
    const reports = await this.ctx.models.Report.find({ memberId: { $in: ids } }).lean<ReportDoc[]>();
    if (!(await this.seesUnit(principal, unit, reports))) throw notFound(`Unit ${unitId} was not found.`);
    const attendances = await this.creditedAttendances(ids, period);
    return buildFeedbackSheet({
      unitId,
      unitName: unit.name,
      period,
      threshold: this.ctx.rules.feedbackThreshold,
      members: members.map((m) => ({ memberId: m._id, name: m.name, category: m.category })),
      reports: reports.map(sheetReport),
      attendances: attendances.map((a) => ({
        id: a._id,
        memberId: a.memberId,
        communityId: a.communityId,
        checkInAt: a.checkInAt,
        creditedMinutes: a.creditedMinutes,
      })),
    });
  }

  private async seesUnit(principal: Principal, unit: OrgRm, reports: ReportDoc[]): Promise<boolean> {
    if (principal.roles.includes('city-admin')) return true;
    if (principal.roles.includes('county-admin') && principal.county === unit.county) return true;
    if (!principal.roles.includes('community-staff')) return false;
    if (reports.some((r) => managesCommunity(principal, r))) return true;
    const pairings = await this.ctx.models.Pairing.find({
      $or: [{ agencyUnitId: unit._id }, { agencyOrgId: unit._id }],
    }).lean<PairingRm[]>();
    for (const p of pairings) {
      const target = await this.dir.org(p.targetId);
      if (target && managesCommunity(principal, { county: target.county, communityPath: target.path }))
        return true;
    }
    return false;
  }

  /** One member's reports, attendance and hours in a period; the member, their communities' staff, admins. */
  async memberSummary(memberId: string, period: Period, principal: Principal) {
    const member = await this.dir.member(memberId);
    const reports = member
      ? await this.ctx.models.Report.find({ memberId }).sort({ submittedAt: 1 }).lean<ReportDoc[]>()
      : [];
    const sees =
      member &&
      (isSelf(principal, memberId) ||
        principal.roles.includes('city-admin') ||
        (principal.roles.includes('county-admin') && principal.county === member.county) ||
        reports.some((r) => managesCommunity(principal, r)));
    if (!member || !sees) throw notFound(`Member ${memberId} was not found.`);
    const attendances = await this.creditedAttendances([memberId], period);
    const pending = await this.ctx.models.Attendance.find({
      memberId,
      status: { $in: ['open', 'auto-closed'] },
    })
      .sort({ checkInAt: 1 })
      .limit(200)
      .lean<AttendanceDoc[]>();
    const sheet = buildFeedbackSheet({
      unitId: member.workUnitId ?? '',
      unitName: null,
      period,
      threshold: this.ctx.rules.feedbackThreshold,
      members: [{ memberId, name: member.name, category: member.category }],
      reports: reports.map(sheetReport),
      attendances: attendances.map((a) => ({
        id: a._id,
        memberId,
        communityId: a.communityId,
        checkInAt: a.checkInAt,
        creditedMinutes: a.creditedMinutes,
      })),
    });
    const row = sheet.members[0]!;
    return {
      member: {
        id: member._id,
        name: member.name,
        county: member.county,
        category: member.category,
        categoryLabel: MEMBER_CATEGORIES[member.category as MemberCategory] ?? null,
        workUnitId: member.workUnitId,
      },
      period: sheet.period,
      reports: reports.map(reportView),
      communities: row.communities,
      attendances: row.attendances,
      hours: row.hours,
      reported: row.reported,
      completed: row.completed,
      noShow: row.noShow,
      ratingCeiling: row.ratingCeiling,
      flags: row.flags,
      sessions: attendances.sort((a, b) => a.checkInAt.getTime() - b.checkInAt.getTime()).map(attendanceView),
      awaitingConfirmation: pending.filter((a) => a.status === 'auto-closed').map(attendanceView),
      open: pending.filter((a) => a.status === 'open').map(attendanceView),
    };
  }
}
