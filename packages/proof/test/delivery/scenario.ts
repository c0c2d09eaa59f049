import { AttendanceRecorded, DEMO_DIRECTORY, draftEvent, type EventDraft } from '@honglian/contracts';
import { emitAll, withOutbox } from '@honglian/messaging';
import { prng } from './chaos-bus.js';

/** The database connection of a service (mongoose's, as the messaging package takes it). */
export type Connection = Parameters<typeof withOutbox>[0];

/**
 * The scenario's check-ins: the demo members of both counties (5 each) serving at the three
 * communities of their county during 2025 (as many weeks as the count needs), at weekly activities (one per community and week,
 * Monday 00:00 to the next Monday, published beforehand through the check-in API). A member
 * serves at most four sessions a day (06:00, 10:30, 15:00, 19:30 CST, each 0.5–4 h, the check-in
 * service's own cap), so days with more than 12 h exist and the points' day cap bites on them.
 */
export const MEMBERS = DEMO_DIRECTORY.counties.flatMap((c) =>
  [1, 2, 3, 4, 5].map((n) => ({ memberId: `${c.code}-member-0${n}`, county: c.code })),
);
export const COMMUNITIES: Record<string, string[]> = Object.fromEntries(
  DEMO_DIRECTORY.counties.map((c) => [c.code, [1, 2, 3].map((n) => `${c.code}-community-0${n}`)]),
);
/** The first service week starts on Monday 2025-01-06 (CST); 51 weeks keep every day in 2025. */
export const FIRST_MONDAY = Date.parse('2025-01-06T00:00:00+08:00');
export const WEEKS = 51;

/**
 * The weeks a plan of `count` check-ins spans: about 2.8 sessions per member and day (of the four
 * a day allows), so the points' day cap bites on some days at any count — 51 weeks for 10,000,
 * 3 for 500.
 */
export function serviceWeeks(count: number): number {
  return Math.min(WEEKS, Math.max(1, Math.ceil(count / MEMBERS.length / 2.8 / 7)));
}
const DAY = 86_400_000;
const HOUR = 3_600_000;
const SLOT_STARTS_MINUTES = [6 * 60, 10 * 60 + 30, 15 * 60, 19 * 60 + 30];
/** Hours in halves: sums of them are exact in binary, so no rounding can differ between runs. */
const HOURS = [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4];

/** The points rules in force (volunteer-points' defaults; the demo stores no rule version). */
export const POINTS_RULES = { pointsPerHour: 1, capPerActivity: 8, capPerDay: 12 };

export interface PlannedAttendance {
  attendanceId: string;
  memberId: string;
  county: string;
  communityId: string;
  /** 0-based service week: the activity of (community, week) is the one attended. */
  week: number;
  /** CST day of the service, YYYY-MM-DD. */
  day: string;
  hours: number;
  checkInAt: Date;
  checkOutAt: Date;
}

const cstDay = (ms: number) => new Date(ms + 8 * HOUR).toISOString().slice(0, 10);

/** `count` attendances spread evenly over the members, on days and with hours from the seed. */
export function planAttendances(count: number, seed: number): PlannedAttendance[] {
  const random = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const days = serviceWeeks(count) * 7;
  const plan: PlannedAttendance[] = [];
  const used = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const member = MEMBERS[i % MEMBERS.length]!;
    let dayIndex: number;
    let slot: number;
    do {
      dayIndex = Math.floor(random() * days);
      slot = used.get(`${member.memberId}:${dayIndex}`) ?? 0;
    } while (slot >= SLOT_STARTS_MINUTES.length);
    used.set(`${member.memberId}:${dayIndex}`, slot + 1);
    const hours = pick(HOURS);
    const checkInAt = new Date(FIRST_MONDAY + dayIndex * DAY + SLOT_STARTS_MINUTES[slot]! * 60_000);
    plan.push({
      attendanceId: `att-proof-${String(i).padStart(5, '0')}`,
      memberId: member.memberId,
      county: member.county,
      communityId: pick(COMMUNITIES[member.county]!),
      week: Math.floor(dayIndex / 7),
      day: cstDay(checkInAt.getTime()),
      hours,
      checkInAt,
      checkOutAt: new Date(checkInAt.getTime() + hours * HOUR),
    });
  }
  return plan;
}

