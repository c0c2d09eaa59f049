import { z } from 'zod';
import { CountyCode } from '../cloudevent.js';
import { defineEvent } from '../events.js';

/**
 * Events of the member check-in service (双联系双报到, DOMAIN.md §2) on
 * `TOPICS.memberCheckin`. Volunteer points turn recorded attendance into
 * points; the assessment service reads reports, attendance, no-show flags
 * and call response times.
 */
const PREFIX = 'honglian.member-checkin';
const Id = z.string().min(1).max(64);
const Instant = z.iso.datetime({ offset: true });

/** Which of the two reports: where the member lives, or the community paired with the work unit. */
export const ReportKind = z.enum(['residence', 'work']);
export const REPORT_KINDS = {
  residence: { zh: '居住地社区报到', en: 'Residence community' },
  work: { zh: '单位联系社区报到', en: 'Work-unit paired community' },
} as const;

/** How an attendance was taken: by scanning the rotating QR code, or by a staff member as witness. */
export const AttendanceMethod = z.enum(['qr', 'witnessed']);

const ReportFacts = z.object({
  reportId: Id,
  county: CountyCode,
  memberId: Id,
  kind: ReportKind,
  communityId: Id,
  /** The member's work unit at the time of the report (null for members without one). */
  workUnitId: Id.nullable(),
});

export const ReportSubmitted = defineEvent(
  `${PREFIX}.report.submitted.v1`,
  ReportFacts.extend({ submittedAt: Instant, submittedBy: z.string().min(1) }),
);
export const ReportActivated = defineEvent(
  `${PREFIX}.report.activated.v1`,
  ReportFacts.extend({ activatedAt: Instant, confirmedBy: z.string().min(1) }),
);
export const ReportRejected = defineEvent(
  `${PREFIX}.report.rejected.v1`,
  ReportFacts.extend({ rejectedAt: Instant, rejectedBy: z.string().min(1), reason: z.string() }),
);
export const ReportEnded = defineEvent(
  `${PREFIX}.report.ended.v1`,
  ReportFacts.extend({ endedAt: Instant, endedBy: z.string().min(1), reason: z.string() }),
);

export const AttendanceRecorded = defineEvent(
  `${PREFIX}.attendance.recorded.v1`,
  z.object({
    attendanceId: Id,
    county: CountyCode,
    memberId: Id,
    activityId: Id,
    activityKind: z.enum(['activity', 'call']),
    communityId: Id,
    /** Every active report of the member at that community; the hours count once whatever its length. */
    reportIds: z.array(Id),
    checkInAt: Instant,
    checkOutAt: Instant,
    /** Credited hours: inside the activity's window, capped per activity; two decimals. */
    hours: z.number().min(0),
    creditedMinutes: z.number().int().min(0),
    method: AttendanceMethod,
    /** Staff member who witnessed the check-in or confirmed an auto-closed session. */
    witness: z.string().nullable(),
    /** e.g. `capped`, `auto-closed`, `staff-confirmed`, `witnessed`. */
    flags: z.array(z.string()),
  }),
);

export const AttendanceAutoClosed = defineEvent(
  `${PREFIX}.attendance.auto-closed.v1`,
  z.object({
    attendanceId: Id,
    county: CountyCode,
    memberId: Id,
    activityId: Id,
    communityId: Id,
    checkInAt: Instant,
    closedAt: Instant,
    /** Nothing is credited until a staff member confirms the session. */
    hours: z.literal(0),
    flags: z.array(z.string()),
  }),
);

const NoShowFacts = z.object({
  reportId: Id,
  county: CountyCode,
  memberId: Id,
  kind: ReportKind,
  communityId: Id,
  workUnitId: Id.nullable(),
});

/** 报而不到: an active report with no attendance within the window (default 180 days). */
export const NoShowFlagged = defineEvent(
  `${PREFIX}.noshow.flagged.v1`,
  NoShowFacts.extend({
    flaggedAt: Instant,
    lastAttendanceAt: Instant.nullable(),
    windowDays: z.number().int().positive(),
  }),
);
export const NoShowCleared = defineEvent(
  `${PREFIX}.noshow.cleared.v1`,
  NoShowFacts.extend({
    clearedAt: Instant,
    /** The attendance that cleared it; null when the scan cleared it (rules changed, report ended). */
    attendanceId: Id.nullable(),
  }),
);

export const CallIssued = defineEvent(
  `${PREFIX}.call.issued.v1`,
  z.object({
    activityId: Id,
    county: CountyCode,
    communityId: Id,
    title: z.string().min(1),
    issuedAt: Instant,
    startsAt: Instant,
    endsAt: Instant,
    capacity: z.number().int().positive().nullable(),
    skills: z.array(z.string()),
    /** Expected arrival after the call (Beijing: 30 minutes). */
    arrivalWithinMinutes: z.number().int().positive(),
  }),
);
export const CallResponded = defineEvent(
  `${PREFIX}.call.responded.v1`,
  z.object({
    activityId: Id,
    county: CountyCode,
    communityId: Id,
    memberId: Id,
    respondedAt: Instant,
    /** Seconds from the call being issued to the member's response. */
    responseSeconds: z.number().int().min(0),
  }),
);

export const ActivityPublished = defineEvent(
  `${PREFIX}.activity.published.v1`,
  z.object({
    activityId: Id,
    county: CountyCode,
    communityId: Id,
    title: z.string().min(1),
    startsAt: Instant,
    endsAt: Instant,
    capacity: z.number().int().positive().nullable(),
    skills: z.array(z.string()),
  }),
);

/** Staff changed an activity or call; `notified`: the members who had responded and get a notice. */
export const ActivityChanged = defineEvent(
  `${PREFIX}.activity.changed.v1`,
  z.object({
    activityId: Id,
    county: CountyCode,
    communityId: Id,
    title: z.string().min(1),
    startsAt: Instant,
    endsAt: Instant,
    /** Fields changed, e.g. `startsAt`, `place`. */
    changed: z.array(z.string()).min(1),
    notified: z.array(Id),
  }),
);

/** Staff cancelled an activity or call before anyone attended; the members who responded get a notice. */
export const ActivityCancelled = defineEvent(
  `${PREFIX}.activity.cancelled.v1`,
  z.object({
    activityId: Id,
    county: CountyCode,
    communityId: Id,
    title: z.string().min(1),
    cancelledAt: Instant,
    reason: z.string().min(1),
    notified: z.array(Id),
  }),
);

export type ReportSubmittedData = z.infer<typeof ReportSubmitted.data>;
export type ReportActivatedData = z.infer<typeof ReportActivated.data>;
export type ReportRejectedData = z.infer<typeof ReportRejected.data>;
export type ReportEndedData = z.infer<typeof ReportEnded.data>;
export type AttendanceRecordedData = z.infer<typeof AttendanceRecorded.data>;
export type AttendanceAutoClosedData = z.infer<typeof AttendanceAutoClosed.data>;
export type NoShowFlaggedData = z.infer<typeof NoShowFlagged.data>;
export type NoShowClearedData = z.infer<typeof NoShowCleared.data>;
export type CallIssuedData = z.infer<typeof CallIssued.data>;
export type CallRespondedData = z.infer<typeof CallResponded.data>;
export type ActivityPublishedData = z.infer<typeof ActivityPublished.data>;
export type ActivityChangedData = z.infer<typeof ActivityChanged.data>;
export type ActivityCancelledData = z.infer<typeof ActivityCancelled.data>;
