import { AttendanceAutoClosed, AttendanceRecorded, NoShowCleared } from '@honglian/contracts';
import {
  accept,
  draftEvent,
  refuse,
  type Decision,
  type EventDraft,
  type Principal,
  type Refusal,
} from '@honglian/service-kit/domain';
import { closedFor, type Activity } from './activities.js';
import {
  BELOW_MINIMUM,
  arrivalOf,
  autoClose,
  checkOrder,
  creditFor,
  findOverlap,
  measuredMinutes,
  meetsMinimum,
  type Attendance,
  type AttendanceMethod,
  type Session,
} from './attendance.js';
import { checkGeofence, type GeoPoint } from './geofence.js';
import { verifyToken } from './qr.js';
import type { Report } from './reports.js';
import { MINUTE, hoursOf, type CheckinRules } from './rules.js';
import { UNKNOWN, seesRecord } from './scope.js';

/**
 * The decisions on a member's sessions: check-in, check-out, a staff
 * confirmation or dismissal, the sweep's auto-close. Each takes what the use
 * case loaded (app/check-in.ts, check-out.ts, sessions.ts, sweep.ts).
 */

export interface Location extends GeoPoint {
  accuracyMeters?: number | undefined;
}

/** Who and where an attendance is taken for: a verified scan, or a member named by a witness. */
export interface AttendanceSource {
  activity: Activity;
  memberId: string;
  method: AttendanceMethod;
  witness: string | null;
  /** The scanned token's id (a replay is refused); null for a witness. */
  tokenId: string | null;
  location: Location | null;
}

/** A QR scan comes from the member themself. */
export function scanningMember(principal: Principal): Decision<string> {
  const memberId = principal.memberId;
  if (!principal.roles.includes('member') || !memberId)
    return refuse.invalid('扫码签到须由党员本人进行', 'a QR scan must come from the member themself');
  return accept(memberId);
}

/** A token whose activity id cannot even be read. */
export const MALFORMED_TOKEN = (): Refusal =>
  refuse.invalid('二维码无效', 'the QR token is malformed', { extras: { code: 'malformed' } });

/** A scanned token: valid for its activity now, the activity open, the phone inside its geofence. */
export function decideScan(
  scan: { token: string; location: Location | null; forCheckout: boolean },
  activity: Activity,
  ctx: { secret: Buffer; now: Date; rules: CheckinRules },
): Decision<{ tokenId: string }> {
  const check = verifyToken(
    ctx.secret,
    scan.token,
    { id: activity._id, startsAt: activity.startsAt, endsAt: activity.endsAt },
    ctx.now,
    ctx.rules,
  );
  if (!check.ok) return refuse.invalid(check.reason, { extras: { code: check.code } });
  const closed = closedFor(activity, ctx.now, ctx.rules, scan.forCheckout);
  if (closed) return closed;
  const outside = checkGeofence(activity.geofence, scan.location, ctx.rules.geofenceAccuracyAllowanceMeters);
  if (outside) return refuse.invalid(outside, { extras: { code: 'outside-geofence' } });
  return accept({ tokenId: check.tokenId });
}

const REPLAYED = (): Refusal =>
  refuse.conflict(
    '二维码已使用过，请扫描最新二维码',
    'this QR token was already used; scan the current code',
    { extras: { code: 'replayed' } },
  );

/** Someone else changed the session between load and save. */
export const SESSION_CHANGED = (): Refusal =>
  refuse.conflict('签到记录已被更新，请重试', 'the session changed meanwhile; try again');

const toSession = (a: Attendance): Session => ({
  id: a._id,
  checkInAt: a.checkInAt,
  checkOutAt: a.checkOutAt,
  status: a.status,
});

/** The clashing session's id, when the caller may see that session (a witness may not see another county's). */
function shownClash(principal: Principal, sessions: readonly Attendance[], id: string) {
  const doc = sessions.find((a) => a._id === id);
  return doc && seesRecord(principal, doc) ? { extras: { attendanceId: id } } : {};
}

