import type { Principal } from '@honglian/service-kit';
import type { MemberRm } from '../data/models.js';
import type { Attendance } from '../domain/attendance.js';
import {
  buildFeedbackSheet,
  requiredReportsOf,
  type FeedbackSheet,
  type MemberRow,
  type SheetAttendance,
  type SheetReport,
} from '../domain/feedback.js';
import type { Period } from '../domain/period.js';
import type { Report } from '../domain/reports.js';
import { daysOverdue, owedReports, type OwedReport } from '../domain/county-views.js';
import { dayOf, type CheckinContext } from './context.js';
import type { References, Sees } from './references.js';

const sheetReport = (r: Report): SheetReport => ({
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

const sheetAttendance = (a: Attendance): SheetAttendance => ({
  id: a._id,
  memberId: a.memberId,
  communityId: a.communityId,
  checkInAt: a.checkInAt,
  creditedMinutes: a.creditedMinutes,
});

/** One member's period, as the caller may see it (api/views.ts shapes the answer). */
export interface MemberSummary {
  /** `community`: only what concerns the caller's communities. */
  view: 'whole' | 'community';
  member: MemberRm;
  period: FeedbackSheet['period'];
  reports: Report[];
  row: MemberRow;
  /** Credited sessions in the period, oldest first. */
  sessions: Attendance[];
  awaitingConfirmation: Attendance[];
  open: Attendance[];
  /** Reports the member still owes, with where and by when (whole view only). */
  owed: (OwedReport & { communities: { id: string; name: string | null }[]; overdue: boolean })[];
}

/** The feedback sheet of a work unit (反馈单位) and a member's summary. */
export class FeedbackService {
  constructor(
    private readonly ctx: CheckinContext,
    private readonly refs: References,
  ) {}

  /** Credited attendances of these members in the period, at the places the caller sees. */
  private async creditedAttendances(memberIds: string[], period: Period, sees: Sees) {
    const docs = await this.ctx.data.attendance.credited(memberIds, period);
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

  /** The reports the member owes today (the invitation to report after joining or a move). */
  private async owed(member: MemberRm, reports: Report[]): Promise<MemberSummary['owed']> {
    const dir = this.ctx.data.readModel;
    const today = dayOf(this.ctx.clock.now());
    const facts = await dir.memberFacts(member);
    const pairings = member.workUnitId ? await dir.pairingsOf(member.workUnitId, today) : [];
    const owed = owedReports({
      member: { ...facts, effectiveFrom: member.effectiveFrom },
      workCommunities: pairings.map((p) => ({
        communityId: p.communityId,
        validFrom: p.validFrom ?? member.effectiveFrom,
      })),
      openKinds: reports.filter((r) => r.status === 'submitted' || r.status === 'active').map((r) => r.kind),
      deadlineDays: this.ctx.rules.reportDeadlineDays,
    });
    const names = new Map(
      (await dir.orgsByIds(owed.flatMap((o) => o.communityIds))).map((o) => [o._id, o.name]),
    );
    return owed.map((o) => ({
      ...o,
      communities: o.communityIds.map((id) => ({ id, name: names.get(id) ?? null })),
      overdue: daysOverdue(o, today) > 0,
    }));
  }

  /**
   * One member's reports, attendance and hours in a period: whole for the
   * member, the city and their county's admins; a community's managers see
   * only what concerns their communities (`view: community`).
   */
  async memberSummary(memberId: string, period: Period, principal: Principal): Promise<MemberSummary> {
    const { member, reports, sees } = await this.refs.member(principal, memberId);
    const attendances = await this.creditedAttendances([memberId], period, sees);
    const pending = (await this.ctx.data.attendance.pending(memberId)).filter((a) => !sees || sees(a));
    const sheet = buildFeedbackSheet({
      unitId: member.workUnitId ?? '',
      unitName: null,
      period,
      threshold: this.ctx.rules.feedbackThreshold,
      view: sees ? 'community' : 'unit',
      members: [
        {
          memberId,
          name: member.name,
          category: member.category,
          requiredReports: requiredReportsOf(member),
        },
      ],
      reports: reports.map(sheetReport),
      attendances: attendances.map(sheetAttendance),
    });
    return {
      owed: sees ? [] : await this.owed(member, reports),
      view: sees ? 'community' : 'whole',
      member,
      period: sheet.period,
      reports,
      row: sheet.members[0]!,
      sessions: attendances.sort((a, b) => a.checkInAt.getTime() - b.checkInAt.getTime()),
      awaitingConfirmation: pending.filter((a) => a.status === 'auto-closed'),
      open: pending.filter((a) => a.status === 'open'),
    };
  }
}