export interface Expected {
  /** Award points of the attendances per member: per CST day, min(day cap, Σ min(h × rate, activity cap)). */
  points: Map<string, number>;
  hours: Map<string, number>;
  entries: Map<string, number>;
  /** Member-days on which the day cap cut the points. */
  cappedDays: number;
  /** Points the day cap cut in all. */
  pointsCut: number;
}

/**
 * What the points rules give for the plan, computed here without the services: one award entry
 * per attendance (its hours; an entry with 0 points is still written, it carries hours), whose
 * points are the hours × rate capped per activity, then by what is left of the member's day cap
 * on the CST day of the service. Per member and day the points are therefore
 * min(capPerDay, Σ min(hours × rate, capPerActivity)), whatever order the events arrive in.
 */
export function expectedPoints(plan: readonly PlannedAttendance[]): Expected {
  const perDay = new Map<string, { memberId: string; raw: number }>();
  const hours = new Map<string, number>();
  const entries = new Map<string, number>();
  for (const a of plan) {
    const key = `${a.memberId}|${a.day}`;
    const d = perDay.get(key) ?? { memberId: a.memberId, raw: 0 };
    d.raw += Math.min(a.hours * POINTS_RULES.pointsPerHour, POINTS_RULES.capPerActivity);
    perDay.set(key, d);
    hours.set(a.memberId, (hours.get(a.memberId) ?? 0) + a.hours);
    entries.set(a.memberId, (entries.get(a.memberId) ?? 0) + 1);
  }
  const points = new Map<string, number>();
  let cappedDays = 0;
  let pointsCut = 0;
  for (const { memberId, raw } of perDay.values()) {
    const kept = Math.min(raw, POINTS_RULES.capPerDay);
    if (kept < raw) {
      cappedDays += 1;
      pointsCut += raw - kept;
    }
    points.set(memberId, (points.get(memberId) ?? 0) + kept);
  }
  return { points, hours, entries, cappedDays, pointsCut };
}

/** The weekly activities to publish: one per community of each county and week of the plan. */
export function plannedActivities(weeks: number): {
  county: string;
  communityId: string;
  week: number;
  startsAt: Date;
  endsAt: Date;
}[] {
  const out = [];
  for (const [county, communities] of Object.entries(COMMUNITIES))
    for (const communityId of communities)
      for (let week = 0; week < weeks; week++) {
        const startsAt = new Date(FIRST_MONDAY + week * 7 * DAY);
        out.push({ county, communityId, week, startsAt, endsAt: new Date(startsAt.getTime() + 7 * DAY) });
      }
  return out;
}

/** The attendance.recorded event of a planned attendance, as check-out's decision drafts it. */
export function attendanceDraft(a: PlannedAttendance, activityId: string): EventDraft {
  return draftEvent(AttendanceRecorded, {
    subject: a.attendanceId,
    county: a.county,
    data: {
      attendanceId: a.attendanceId,
      county: a.county,
      memberId: a.memberId,
      activityId,
      activityKind: 'activity',
      communityId: a.communityId,
      reportIds: [],
      checkInAt: a.checkInAt.toISOString(),
      checkOutAt: a.checkOutAt.toISOString(),
      hours: a.hours,
      creditedMinutes: Math.round(a.hours * 60),
      method: 'qr',
      witness: null,
      flags: [],
    },
  });
}

/**
 * Writes the attendances' events into member-checkin's outbox as its app layer does: each batch
 * one transaction on member-checkin's own connection, the events queued with `emitAll` at the
 * clock's now; the commit nudges the service's relay, which publishes them.
 */
export async function writeAttendances(
  conn: Connection,
  plan: readonly PlannedAttendance[],
  activityOf: (a: PlannedAttendance) => string,
  now: () => Date,
  batchSize = 250,
): Promise<void> {
  for (let i = 0; i < plan.length; i += batchSize) {
    const drafts = plan.slice(i, i + batchSize).map((a) => attendanceDraft(a, activityOf(a)));
    await withOutbox(conn, async (_session, outbox) => {
      emitAll(outbox, drafts, { time: now() });
    });
  }
}
