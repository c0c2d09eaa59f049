import type { Period } from './period.js';
import type { Reason } from '@honglian/service-kit/domain';
import { hoursOf } from './rules.js';
import type { ReportKind, ReportStatus } from './reports.js';

/**
 * The work-unit feedback sheet (反馈单位, DOMAIN.md §2): what a community
 * tells a unit about each of its members before the year-end 民主评议, and
 * the unit's report and completion rates against the threshold (95 %).
 *
 * - A member must report to both communities (residence and work-linked); one
 *   without a work unit (retired, floating) to the residence community only.
 * - Reported: each required report was active at some point in the period.
 * - Completed: reported, and at least one attendance in the period at the
 *   community of every such report (Foshan: one activity per half-year per
 *   community).
 * - Hours per community add up that community's attendances; the member's
 *   total adds up distinct attendances, so one attendance that counts for two
 *   reports at the same community is counted once.
 * - A member who never reported cannot be rated above 基本合格.
 *
 * The `community` view is the sheet as the managers of some communities see
 * it when they do not manage the unit itself (README "Scope of references"):
 * given only the reports made to their communities and the attendances
 * there, each row is about those reports alone, so what is "missing" is
 * judged on them and no rating ceiling is drawn (that needs every report).
 */
export interface SheetMember {
  memberId: string;
  name: string;
  category: string;
  /**
   * The reports this member owes (default both). A member without a work unit (a retiree, a
   * floating member) owes the residence report alone, so it alone makes her reported.
   */
  requiredReports?: readonly ReportKind[];
}

/** The reports a member owes: the work report only when she has a work unit. */
export function requiredReportsOf(member: { workUnitId: string | null | undefined }): ReportKind[] {
  return member.workUnitId ? [...REQUIRED] : ['residence'];
}

export interface SheetReport {
  id: string;
  memberId: string;
  kind: ReportKind;
  communityId: string;
  communityName: string;
  status: ReportStatus;
  activatedAt: Date | null;
  endedAt: Date | null;
  noShow: boolean;
}

export interface SheetAttendance {
  id: string;
  memberId: string;
  communityId: string;
  checkInAt: Date;
  creditedMinutes: number;
}

export interface SheetFlag extends Reason {
  code: string;
}

export interface MemberRow {
  memberId: string;
  name: string;
  category: string;
  reports: {
    reportId: string;
    kind: ReportKind;
    communityId: string;
    communityName: string;
    status: ReportStatus;
    activatedAt: string | null;
    attendances: number;
    hours: number;
    noShow: boolean;
  }[];
  communities: { communityId: string; attendances: number; hours: number }[];
  attendances: number;
  hours: number;
  missingReports: ReportKind[];
  reported: boolean;
  completed: boolean;
  noShow: boolean;
  /** `basic`: never reported, so at most 基本合格 in the year-end review. */
  ratingCeiling: 'basic' | null;
  flags: SheetFlag[];
}

export type SheetView = 'unit' | 'community';

export interface FeedbackSheet {
  unitId: string;
  /** `unit`: the whole sheet; `community`: only rows and reports about the caller's communities. */
  view: SheetView;
  unitName: string | null;
  period: { label: string; from: string; to: string };
  threshold: number;
  members: MemberRow[];
  totals: {
    members: number;
    reported: number;
    completed: number;
    reportRate: number | null;
    completionRate: number | null;
    attendances: number;
    hours: number;
  };
  redFlag: boolean;
  redFlags: SheetFlag[];
}

const REQUIRED: readonly ReportKind[] = ['residence', 'work'];

const KIND_ZH: Record<ReportKind, string> = { residence: '居住地社区', work: '单位联系社区' };

function activeDuring(r: SheetReport, period: Period): boolean {
  if (!r.activatedAt || (r.status !== 'active' && r.status !== 'ended')) return false;
  return r.activatedAt < period.to && (r.endedAt === null || r.endedAt > period.from);
}

const rate = (n: number, d: number) => (d === 0 ? null : Math.round((n / d) * 10_000) / 10_000);

