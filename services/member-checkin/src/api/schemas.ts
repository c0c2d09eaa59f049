import { z } from 'zod';
import { ReportKind, plainText } from '@honglian/contracts';
import { PERIOD_PATTERN, parsePeriod } from '../domain/period.js';

/** Ids the registry uses (division codes, its own codes, generated ids). */
export const Id = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'letters, digits, - and _, at most 64 characters');
export const Instant = z.iso.datetime({ offset: true });
/** Free text a person typed: one line, no control or bidi characters, no formula start (contracts). */
const Text = (max: number) => plainText(max);
/** Optional free text: may be empty. */
const OptionalText = (max: number) => plainText(max, 0);
const List = (max: number, each = 100) => z.array(Text(each)).max(max).default([]);

export const IdParams = z.object({ id: Id });
export const PageQuery = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: Id.optional(),
};
export const page = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    nextCursor: z.string().nullable(),
    /** Every record matching the filters, not only this page. */
    total: z.number().int(),
  });

const Label = z.object({ zh: z.string(), en: z.string() });
const ReportStatus = z.enum(['submitted', 'active', 'rejected', 'ended']);
const SessionStatus = z.enum(['open', 'closed', 'auto-closed', 'dismissed']);

export const Period = z
  .string()
  .regex(PERIOD_PATTERN, 'a period such as 2026, 2026-H1, 2026-Q2 or 2026-03')
  .refine((p) => parsePeriod(p) !== null, 'a period between 2000 and 2100');

/* ---------- reports ---------- */

export const SubmitReport = z.strictObject({
  /** The member reporting; a member's own token needs none. Staff file on a member's behalf. */
  memberId: Id.optional(),
  kind: ReportKind,
  communityId: Id,
  /** 特长, e.g. 法律咨询, 水电维修. */
  specialties: List(20, 50),
  /** 服务意向, e.g. 助老, 环境整治. */
  preferences: List(20, 50),
});

export const CloseReport = z.strictObject({ reason: Text(500) });
export const PledgeBody = z.strictObject({ items: z.array(Text(200)).min(1).max(20) });
export const PlacementBody = z.strictObject({
  gridId: Id.nullable().optional(),
  /** 楼栋长, 网格助理, 志愿者 … */
  post: Text(50),
  duties: List(20, 200),
  /** Service slots, e.g. 周六上午. */
  slots: List(20, 50),
});

export const ReportListQuery = z.strictObject({
  memberId: Id.optional(),
  communityId: Id.optional(),
  status: ReportStatus.optional(),
  kind: ReportKind.optional(),
  ...PageQuery,
});

export const ReportView = z
  .object({
    id: z.string(),
    county: z.string(),
    memberId: z.string(),
    memberName: z.string(),
    workUnitId: z.string().nullable(),
    kind: ReportKind,
    kindLabel: Label,
    communityId: z.string(),
    communityName: z.string(),
    pairingId: z.string().nullable(),
    status: ReportStatus,
    statusLabel: Label,
    specialties: z.array(z.string()),
    preferences: z.array(z.string()),
    submittedAt: Instant,
    /** Who filed it: the member, or staff on their behalf. */
    submittedBy: z.string(),
    activatedAt: Instant.nullable(),
    confirmedBy: z.string().nullable(),
    rejectedAt: Instant.nullable(),
    endedAt: Instant.nullable(),
    /**
     * Why it was rejected or ended: the text staff or the member gave, or a code when the registry
     * ended it (`moved`, `transferred`, `work-unit-changed`, `pairing-ended`, `community-closed`,
     * `member-inactive`).
     */
    closeReason: z.string().nullable(),
    /** The code's label when the registry ended it (`closedBy: org-registry`); null otherwise. */
    closeReasonLabel: Label.nullable(),
    /** Who rejected or ended it (`org-registry` when a registry change ended it). */
    closedBy: z.string().nullable(),
    pledge: z.object({ items: z.array(z.string()), signedAt: Instant, signedBy: z.string() }).nullable(),
    placement: z
      .object({
        gridId: z.string().nullable(),
        gridName: z.string().nullable(),
        post: z.string(),
        duties: z.array(z.string()),
        slots: z.array(z.string()),
        placedAt: Instant,
        placedBy: z.string(),
      })
      .nullable(),
    lastAttendanceAt: Instant.nullable(),
    /** 报而不到: no attendance within the window (default 180 days). */
    noShow: z.boolean(),
    noShowSince: Instant.nullable(),
  })
  .meta({ id: 'CheckinReport' });
export type ReportView = z.output<typeof ReportView>;

/* ---------- activities ---------- */

export const Geofence = z.strictObject({
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
  radiusMeters: z.number().min(10).max(5000),
});

const WEEK = 7 * 24 * 3_600_000;