/** Opens a session, unless the member is unknown, the token was used, or another session is still open. */
export function decideCheckIn(
  cmd: { attendanceId: string; now: Date; source: AttendanceSource; principal: Principal },
  state: {
    member: { name: string; status: string } | null;
    tokenUsed: boolean;
    /** The member's sessions not dismissed and not over by `now`. */
    sessions: readonly Attendance[];
    /** The member's active reports at the activity's community. */
    reportIds: string[];
  },
  rules: Pick<CheckinRules, 'checkoutGraceMinutes' | 'callArrivalMinutes'>,
): Decision<{ attendance: Attendance }> {
  const { now, source } = cmd;
  const { activity } = source;
  if (!state.member || state.member.status !== 'active') return UNKNOWN.member();
  if (state.tokenUsed) return REPLAYED();
  const clash = findOverlap(state.sessions.map(toSession), { start: now, end: null });
  if (clash)
    return refuse.conflict(
      '已有未签退的签到，不能同时参加两项活动',
      'you are still checked in elsewhere; sessions may not overlap',
      shownClash(cmd.principal, state.sessions, clash.id),
    );
  return accept({
    attendance: {
      _id: cmd.attendanceId,
      county: activity.county,
      memberId: source.memberId,
      memberName: state.member.name,
      activityId: activity._id,
      activityKind: activity.kind,
      communityId: activity.communityId,
      communityPath: activity.communityPath,
      reportIds: state.reportIds,
      method: source.method,
      witness: source.witness,
      checkInAt: now,
      checkOutAt: null,
      checkOutMethod: null,
      autoCloseAfter: new Date(activity.endsAt.getTime() + rules.checkoutGraceMinutes * MINUTE),
      status: 'open',
      creditedMinutes: 0,
      hours: 0,
      flags: source.method === 'witnessed' ? ['witnessed'] : [],
      location: source.location ? { ...source.location } : null,
      confirmedBy: null,
      confirmedAt: null,
      measuredMinutes: null,
      // Whistle calls: how long after the call the member arrived (null for other activities).
      ...arrivalOf(activity, now, rules),
    },
  });
}

/** What closing a session needs besides the session and its activity. */
export interface CloseState {
  /** Minutes already credited to the member at this activity (other sessions): the cap is per activity. */
  creditedBefore: number;
  /** The reports the session counts for that are active now (a report confirmed mid-session counts too). */
  activeReports: readonly Report[];
}

export interface Closing {
  checkOutAt: Date;
  now: Date;
  checkOutMethod: Attendance['checkOutMethod'];
  extraFlags: string[];
  witness: string | null;
  confirmedBy?: string;
}

/** A credited session: the session after, the fields to set, the reports it counts for. */
export interface ClosedSession {
  attendance: Attendance;
  set: Partial<Attendance>;
  attended: { reportId: string; lastAttendanceAt: Date }[];
}

/** The rules closing a session applies: the cap and the minimum per kind. */
export type CloseRules = Pick<CheckinRules, 'capMinutes' | 'minCreditedMinutes'>;

/**
 * Credits a session: the fields to set on it (saved only if its status did
 * not change), the reports it counts for marked as attended (clearing
 * 报而不到), then noshow.cleared per flagged report and attendance.recorded.
 * A session shorter than its kind's minimum (`meetsMinimum`) is closed and
 * kept, flagged `below-minimum`, with 0 credited minutes: it marks no report
 * attended, clears no flag and emits no attendance.recorded (nothing credited).
 */
export function decideClose(
  open: Attendance,
  activity: Activity,
  state: CloseState,
  how: Closing,
  rules: CloseRules,
): Decision<ClosedSession> {
  const period = { checkInAt: open.checkInAt, checkOutAt: how.checkOutAt };
  const credit = creditFor(period, activity, rules, state.creditedBefore);
  const measured = measuredMinutes(period, activity);
  const counts = meetsMinimum(measured, activity.kind, rules);
  const minutes = counts ? credit.minutes : 0;
  const set = {
    reportIds: state.activeReports.map((x) => x._id).sort(),
    checkOutAt: how.checkOutAt,
    checkOutMethod: how.checkOutMethod,
    status: 'closed' as const,
    creditedMinutes: minutes,
    hours: hoursOf(minutes),
    measuredMinutes: measured,
    flags: [
      ...new Set([...open.flags, ...how.extraFlags, ...credit.flags, ...(counts ? [] : [BELOW_MINIMUM])]),
    ],
    witness: how.witness,
    confirmedBy: how.confirmedBy ?? null,
    confirmedAt: how.confirmedBy ? how.now : null,
  };
  const attendance: Attendance = { ...open, ...set };
  if (!counts) return accept({ attendance, set, attended: [] });
  const events: EventDraft[] = [];
  const attended = state.activeReports.map((report) => {
    if (report.noShow)
      events.push(
        draftEvent(NoShowCleared, {
          subject: report._id,
          county: report.county,
          data: {
            reportId: report._id,
            county: report.county,
            memberId: report.memberId,
            kind: report.kind,
            communityId: report.communityId,
            workUnitId: report.workUnitId,
            clearedAt: how.now.toISOString(),
            attendanceId: open._id,
          },
        }),
      );
    const last =
      report.lastAttendanceAt && report.lastAttendanceAt > open.checkInAt
        ? report.lastAttendanceAt
        : open.checkInAt;
    return { reportId: report._id, lastAttendanceAt: last };
  });
  events.push(
    draftEvent(AttendanceRecorded, {
      subject: open._id,
      county: open.county,
      data: {
        attendanceId: open._id,
        county: open.county,
        memberId: open.memberId,
        activityId: activity._id,
        activityKind: activity.kind,
        communityId: activity.communityId,
        reportIds: set.reportIds,
        checkInAt: open.checkInAt.toISOString(),
        checkOutAt: how.checkOutAt.toISOString(),
        hours: set.hours,
        creditedMinutes: set.creditedMinutes,
        method: open.method,
        witness: set.witness,
        flags: set.flags,
      },
    }),
  );
  return accept({ attendance, set, attended }, events);
}

