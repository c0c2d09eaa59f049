import { MEMBER_CATEGORIES, REPORT_KINDS, type MemberCategory } from '@honglian/contracts';
import type { ShownToken } from '../app/activities.js';
import type { MemberSummary } from '../app/feedback.js';
import type { SweepResult } from '../app/sweep.js';
import type { Page } from '../data/page.js';
import { ACTIVITY_KIND_LABELS, type Activity, type ActivityResponse } from '../domain/activities.js';
import type { Attendance } from '../domain/attendance.js';
import type { FeedbackSheet } from '../domain/feedback.js';
import { REPORT_STATUS_LABELS, type Report } from '../domain/reports.js';
import { REGISTRY_ACTOR, closeReasonLabel } from '../domain/registry-sync.js';
import type {
  ActivityView,
  AttendanceView,
  FeedbackSheetView,
  MemberSummaryView,
  QrView,
  ReportView,
  ResponseView,
  SweepView,
} from './schemas.js';

/*
 * Records as the client gets them. Each mapper returns its schema's type as an object literal, so
 * it cannot send a field the schema does not document (and the tests check every answer too).
 */

const iso = (d: Date) => d.toISOString();
const isoOrNull = (d: Date | null) => d?.toISOString() ?? null;

export function reportView(r: Report): ReportView {
  return {
    id: r._id,
    county: r.county,
    memberId: r.memberId,
    memberName: r.memberName,
    workUnitId: r.workUnitId,
    kind: r.kind,
    kindLabel: REPORT_KINDS[r.kind],
    communityId: r.communityId,
    communityName: r.communityName,
    pairingId: r.pairingId,
    status: r.status,
    statusLabel: REPORT_STATUS_LABELS[r.status],
    specialties: r.specialties,
    preferences: r.preferences,
    submittedAt: iso(r.submittedAt),
    submittedBy: r.submittedBy,
    activatedAt: isoOrNull(r.activatedAt),
    confirmedBy: r.confirmedBy,
    rejectedAt: isoOrNull(r.rejectedAt),
    endedAt: isoOrNull(r.endedAt),
    closeReason: r.closeReason,
    closeReasonLabel: r.closedBy === REGISTRY_ACTOR ? (closeReasonLabel(r.closeReason) ?? null) : null,
    closedBy: r.closedBy,
    // Stored as a mixed value: its dates may come back as strings.
    pledge: r.pledge && {
      items: r.pledge.items,
      signedAt: iso(new Date(r.pledge.signedAt)),
      signedBy: r.pledge.signedBy,
    },
    placement: r.placement && {
      gridId: r.placement.gridId,
      gridName: r.placement.gridName,
      post: r.placement.post,
      duties: r.placement.duties,
      slots: r.placement.slots,
      placedAt: iso(new Date(r.placement.placedAt)),
      placedBy: r.placement.placedBy,
    },
    lastAttendanceAt: isoOrNull(r.lastAttendanceAt),
    noShow: r.noShow,
    noShowSince: isoOrNull(r.noShowSince),
  };
}

export function activityView(a: Activity): ActivityView {
  return {
    id: a._id,
    county: a.county,
    communityId: a.communityId,
    communityName: a.communityName,
    kind: a.kind,
    kindLabel: ACTIVITY_KIND_LABELS[a.kind],
    title: a.title,
    description: a.description,
    place: a.place,
    startsAt: iso(a.startsAt),
    endsAt: iso(a.endsAt),
    geofence: a.geofence && {
      lat: a.geofence.lat,
      lng: a.geofence.lng,
      radiusMeters: a.geofence.radiusMeters,
    },
    capacity: a.capacity,
    responses: a.responses,
    skills: a.skills,
    capMinutes: a.capMinutes,
    arrivalWithinMinutes: a.arrivalWithinMinutes,
    issuedAt: iso(a.issuedAt),
    status: a.status,
    createdBy: a.createdBy,
    cancelledAt: a.cancelledAt ? iso(a.cancelledAt) : null,
    cancelReason: a.cancelReason ?? null,
  };
}

