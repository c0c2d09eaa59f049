import { reason, type Reason } from '@honglian/service-kit/domain';
import { DAY, MINUTE, type CheckinRules } from './rules.js';

/** How an attendance was taken. */
export type AttendanceMethod = 'qr' | 'witnessed';

/** A member's attendance at an activity (a session), from check-in to credit. */
export interface Attendance {
  _id: string;
  county: string;
  memberId: string;
  memberName: string;
  activityId: string;
  activityKind: 'activity' | 'call';
  communityId: string;
  communityPath: string;
  /** The member's active reports at the community: the hours count for each of them. */
  reportIds: string[];
  method: AttendanceMethod;
  witness: string | null;
  checkInAt: Date;
  checkOutAt: Date | null;
  checkOutMethod: AttendanceMethod | 'auto' | 'staff-confirmed' | null;
  /** When the sweep closes this session if it is still open. */
  autoCloseAfter: Date;
  status: SessionStatus;
  creditedMinutes: number;
  hours: number;
  flags: string[];
  location: { lat: number; lng: number; accuracyMeters?: number | undefined } | null;
  confirmedBy: string | null;
  confirmedAt: Date | null;
  /** Minutes inside the activity's window before the cap (null while open, or on records from before). */
  measuredMinutes?: number | null;
  /** Whistle calls: whole minutes from the call (its start, or its issue if later) to the check-in. */
  arrivalMinutes?: number | null;
  /** Whistle calls: arrived within the call's `arrivalWithinMinutes`. */
  arrivedInTime?: boolean | null;
}

/** A session of one member: open until checked out, auto-closed, or closed. */
export interface Session {
  id: string;
  checkInAt: Date;
  /** Check-out, or where an auto-closed session was cut (the activity's end). Null while open. */
  checkOutAt: Date | null;
  status: SessionStatus;
}

export type SessionStatus = 'open' | 'closed' | 'auto-closed' | 'dismissed';

export interface ActivityWindow {
  startsAt: Date;
  endsAt: Date;
  /** Per-activity cap; the city default when absent. */
  capMinutes?: number | null;
}

/**
 * Two sessions of one person must not overlap: an open session extends to
 * infinity; a dismissed one no longer counts. Intervals are half-open, so a
 * check-in at the very minute of the previous check-out is fine.
 */
export function findOverlap(
  sessions: readonly Session[],
  candidate: { start: Date; end: Date | null },
  ignoreId?: string,
): Session | undefined {
  const cs = candidate.start.getTime();
  const ce = candidate.end?.getTime() ?? Number.POSITIVE_INFINITY;
  return sessions.find((s) => {
    if (s.id === ignoreId || s.status === 'dismissed') return false;
    const ss = s.checkInAt.getTime();
    const se = s.checkOutAt?.getTime() ?? Number.POSITIVE_INFINITY;
    return cs < se && ss < ce;
  });
}

export interface Credit {
  minutes: number;
  flags: string[];
}

/** Whole minutes of a session inside the activity's window, before any cap. */
export function measuredMinutes(
  session: { checkInAt: Date; checkOutAt: Date },
  activity: Pick<ActivityWindow, 'startsAt' | 'endsAt'>,
): number {
  const from = Math.max(session.checkInAt.getTime(), activity.startsAt.getTime());
  const to = Math.min(session.checkOutAt.getTime(), activity.endsAt.getTime());
  return Math.max(0, Math.floor((to - from) / MINUTE));
}

/**
 * Duration = check-out − check-in, counted only inside the activity's window
 * (travel and waiting before the start are not service), in whole minutes,
 * and capped per activity: what the member was already credited at this
 * activity counts against the same cap.
 */
export function creditFor(
  session: { checkInAt: Date; checkOutAt: Date },
  activity: ActivityWindow,
  rules: Pick<CheckinRules, 'capMinutes'>,
  alreadyCreditedMinutes = 0,
): Credit {
  const flags: string[] = [];
  const from = Math.max(session.checkInAt.getTime(), activity.startsAt.getTime());
  const to = Math.min(session.checkOutAt.getTime(), activity.endsAt.getTime());
  if (from !== session.checkInAt.getTime() || to !== session.checkOutAt.getTime())
    flags.push('trimmed-to-activity');
  const raw = Math.max(0, Math.floor((to - from) / MINUTE));
  const cap = activity.capMinutes ?? rules.capMinutes;
  const room = Math.max(0, cap - alreadyCreditedMinutes);
  if (raw > room) flags.push('capped');
  return { minutes: Math.min(raw, room), flags };
}