const ActivityFields = {
  kind: z.enum(['activity', 'call']).default('activity'),
  communityId: Id,
  title: Text(100),
  /** Several lines (LF; CRLF is normalised), no other control character. */
  description: plainText(2000, 0, { multiline: true }).default(''),
  place: OptionalText(200).default(''),
  startsAt: Instant,
  endsAt: Instant,
  geofence: Geofence.nullable().optional(),
  capacity: z.number().int().min(1).max(10_000).nullable().optional(),
  skills: List(20, 50),
  /** Per-activity cap on credited hours (default: the city's, 4 h). */
  capHours: z.number().positive().max(24).nullable().optional(),
  /** Whistle calls: expected arrival (default 30 minutes). */
  arrivalWithinMinutes: z.number().int().min(1).max(1440).nullable().optional(),
};

export const CreateActivity = z
  .strictObject(ActivityFields)
  .refine((a) => Date.parse(a.startsAt) < Date.parse(a.endsAt), {
    message: 'endsAt must be after startsAt',
    path: ['endsAt'],
  })
  .refine((a) => Date.parse(a.endsAt) - Date.parse(a.startsAt) <= WEEK, {
    message: 'an activity lasts at most 7 days',
    path: ['endsAt'],
  });

/** A change to an activity: any of its fields but the kind and the community. */
export const EditActivity = z
  .strictObject({
    title: ActivityFields.title.optional(),
    description: plainText(2000, 0, { multiline: true }).optional(),
    place: OptionalText(200).optional(),
    startsAt: Instant.optional(),
    endsAt: Instant.optional(),
    geofence: ActivityFields.geofence,
    capacity: ActivityFields.capacity,
    skills: z.array(Text(50)).max(20).optional(),
    capHours: ActivityFields.capHours,
    arrivalWithinMinutes: z.number().int().min(1).max(1440).optional(),
  })
  .refine((a) => Object.keys(a).length > 0, { message: 'name at least one field to change' })
  .refine((a) => !a.startsAt || !a.endsAt || Date.parse(a.endsAt) - Date.parse(a.startsAt) <= WEEK, {
    message: 'an activity lasts at most 7 days',
    path: ['endsAt'],
  });

export const CancelActivity = z.strictObject({ reason: Text(500) });

export const ActivityListQuery = z.strictObject({
  communityId: Id.optional(),
  kind: z.enum(['activity', 'call']).optional(),
  from: Instant.optional(),
  to: Instant.optional(),
  ...PageQuery,
});

export const ActivityView = z
  .object({
    id: z.string(),
    county: z.string(),
    communityId: z.string(),
    communityName: z.string(),
    kind: z.enum(['activity', 'call']),
    kindLabel: Label,
    title: z.string(),
    /** Several lines (LF). */
    description: z.string(),
    place: z.string(),
    startsAt: Instant,
    endsAt: Instant,
    geofence: Geofence.nullable(),
    capacity: z.number().nullable(),
    /** Members signed up or answered so far. */
    responses: z.number(),
    skills: z.array(z.string()),
    capMinutes: z.number().nullable(),
    arrivalWithinMinutes: z.number().nullable(),
    issuedAt: Instant,
    status: z.enum(['published', 'cancelled']),
    createdBy: z.string(),
    cancelledAt: Instant.nullable(),
    cancelReason: z.string().nullable(),
  })
  .meta({ id: 'CheckinActivity' });
export type ActivityView = z.output<typeof ActivityView>;

/** A member's sign-up or answer to a call, with the seconds it took. */
export const ResponseView = z
  .object({
    activityId: z.string(),
    memberId: z.string(),
    respondedAt: Instant,
    responseSeconds: z.number(),
    note: z.string(),
    /** The member's first check-in at the activity since (null: not checked in yet). */
    checkedInAt: Instant.nullable(),
    /** Whistle calls: whole minutes from the call to that check-in (null: not a call, or not arrived). */
    arrivalMinutes: z.number().nullable(),
    /** Whistle calls: arrived within `arrivalWithinMinutes` (null: not a call, or not arrived). */
    arrivedInTime: z.boolean().nullable(),
  })
  .meta({ id: 'CheckinResponse' });
export type ResponseView = z.output<typeof ResponseView>;

export const RespondBody = z.strictObject({ note: OptionalText(500).default('') });

export const QrView = z
  .object({
    activityId: z.string(),
    token: z.string(),
    rotatesAt: Instant,
    expiresAt: Instant,
    rotationSeconds: z.number(),
  })
  .meta({ id: 'CheckinQrToken' });
export type QrView = z.output<typeof QrView>;

/* ---------- attendance ---------- */

const Location = z.strictObject({
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
  accuracyMeters: z.number().min(0).max(100_000).optional(),
});

/** A member's scan, or staff acting as witness for a member without a phone. */
export const AttendanceBody = z.union([
  z.strictObject({
    token: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[A-Za-z0-9._-]+$/, 'a QR token'),
    location: Location.optional(),
  }),
  z.strictObject({ activityId: Id, memberId: Id, note: OptionalText(500).optional() }),
]);

export const ConfirmBody = z.strictObject({ checkOutAt: Instant });

export const AttendanceListQuery = z.strictObject({
  memberId: Id.optional(),
  activityId: Id.optional(),
  status: SessionStatus.optional(),
  ...PageQuery,
});

