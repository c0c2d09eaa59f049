import { MEMBER_CATEGORIES, type MemberCategory } from '@honglian/contracts';
import type { Principal } from '@honglian/service-kit';
import type { AttendanceDoc, ReportDoc } from '../data/models.js';
import {
  buildFeedbackSheet,
  type FeedbackSheet,
  type SheetAttendance,
  type SheetReport,
} from '../domain/feedback.js';
import type { Period } from '../domain/period.js';
import { attendanceView } from './attendance.js';
import type { CheckinContext } from './context.js';
import type { References, Sees } from './references.js';
import { reportView } from './reports.js';

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

const sheetAttendance = (a: AttendanceDoc): SheetAttendance => ({
  id: a._id,
  memberId: a.memberId,
  communityId: a.communityId,
  checkInAt: a.checkInAt,
  creditedMinutes: a.creditedMinutes,
});

export class FeedbackService {
  constructor(
    private readonly ctx: CheckinContext,
    private readonly refs: References,
  ) {}

  /** Credited attendances of these members in the period, at the places the caller sees. */
  private async creditedAttendances(memberIds: string[], period: Period, sees: Sees) {
    const docs = await this.ctx.models.Attendance.find({
      memberId: { $in: memberIds },
      status: 'closed',
      checkInAt: { $gte: period.from, $lt: period.to },
    }).lean<AttendanceDoc[]>();
    return sees ? docs.filter(sees) : docs;
  }

  /**
   * The unit's feedback sheet: whole for the managers of the unit's own
   * placement; for the managers of a community tied to the unit, the
   * `community` view of the members who reported there (references.ts).
   */
  async unitSheet(unitId: string, period: Period, principal: Principal): Promise<FeedbackSheet> {
    const { unit, members, reports, sees } = await this.refs.unit(principal, unitId);
    const ids = members.map((m) => m._id);
    const attendances = await this.creditedAttendances(ids, period, sees);
    return buildFeedbackSheet({
      unitId,
      unitName: unit.name,
      period,
      threshold: this.ctx.rules.feedbackThreshold,
      view: sees ? 'community' : 'unit',
      members: members.map((m) => ({ memberId: m._id, name: m.name, category: m.category })),
      reports: reports.map(sheetReport),
      attendances: attendances.map(sheetAttendance),
    });
  }

  /**
   * One member's reports, attendance and hours in a period: whole for the
   * member, the city and their county's admins; a community's managers see
   * only what concerns their communities (`view: community`).
   */
  async memberSummary(memberId: string, period: Period, principal: Principal) {
    const { member, reports, sees } = await this.refs.member(principal, memberId);
    const attendances = await this.creditedAttendances([memberId], period, sees);
    const pending = (
      await this.ctx.models.Attendance.find({ memberId, status: { $in: ['open', 'auto-closed'] } })
        .sort({ checkInAt: 1 })
        .limit(200)
        .lean<AttendanceDoc[]>()
    ).filter((a) => !sees || sees(a));
    const sheet = buildFeedbackSheet({
      unitId: member.workUnitId ?? '',
      unitName: null,
      period,
      threshold: this.ctx.rules.feedbackThreshold,
      view: sees ? 'community' : 'unit',
      members: [{ memberId, name: member.name, category: member.category }],
      reports: reports.map(sheetReport),
      attendances: attendances.map(sheetAttendance),
    });
    const row = sheet.members[0]!;
    return {
      view: sees ? ('community' as const) : ('whole' as const),
      member: {
        id: member._id,
        name: member.name,
        // Which county the member belongs to is for those who see the whole member.
        county: sees ? null : member.county,
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
