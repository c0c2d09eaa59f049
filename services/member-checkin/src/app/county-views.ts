import type { Principal } from '@honglian/service-kit';
import type { MemberRm } from '../data/models.js';
import type { NoShowQuery } from '../data/reports.js';
import type { Page } from '../data/page.js';
import {
  belowExpectedHours,
  daysBetween,
  daysOverdue,
  expectedHours,
  owedReports,
  type HoursRow,
  type OwedReport,
} from '../domain/county-views.js';
import { buildFeedbackSheet, type FeedbackSheet } from '../domain/feedback.js';
import type { Period } from '../domain/period.js';
import type { Report, ReportKind } from '../domain/reports.js';
import { managesCommunity, seesWholeMember } from '../domain/scope.js';
import { dayOf, type CheckinContext } from './context.js';
import { Places } from './places.js';

/** An owed report past its deadline, with the names an official reads. */
export interface OverdueRow extends OwedReport {
  memberId: string;
  memberName: string;
  county: string;
  workUnitId: string | null;
  workUnitName: string | null;
  communities: { id: string; name: string | null }[];
  daysOverdue: number;
}

export interface LowHoursRow extends HoursRow {
  memberName: string;
  county: string;
  workUnitId: string | null;
  workUnitName: string | null;
}

export interface NoShowRow {
  report: Report;
  /** Days since the last credited attendance (or since activation, when none). */
  daysWithout: number;
}

/** A page of rows computed in memory: the cursor is the offset of the next row. */
export interface Listing<T> {
  items: T[];
  nextCursor: string | null;
  total: number;
}

export interface ViewQuery {
  county?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

function listing<T>(rows: T[], q: ViewQuery): Listing<T> {
  const from = q.cursor ? Number(q.cursor) : 0;
  const items = rows.slice(from, from + q.limit);
  return {
    items,
    nextCursor: from + q.limit < rows.length ? String(from + q.limit) : null,
    total: rows.length,
  };
}

/**
 * The county's working lists (README "County views"): 报而不到 flags, overdue reports, members
 * below the yearly hours, red-flagged units. Each covers what the caller manages: the city (one
 * county with `county`), a county admin's county, a community's staff their communities. A
 * county filter outside the caller's county matches nothing.
 */
export class CountyViews {
  constructor(private readonly ctx: CheckinContext) {}

  /** Hours a year expected of a member (CHECKIN_YEARLY_HOURS). */
  get yearlyHours(): number {
    return this.ctx.rules.yearlyHoursExpected;
  }

  /** Report and completion rates below this red-flag a unit. */
  get threshold(): number {
    return this.ctx.rules.feedbackThreshold;
  }

  private get dir() {
    return this.ctx.data.readModel;
  }

  /** The county the view covers (null: the whole city); undefined when the filter is out of scope. */
  private countyOf(principal: Principal, requested: string | undefined): string | null | undefined {
    if (principal.roles.includes('city-admin')) return requested ?? null;
    if (!principal.county || (requested && requested !== principal.county)) return undefined;
    return principal.county;
  }

  async noShows(principal: Principal, q: NoShowQuery): Promise<Page<NoShowRow>> {
    const page = await this.ctx.data.reports.noShowPage(principal, q);
    const today = dayOf(this.ctx.clock.now());
    return {
      ...page,
      items: page.items.map((report) => ({
        report,
        daysWithout: daysBetween(
          dayOf(report.lastAttendanceAt ?? report.activatedAt ?? report.submittedAt),
          today,
        ),
      })),
    };
  }

  /** Reports members owe past the deadline (DOMAIN.md: report within 30 days), longest overdue first. */
  async overdueReports(principal: Principal, q: ViewQuery & { kind?: ReportKind | undefined }) {
    const county = this.countyOf(principal, q.county);
    if (county === undefined) return listing([], q);
    const today = dayOf(this.ctx.clock.now());
    const members = await this.dir.activeMembers(county);
    const pairings = await this.dir.pairingsInForce(today);
    const places = await Places.load(this.dir, members, pairings);
    const work = places.workCommunities(pairings);
    const open = new Map<string, ReportKind[]>();
    for (const r of await this.ctx.data.reports.openOfMembers(members.map((m) => m._id)))
      open.set(r.memberId, [...(open.get(r.memberId) ?? []), r.kind]);
    const rows: OverdueRow[] = [];
    for (const m of members) {
      const owed = owedReports({
        member: { ...m, residenceCommunityId: places.residenceCommunity(m)?._id ?? null },
        workCommunities: (m.workUnitId && work.get(m.workUnitId)) || [],
        openKinds: open.get(m._id) ?? [],
        deadlineDays: this.ctx.rules.reportDeadlineDays,
      });
      for (const o of owed) {
        const late = daysOverdue(o, today);
        if (late <= 0 || (q.kind && o.kind !== q.kind)) continue;
        const communities = o.communityIds.map((id) => places.org(id));
        // Staff see a member through the communities they manage; admins of the member's county see them whole.
        const sees =
          seesWholeMember(principal, { id: m._id, county: m.county }) ||
          communities.some(
            (c) => c && managesCommunity(principal, { county: c.county, communityPath: c.path }),
          );
        if (!sees) continue;
        rows.push({
          ...o,
          ...this.who(m, places),
          communities: o.communityIds.map((id) => ({ id, name: places.name(id) })),
          daysOverdue: late,
        });
      }
    }
    rows.sort((a, b) => b.daysOverdue - a.daysOverdue || (a.memberId < b.memberId ? -1 : 1));
    return listing(rows, q);
  }