/** Flag of a session shorter than the kind's minimum: recorded, never credited. */
export const BELOW_MINIMUM = 'below-minimum';

/**
 * Whether a session is long enough to count (DOMAIN.md §2, 报而不到 and photo-op attendance): its
 * minutes inside the activity's window reach the kind's minimum. A shorter one is kept on record
 * but credits no hours, completes no report and clears no flag.
 */
export function meetsMinimum(
  rawMinutes: number,
  kind: 'activity' | 'call',
  rules: Pick<CheckinRules, 'minCreditedMinutes'>,
): boolean {
  return rawMinutes >= rules.minCreditedMinutes[kind];
}

/**
 * A whistle call's arrival: whole minutes from the call (its start, or when it was issued if that
 * was later: nobody can answer a call before it is made) to the check-in, never negative, against
 * the call's expected arrival. Null for other activities.
 */
export function arrivalOf(
  activity: {
    kind: 'activity' | 'call';
    startsAt: Date;
    issuedAt: Date;
    arrivalWithinMinutes: number | null;
  },
  checkInAt: Date,
  rules: Pick<CheckinRules, 'callArrivalMinutes'>,
): { arrivalMinutes: number | null; arrivedInTime: boolean | null } {
  if (activity.kind !== 'call') return { arrivalMinutes: null, arrivedInTime: null };
  const from = Math.max(activity.startsAt.getTime(), activity.issuedAt.getTime());
  const arrivalMinutes = Math.max(0, Math.floor((checkInAt.getTime() - from) / MINUTE));
  const within = activity.arrivalWithinMinutes ?? rules.callArrivalMinutes;
  return { arrivalMinutes, arrivedInTime: arrivalMinutes <= within };
}

/** Check-out must follow check-in. */
export function checkOrder(checkInAt: Date, checkOutAt: Date): Reason | null {
  if (checkOutAt.getTime() <= checkInAt.getTime())
    return reason('签退时间须晚于签到时间', 'check-out must be after check-in');
  return null;
}

/** An open session whose activity ended more than the grace ago is closed automatically. */
export function autoCloseDue(
  session: Pick<Session, 'status'>,
  activity: Pick<ActivityWindow, 'endsAt'>,
  now: Date,
  rules: Pick<CheckinRules, 'checkoutGraceMinutes'>,
): boolean {
  return (
    session.status === 'open' &&
    now.getTime() > activity.endsAt.getTime() + rules.checkoutGraceMinutes * MINUTE
  );
}

/**
 * The auto-close itself: cut at the activity's end, flagged, credited nothing
 * (never silently credited) until a staff member confirms a check-out time.
 */
export function autoClose(activity: Pick<ActivityWindow, 'endsAt'>): {
  checkOutAt: Date;
  creditedMinutes: 0;
  flags: string[];
} {
  return { checkOutAt: activity.endsAt, creditedMinutes: 0, flags: ['auto-closed'] };
}

export type NoShowDecision = 'flag' | 'clear' | null;

/**
 * 报而不到 (DOMAIN.md §2): an active report with no attendance in the last
 * `noShowDays` days. The window starts at activation, so a report confirmed
 * yesterday is not flagged; the flag clears with the next attendance.
 */
export function noShowDecision(
  report: { status: string; activatedAt: Date | null; lastAttendanceAt: Date | null; noShow: boolean },
  now: Date,
  rules: Pick<CheckinRules, 'noShowDays'>,
): NoShowDecision {
  if (report.status !== 'active' || !report.activatedAt) return report.noShow ? 'clear' : null;
  const since = Math.max(report.activatedAt.getTime(), report.lastAttendanceAt?.getTime() ?? 0);
  const due = now.getTime() - since >= rules.noShowDays * DAY;
  if (due && !report.noShow) return 'flag';
  if (!due && report.noShow) return 'clear';
  return null;
}