/** A response, with the member's first check-in at the activity when there is one (a call's arrival). */
export function responseView(r: ActivityResponse, arrived?: Attendance | null): ResponseView {
  return {
    activityId: r.activityId,
    memberId: r.memberId,
    respondedAt: iso(r.respondedAt),
    responseSeconds: r.responseSeconds,
    note: r.note,
    checkedInAt: arrived ? iso(arrived.checkInAt) : null,
    arrivalMinutes: arrived?.arrivalMinutes ?? null,
    arrivedInTime: arrived?.arrivedInTime ?? null,
  };
}

export function qrView(q: ShownToken): QrView {
  return {
    activityId: q.activityId,
    token: q.issued.token,
    rotatesAt: iso(q.issued.rotatesAt),
    expiresAt: iso(q.issued.expiresAt),
    rotationSeconds: q.rotationSeconds,
  };
}

export function attendanceView(a: Attendance): AttendanceView {
  return {
    id: a._id,
    county: a.county,
    memberId: a.memberId,
    memberName: a.memberName,
    activityId: a.activityId,
    activityKind: a.activityKind,
    communityId: a.communityId,
    reportIds: a.reportIds,
    method: a.method,
    witness: a.witness,
    checkInAt: iso(a.checkInAt),
    checkOutAt: isoOrNull(a.checkOutAt),
    checkOutMethod: a.checkOutMethod,
    status: a.status,
    creditedMinutes: a.creditedMinutes,
    hours: a.hours,
    flags: a.flags,
    confirmedBy: a.confirmedBy,
    measuredMinutes: a.measuredMinutes ?? null,
    arrivalMinutes: a.arrivalMinutes ?? null,
    arrivedInTime: a.arrivedInTime ?? null,
  };
}

/** The sheet as built: the domain type and the schema must agree field for field (checked below). */
export function feedbackSheetView(sheet: FeedbackSheet): FeedbackSheetView {
  return sheet;
}
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sheetMatchesSchema: Same<FeedbackSheet, FeedbackSheetView> = true;
void sheetMatchesSchema;

export function memberSummaryView(s: MemberSummary): MemberSummaryView {
  const { member, row } = s;
  const whole = s.view === 'whole';
  return {
    view: s.view,
    member: {
      id: member._id,
      name: member.name,
      // Which county the member belongs to is for those who see the whole member.
      county: whole ? member.county : null,
      category: member.category,
      categoryLabel: MEMBER_CATEGORIES[member.category as MemberCategory] ?? null,
      workUnitId: member.workUnitId,
    },
    period: s.period,
    reports: s.reports.map(reportView),
    communities: row.communities,
    attendances: row.attendances,
    hours: row.hours,
    reported: row.reported,
    completed: row.completed,
    noShow: row.noShow,
    ratingCeiling: row.ratingCeiling,
    flags: row.flags,
    sessions: s.sessions.map(attendanceView),
    awaitingConfirmation: s.awaitingConfirmation.map(attendanceView),
    open: s.open.map(attendanceView),
    owed: s.owed.map((o) => ({
      kind: o.kind,
      communities: o.communities,
      since: o.since,
      dueOn: o.dueOn,
      overdue: o.overdue,
    })),
  };
}

export function sweepView(r: SweepResult): SweepView {
  return {
    at: r.at,
    autoClosed: r.autoClosed,
    noShowFlagged: r.noShowFlagged,
    noShowCleared: r.noShowCleared,
  };
}

/** A page of records as views. */
export function pageView<T, V>(
  page: Page<T>,
  view: (item: T) => V,
): { items: V[]; nextCursor: string | null; total: number } {
  return { items: page.items.map(view), nextCursor: page.nextCursor, total: page.total };
}