/** Closes the member's open session at the activity (scan or witness) and credits it. */
export function decideCheckOut(
  cmd: { checkOutAt: Date; now: Date; source: AttendanceSource },
  state: { open: Attendance | null; tokenUsed: boolean; close: CloseState | null },
  rules: CloseRules,
) {
  const { open } = state;
  if (!open || !state.close)
    return refuse.conflict('没有该活动的签到记录，不能签退', 'there is no open check-in at this activity', {
      extras: { code: 'not-checked-in' },
    });
  if (state.tokenUsed) return REPLAYED();
  const order = checkOrder(open.checkInAt, cmd.checkOutAt);
  if (order) return refuse.invalid(order);
  const { method, witness } = cmd.source;
  return decideClose(
    open,
    cmd.source.activity,
    state.close,
    {
      checkOutAt: cmd.checkOutAt,
      now: cmd.now,
      checkOutMethod: method,
      extraFlags: method === 'witnessed' && !open.flags.includes('witnessed') ? ['witnessed-checkout'] : [],
      witness: witness ?? open.witness,
    },
    rules,
  );
}

/** Staff confirm an auto-closed session with the check-out time they witnessed; only then is it credited. */
export function decideConfirm(
  cmd: { checkOutAt: Date; now: Date; actor: string; principal: Principal },
  state: {
    session: Attendance;
    /** The activity and what closing needs; null when the activity is gone. */
    loaded: { activity: Activity; close: CloseState } | null;
    /** The member's sessions that are not dismissed. */
    mine: readonly Attendance[];
  },
  rules: CloseRules,
) {
  const { session } = state;
  if (session.status !== 'auto-closed')
    return refuse.conflict('只有系统自动关闭的签到需要确认', 'only an auto-closed session can be confirmed');
  if (!state.loaded) return refuse.notFound();
  const order = checkOrder(session.checkInAt, cmd.checkOutAt);
  if (order) return refuse.invalid(order, { field: 'checkOutAt' });
  if (cmd.checkOutAt.getTime() > session.autoCloseAfter.getTime())
    return refuse.invalid(
      '签退时间晚于活动结束',
      'check-out cannot be after the activity (and its grace) ended',
      { field: 'checkOutAt' },
    );
  const clash = findOverlap(
    state.mine.map(toSession),
    { start: session.checkInAt, end: cmd.checkOutAt },
    session._id,
  );
  if (clash)
    return refuse.conflict(
      '与该党员的其他签到时间重叠',
      'overlaps another session of this member',
      shownClash(cmd.principal, state.mine, clash.id),
    );
  return decideClose(
    session,
    state.loaded.activity,
    state.loaded.close,
    {
      checkOutAt: cmd.checkOutAt,
      now: cmd.now,
      checkOutMethod: 'staff-confirmed',
      extraFlags: ['staff-confirmed'],
      witness: session.witness,
      confirmedBy: cmd.actor,
    },
    rules,
  );
}

/** Staff decide an auto-closed session is not credited at all. */
export function decideDismiss(
  session: Attendance,
  cmd: { actor: string; now: Date },
): Decision<{ attendance: Attendance; set: Partial<Attendance> }> {
  if (session.status !== 'auto-closed')
    return refuse.conflict('只有系统自动关闭的签到可以作废', 'only an auto-closed session can be dismissed');
  const set = {
    status: 'dismissed' as const,
    flags: [...new Set([...session.flags, 'dismissed'])],
    confirmedBy: cmd.actor,
    confirmedAt: cmd.now,
  };
  return accept({ attendance: { ...session, ...set }, set });
}

/**
 * A session left open after its activity (plus grace): cut at the activity's
 * end (`autoClose`), credited nothing, attendance.auto-closed.
 */
export function decideAutoClose(session: Attendance, activity: Pick<Activity, 'endsAt'> | null) {
  const cut = autoClose(activity ?? { endsAt: session.autoCloseAfter });
  const flags = [...new Set([...session.flags, ...cut.flags])];
  const set = {
    status: 'auto-closed' as const,
    checkOutAt: cut.checkOutAt,
    checkOutMethod: 'auto' as const,
    creditedMinutes: 0,
    hours: 0,
    flags,
  };
  return accept({ set }, [
    draftEvent(AttendanceAutoClosed, {
      subject: session._id,
      county: session.county,
      data: {
        attendanceId: session._id,
        county: session.county,
        memberId: session.memberId,
        activityId: session.activityId,
        communityId: session.communityId,
        checkInAt: session.checkInAt.toISOString(),
        closedAt: cut.checkOutAt.toISOString(),
        hours: 0 as const,
        flags,
      },
    }),
  ]);
}