  /**
   * Members below the yearly hours expected (prorated to today in a period in progress). Admins
   * list their county's members with all their hours; a community's staff list the members with
   * an active report at their communities, with the hours served there.
   */
  async lowHours(principal: Principal, period: Period, q: ViewQuery) {
    const county = this.countyOf(principal, q.county);
    if (county === undefined) return { ...listing([], q), expected: 0 };
    const admin = principal.roles.includes('city-admin') || principal.roles.includes('county-admin');
    const members = admin
      ? await this.dir.activeMembers(county)
      : (await this.dir.membersByIds(await this.ctx.data.reports.activeMemberIdsIn(principal, q.county)))
          .filter((m) => m.status === 'active')
          .sort((a, b) => (a._id < b._id ? -1 : 1));
    const credited = new Map<string, { minutes: number; attendances: number }>();
    for (const a of await this.ctx.data.attendance.creditedPlaces(
      members.map((m) => m._id),
      period,
    )) {
      if (!admin && !managesCommunity(principal, a)) continue;
      const c = credited.get(a.memberId) ?? { minutes: 0, attendances: 0 };
      credited.set(a.memberId, { minutes: c.minutes + a.creditedMinutes, attendances: c.attendances + 1 });
    }
    const expected = expectedHours(this.ctx.rules.yearlyHoursExpected, period, this.ctx.clock.now());
    const byId = new Map(members.map((m) => [m._id, m]));
    const places = await Places.load(this.dir, members, []);
    const rows: LowHoursRow[] = belowExpectedHours([...byId.keys()], credited, expected).map((r) => ({
      ...r,
      ...this.who(byId.get(r.memberId)!, places),
    }));
    return { ...listing(rows, q), expected };
  }

  /**
   * The feedback-sheet totals of every work unit placed where the caller manages (the whole
   * sheet, as `/units/{id}/feedback` gives it to them), red-flagged ones only unless `all`.
   */
  async unitSheets(
    principal: Principal,
    period: Period,
    q: ViewQuery & { all?: boolean | undefined },
  ): Promise<Listing<FeedbackSheet>> {
    const county = this.countyOf(principal, q.county);
    if (county === undefined) return listing([], q);
    const units = (await this.dir.agencyUnits(county)).filter((u) =>
      managesCommunity(principal, { county: u.county, communityPath: u.path }),
    );
    // Everyone working at the units, whatever county they live in: the sheet /units/{id}/feedback gives.
    const members = await this.dir.activeMembersOfUnits(units.map((u) => u._id));
    const ids = members.map((m) => m._id);
    const byUnit = groupBy(members, (m) => m.workUnitId ?? '');
    const reports = groupBy(await this.ctx.data.reports.ofMembers(ids), (r) => r.memberId);
    const attendances = groupBy(await this.ctx.data.attendance.credited(ids, period), (a) => a.memberId);
    const sheets: FeedbackSheet[] = [];
    for (const unit of units) {
      const staff = byUnit.get(unit._id) ?? [];
      if (staff.length === 0) continue;
      const sheet = buildFeedbackSheet({
        unitId: unit._id,
        unitName: unit.name,
        period,
        threshold: this.ctx.rules.feedbackThreshold,
        members: staff.map((m) => ({ memberId: m._id, name: m.name, category: m.category })),
        reports: staff.flatMap((m) => reports.get(m._id) ?? []).map((r) => ({ ...r, id: r._id })),
        attendances: staff.flatMap((m) => attendances.get(m._id) ?? []).map((a) => ({ ...a, id: a._id })),
      });
      if (q.all || sheet.redFlag) sheets.push(sheet);
    }
    return listing(sheets, q);
  }

  private who(m: MemberRm, places: Places) {
    return {
      memberId: m._id,
      memberName: m.name,
      county: m.county,
      workUnitId: m.workUnitId,
      workUnitName: places.name(m.workUnitId),
    };
  }
}