export function buildFeedbackSheet(input: {
  unitId: string;
  unitName: string | null;
  period: Period;
  threshold: number;
  /** Default `unit`. */
  view?: SheetView;
  members: readonly SheetMember[];
  /** Every report of these members (any period): "never reported" needs them all. */
  reports: readonly SheetReport[];
  /** Attendances of these members that were credited (closed or confirmed). */
  attendances: readonly SheetAttendance[];
}): FeedbackSheet {
  const { period } = input;
  const view = input.view ?? 'unit';
  const inPeriod = input.attendances.filter((a) => a.checkInAt >= period.from && a.checkInAt < period.to);
  const rows: MemberRow[] = input.members.map((m) => {
    const all = input.reports.filter((r) => r.memberId === m.memberId);
    const counted = all.filter((r) => activeDuring(r, period));
    const mine = inPeriod.filter((a) => a.memberId === m.memberId);
    const byCommunity = new Map<string, { attendances: number; minutes: number }>();
    for (const a of mine) {
      const c = byCommunity.get(a.communityId) ?? { attendances: 0, minutes: 0 };
      c.attendances += 1;
      c.minutes += a.creditedMinutes;
      byCommunity.set(a.communityId, c);
    }
    const owes = m.requiredReports ?? REQUIRED;
    const required = view === 'unit' ? owes : owes.filter((k) => all.some((r) => r.kind === k));
    const missingReports = required.filter((k) => !counted.some((r) => r.kind === k));
    const reported = missingReports.length === 0;
    const completed =
      reported && counted.every((r) => (byCommunity.get(r.communityId)?.attendances ?? 0) > 0);
    const noShow = all.some((r) => r.status === 'active' && r.noShow);
    const ceiling = view === 'unit' && !all.some((r) => r.activatedAt !== null);
    const flags: SheetFlag[] = [];
    for (const k of missingReports)
      flags.push({
        code: `not-reported:${k}`,
        zh: `未向${KIND_ZH[k]}报到`,
        en: `no active ${k} report in the period`,
      });
    for (const r of all.filter((r) => r.status === 'active' && r.noShow))
      flags.push({
        code: `no-show:${r.communityId}`,
        zh: `在${r.communityName}报而不到`,
        en: `reported to ${r.communityId} but never showed up (报而不到)`,
      });
    for (const r of counted.filter(
      (r) => !r.noShow && (byCommunity.get(r.communityId)?.attendances ?? 0) === 0,
    ))
      flags.push({
        code: `no-activity:${r.communityId}`,
        zh: `本期未在${r.communityName}参加活动`,
        en: `no activity at ${r.communityId} in the period`,
      });
    if (ceiling)
      flags.push({
        code: 'rating-ceiling',
        zh: '从未报到，评议不得高于基本合格',
        en: 'never reported: at most 基本合格',
      });
    return {
      memberId: m.memberId,
      name: m.name,
      category: m.category,
      reports: counted.map((r) => {
        const c = byCommunity.get(r.communityId);
        return {
          reportId: r.id,
          kind: r.kind,
          communityId: r.communityId,
          communityName: r.communityName,
          status: r.status,
          activatedAt: r.activatedAt?.toISOString() ?? null,
          attendances: c?.attendances ?? 0,
          hours: hoursOf(c?.minutes ?? 0),
          noShow: r.status === 'active' && r.noShow,
        };
      }),
      communities: [...byCommunity.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([communityId, c]) => ({ communityId, attendances: c.attendances, hours: hoursOf(c.minutes) })),
      attendances: mine.length,
      hours: hoursOf(mine.reduce((s, a) => s + a.creditedMinutes, 0)),
      missingReports,
      reported,
      completed,
      noShow,
      ratingCeiling: ceiling ? 'basic' : null,
      flags,
    };
  });
  const reported = rows.filter((r) => r.reported).length;
  const completed = rows.filter((r) => r.completed).length;
  const reportRate = rate(reported, rows.length);
  const completionRate = rate(completed, rows.length);
  const redFlags: SheetFlag[] = [];
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  if (reportRate !== null && reportRate < input.threshold)
    redFlags.push({
      code: 'report-rate',
      zh: `报到率${pct(reportRate)}低于${pct(input.threshold)}`,
      en: `report rate ${pct(reportRate)} is below ${pct(input.threshold)}`,
    });
  if (completionRate !== null && completionRate < input.threshold)
    redFlags.push({
      code: 'completion-rate',
      zh: `履职完成率${pct(completionRate)}低于${pct(input.threshold)}`,
      en: `completion rate ${pct(completionRate)} is below ${pct(input.threshold)}`,
    });
  return {
    unitId: input.unitId,
    view,
    unitName: input.unitName,
    period: { label: period.label, from: period.from.toISOString(), to: period.to.toISOString() },
    threshold: input.threshold,
    members: rows,
    totals: {
      members: rows.length,
      reported,
      completed,
      reportRate,
      completionRate,
      attendances: rows.reduce((s, r) => s + r.attendances, 0),
      hours: hoursOf(inPeriod.reduce((s, a) => s + a.creditedMinutes, 0)),
    },
    redFlag: redFlags.length > 0,
    redFlags,
  };
}