export const AttendanceView = z
  .object({
    id: z.string(),
    county: z.string(),
    memberId: z.string(),
    memberName: z.string(),
    activityId: z.string(),
    activityKind: z.enum(['activity', 'call']),
    communityId: z.string(),
    /** The member's reports the hours count for. */
    reportIds: z.array(z.string()),
    method: z.enum(['qr', 'witnessed']),
    witness: z.string().nullable(),
    checkInAt: Instant,
    checkOutAt: Instant.nullable(),
    checkOutMethod: z.enum(['qr', 'witnessed', 'auto', 'staff-confirmed']).nullable(),
    status: SessionStatus,
    creditedMinutes: z.number(),
    hours: z.number(),
    /** e.g. `capped`, `witnessed`, `auto-closed`, `below-minimum` (too short to count: nothing credited). */
    flags: z.array(z.string()),
    /** Staff who confirmed or dismissed an auto-closed session. */
    confirmedBy: z.string().nullable(),
    /** Minutes inside the activity's window before the cap, once closed (null while open). */
    measuredMinutes: z.number().nullable(),
    /** Whistle calls: whole minutes from the call to the check-in (null for other activities). */
    arrivalMinutes: z.number().nullable(),
    /** Whistle calls: arrived within the call's `arrivalWithinMinutes` (null for other activities). */
    arrivedInTime: z.boolean().nullable(),
  })
  .meta({ id: 'CheckinAttendance' });
export type AttendanceView = z.output<typeof AttendanceView>;

/* ---------- feedback and summaries ---------- */

export const FeedbackQuery = z.strictObject({
  period: Period,
  format: z.enum(['json', 'csv', 'xlsx']).default('json'),
});
export const SummaryQuery = z.strictObject({ period: Period.optional() });
export const UnitParams = z.object({ unitId: Id });

const Flag = z.object({ code: z.string(), zh: z.string(), en: z.string() });
const PeriodView = z.object({ label: z.string(), from: Instant, to: Instant });
const CommunityTally = z.object({ communityId: z.string(), attendances: z.number(), hours: z.number() });
/** What a member's row says beyond who they are (the sheet's rows and the member summary). */
const RowFacts = {
  communities: z.array(CommunityTally),
  attendances: z.number(),
  hours: z.number(),
  reported: z.boolean(),
  completed: z.boolean(),
  noShow: z.boolean(),
  /** `basic`: never reported, so at most 基本合格. */
  ratingCeiling: z.enum(['basic']).nullable(),
  flags: z.array(Flag),
};

/** The work-unit feedback sheet (反馈单位), as domain/feedback.ts builds it. */
export const FeedbackSheetView = z
  .object({
    unitId: z.string(),
    view: z.enum(['unit', 'community']),
    unitName: z.string().nullable(),
    period: PeriodView,
    threshold: z.number(),
    members: z.array(
      z.object({
        memberId: z.string(),
        name: z.string(),
        category: z.string(),
        reports: z.array(
          z.object({
            reportId: z.string(),
            kind: ReportKind,
            communityId: z.string(),
            communityName: z.string(),
            status: ReportStatus,
            activatedAt: Instant.nullable(),
            attendances: z.number(),
            hours: z.number(),
            noShow: z.boolean(),
          }),
        ),
        missingReports: z.array(ReportKind),
        ...RowFacts,
      }),
    ),
    totals: z.object({
      members: z.number(),
      reported: z.number(),
      completed: z.number(),
      reportRate: z.number().nullable(),
      completionRate: z.number().nullable(),
      attendances: z.number(),
      hours: z.number(),
    }),
    redFlag: z.boolean(),
    redFlags: z.array(Flag),
  })
  .meta({ id: 'CheckinFeedbackSheet' });
export type FeedbackSheetView = z.output<typeof FeedbackSheetView>;

/** A member's reports, sessions and hours in a period (`community`: only the caller's communities). */
export const MemberSummaryView = z
  .object({
    view: z.enum(['whole', 'community']),
    member: z.object({
      id: z.string(),
      name: z.string(),
      /** Only for those who see the whole member. */
      county: z.string().nullable(),
      category: z.string(),
      categoryLabel: Label.nullable(),
      workUnitId: z.string().nullable(),
    }),
    period: PeriodView,
    reports: z.array(ReportView),
    ...RowFacts,
    sessions: z.array(AttendanceView),
    awaitingConfirmation: z.array(AttendanceView),
    open: z.array(AttendanceView),
    /** Reports the member still owes (whole view only): where to report and by when. */
    owed: z.array(
      z.object({
        kind: ReportKind,
        communities: z.array(z.object({ id: z.string(), name: z.string().nullable() })),
        since: z.string(),
        dueOn: z.string(),
        overdue: z.boolean(),
      }),
    ),
  })
  .meta({ id: 'CheckinMemberSummary' });
export type MemberSummaryView = z.output<typeof MemberSummaryView>;

/** What one sweep did. */
export const SweepView = z
  .object({
    at: Instant,
    autoClosed: z.number(),
    noShowFlagged: z.number(),
    noShowCleared: z.number(),
  })
  .meta({ id: 'CheckinSweep' });
export type SweepView = z.output<typeof SweepView>;
