import type { Period } from './period.js';
import type { ReportKind } from './reports.js';
import { DAY, hoursOf } from './rules.js';

/**
 * The lists a county works from (issue "Registry and check-in as one loop", DOMAIN.md §2):
 * reports a member still owes (the 30-day reporting deadline) and members below the yearly
 * hours. Pure: app/county-views.ts loads the members, pairings, reports and attendance.
 */

/** `YYYY-MM-DD` plus whole days. */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (both `YYYY-MM-DD`). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY);
}

/** A member as these rules need them (the read model's current record). */
export interface MemberDuty {
  status: 'active' | 'inactive';
  /** Community of the residence compound; null when unknown or none. */
  residenceCommunityId: string | null;
  /** Day the member's current registry record took effect (joined, moved, changed unit…). */
  effectiveFrom: string;
}

/** A report the member owes: where they may make it and by when. */
export interface OwedReport {
  kind: ReportKind;
  /** Residence: the one community; work: every community a pairing in force links the unit with. */
  communityIds: string[];
  /** The day the duty arose. */
  since: string;
  /** Last day to report (`since` + the deadline). */
  dueOn: string;
}

/**
 * The reports an active member owes: a residence report at the community of their residence
 * compound, and a work report at one community paired with their work unit, when no submitted or
 * active report of that kind exists. The deadline runs from the day their current registry record
 * took effect (the read model keeps no older versions, so any change restarts it) or, for a work
 * report, from the first pairing's start when that is later.
 */
export function owedReports(input: {
  member: MemberDuty;
  /** Pairings in force linking the member's work unit with a community, and their start. */
  workCommunities: readonly { communityId: string | null; validFrom: string }[];
  /** Kinds of the member's open (submitted or active) reports. */
  openKinds: readonly ReportKind[];
  deadlineDays: number;
}): OwedReport[] {
  const { member, deadlineDays } = input;
  if (member.status !== 'active') return [];
  const owed: OwedReport[] = [];
  const owe = (kind: ReportKind, communityIds: string[], since: string) =>
    owed.push({ kind, communityIds, since, dueOn: addDays(since, deadlineDays) });
  if (member.residenceCommunityId && !input.openKinds.includes('residence'))
    owe('residence', [member.residenceCommunityId], member.effectiveFrom);
  const work = input.workCommunities.filter((w) => w.communityId !== null);
  if (work.length > 0 && !input.openKinds.includes('work')) {
    const firstPairing = work.map((w) => w.validFrom).sort()[0]!;
    const since = firstPairing > member.effectiveFrom ? firstPairing : member.effectiveFrom;
    owe('work', [...new Set(work.map((w) => w.communityId!))].sort(), since);
  }
  return owed;
}

/** Days past the deadline on `today` (0 or less: not overdue yet). */
export function daysOverdue(owed: Pick<OwedReport, 'dueOn'>, today: string): number {
  return daysBetween(owed.dueOn, today);
}

/**
 * Hours expected of a member by the end of `period`, or by `now` for a period in progress
 * (prorated by elapsed time, so January does not list everyone). A period is a year or part of
 * one: its share of the yearly figure is its length over its year's (365 or 366 days), so a
 * whole leap year expects exactly the yearly figure.
 */
export function expectedHours(yearly: number, period: Period, now: Date): number {
  const end = now < period.to ? now : period.to;
  const elapsed = Math.max(0, end.getTime() - period.from.getTime());
  // The period's year at China Standard Time (its bounds are CST midnights).
  const year = new Date(period.from.getTime() + 8 * 3_600_000).getUTCFullYear();
  const yearDays = (Date.UTC(year + 1, 0, 1) - Date.UTC(year, 0, 1)) / DAY;
  return Math.round(((yearly * elapsed) / (yearDays * DAY)) * 100) / 100;
}

export interface HoursRow {
  memberId: string;
  hours: number;
  attendances: number;
  expected: number;
  shortfall: number;
}

/** Members whose credited hours fall below the expectation, fewest hours first. */
export function belowExpectedHours(
  memberIds: readonly string[],
  credited: ReadonlyMap<string, { minutes: number; attendances: number }>,
  expected: number,
): HoursRow[] {
  return memberIds
    .map((memberId) => {
      const c = credited.get(memberId) ?? { minutes: 0, attendances: 0 };
      const hours = hoursOf(c.minutes);
      return {
        memberId,
        hours,
        attendances: c.attendances,
        expected,
        shortfall: Math.round((expected - hours) * 100) / 100,
      };
    })
    .filter((r) => r.hours < expected)
    .sort((a, b) => a.hours - b.hours || (a.memberId < b.memberId ? -1 : 1));
}
