import {
  ActivityCancelled,
  ActivityChanged,
  ActivityPublished,
  AttendanceRecorded,
  CallResponded,
  EvaluationResultPublished,
  EvaluationResultRevised,
  NoShowCleared,
  NoShowFlagged,
  OrderStateChanged,
  PointsAwarded,
  PointsReversed,
  ReportActivated,
  ReportEnded,
  type TypedEvent,
} from '@honglian/contracts';

/** What the assessment keeps of another service's event: one fact per natural key. */
export type FactKind =
  | 'attendance'
  | 'noshow-flag'
  | 'noshow-clear'
  | 'report-active'
  | 'report-ended'
  | 'call-response'
  | 'activity'
  | 'activity-cancelled'
  | 'activity-change'
  | 'points'
  | 'order-done'
  | 'order-rated'
  | 'evaluation'
  | 'manual';

export interface Fact {
  /** Natural key (e.g. `attendance:<attendanceId>`): the same fact from a redelivery lands on itself. */
  _id: string;
  kind: FactKind;
  county: string;
  memberId: string | null;
  communityId: string | null;
  /** When it happened (ISO instant): the period it counts in. */
  at: string;
  /** Hours, points, seconds, a rating, a score… by kind. */
  value: number;
  /** Report id (flags, clears, reports), firm id (evaluations), item code (manual), order id. */
  ref: string | null;
  /** Version of a revisable fact (evaluation results); 0 otherwise. */
  version: number;
  /** Band, reason or title, for explanations. */
  note: string | null;
  /** The event the fact came from (or the record id of a manual item). */
  eventId: string;
}

/** The events the facts come from. */
export const FACT_EVENTS = [
  AttendanceRecorded,
  NoShowFlagged,
  NoShowCleared,
  ReportActivated,
  ReportEnded,
  CallResponded,
  ActivityPublished,
  ActivityChanged,
  ActivityCancelled,
  PointsAwarded,
  PointsReversed,
  OrderStateChanged,
  EvaluationResultPublished,
  EvaluationResultRevised,
] as const;
export type FactEvent = TypedEvent<(typeof FACT_EVENTS)[number]>;

/** A fact of an event; fields not given are null (0 for the version). One shape for every fact. */
const fact = (
  e: { id: string },
  f: Omit<Fact, 'eventId' | 'version' | 'note' | 'ref' | 'memberId' | 'communityId'> &
    Partial<Pick<Fact, 'version' | 'note' | 'ref' | 'memberId' | 'communityId'>>,
): Fact => ({
  _id: f._id,
  kind: f.kind,
  county: f.county,
  memberId: f.memberId ?? null,
  communityId: f.communityId ?? null,
  at: f.at,
  value: f.value,
  ref: f.ref ?? null,
  version: f.version ?? 0,
  note: f.note ?? null,
  eventId: e.id,
});

/**
 * The facts an event states, keyed so that a duplicate lands on the same key and order does
 * not matter: pairs (a flag and its clear, an order done and rated) are matched when scoring,
 * never by updating one record from another.
 */
export function factsOf(e: FactEvent): Fact[] {
  switch (e.type) {
    case AttendanceRecorded.type: {
      const d = e.data;
      return [
        fact(e, {
          _id: `attendance:${d.attendanceId}`,
          kind: 'attendance',
          county: d.county,
          memberId: d.memberId,
          communityId: d.communityId,
          at: d.checkInAt,
          value: d.hours,
          ref: d.activityId,
        }),
      ];
    }
    case NoShowFlagged.type: {
      const d = e.data;
      return [
        fact(e, {
          _id: `noshow-flag:${d.reportId}:${d.flaggedAt}`,
          kind: 'noshow-flag',
          county: d.county,
          memberId: d.memberId,
          communityId: d.communityId,
          at: d.flaggedAt,
          value: d.windowDays,
          ref: d.reportId,
        }),
      ];
    }
    case NoShowCleared.type: {
      const d = e.data;
      return [
        fact(e, {
          _id: `noshow-clear:${d.reportId}:${d.clearedAt}`,
          kind: 'noshow-clear',
          county: d.county,
          memberId: d.memberId,
          communityId: d.communityId,
          at: d.clearedAt,
          value: 0,
          ref: d.reportId,
          note: d.attendanceId,
        }),
      ];
    }
    case ReportActivated.type: {
      const d = e.data;
      const base = { county: d.county, memberId: d.memberId, communityId: d.communityId, ref: d.reportId };
      return [
        fact(e, {
          ...base,
          _id: `report-active:${d.reportId}`,
          kind: 'report-active',
          at: d.activatedAt,
          value: 0,
        }),
      ];
    }
    case ReportEnded.type: {
      const d = e.data;
      const base = { county: d.county, memberId: d.memberId, communityId: d.communityId, ref: d.reportId };
      return [
        fact(e, {
          ...base,
          _id: `report-ended:${d.reportId}`,
          kind: 'report-ended',
          at: d.endedAt,
          value: 0,
        }),
      ];
    }
    case CallResponded.type: {
      const d = e.data;
      return [
        fact(e, {
          _id: `call:${d.activityId}:${d.memberId}`,
          kind: 'call-response',
          county: d.county,
          memberId: d.memberId,
          communityId: d.communityId,
          at: d.respondedAt,
          value: d.responseSeconds,
          ref: d.activityId,
        }),
      ];
    }
    case ActivityPublished.type: {
      const d = e.data;
      return [
        fact(e, {
          _id: `activity:${d.activityId}`,
          kind: 'activity',
          county: d.county,
          communityId: d.communityId,
          at: d.startsAt,
          value: 1,
          ref: d.activityId,
          note: d.title,
        }),
      ];
    }
    case ActivityChanged.type: {
      // Kept beside the activity (a call's changes too, never counted): the projector moves
      // the activity to its latest start (app/projector.ts).
      const d = e.data;
      return [
        fact(e, {
          _id: `activity-change:${d.activityId}:${e.id}`,
          kind: 'activity-change',
          county: d.county,
          communityId: d.communityId,
          at: d.startsAt,
          value: 0,
          ref: d.activityId,
          version: Date.parse(e.time),
          note: d.title,
        }),
      ];
    }
    case ActivityCancelled.type: {
      const d = e.data;
      return [
        fact(e, {
          _id: `activity-cancelled:${d.activityId}`,
          kind: 'activity-cancelled',
          county: d.county,
          communityId: d.communityId,
          at: d.cancelledAt,
          value: 0,
          ref: d.activityId,
        }),
      ];
    }
    case PointsAwarded.type:
    case PointsReversed.type: {
      const d = e.data;
      return [
        fact(e, {
          _id: `points:${d.entryId}`,
          kind: 'points',
          county: d.county,
          memberId: d.memberId,
          communityId: 'communityId' in d ? d.communityId : null,
          at: d.at,
          value: d.points,
          ref: d.entryId,
        }),
      ];
    }
    case OrderStateChanged.type: {
      const d = e.data;
      if (d.escalated || (d.to !== 'done' && d.to !== 'rated') || !d.memberId) return [];
      const kind = d.to === 'done' ? 'order-done' : 'order-rated';
      return [
        fact(e, {
          _id: `${kind}:${d.orderId}`,
          kind,
          county: d.county,
          memberId: d.memberId,
          communityId: d.communityId,
          at: d.at,
          value: d.to === 'done' ? (d.hours ?? 0) : (d.rating ?? 0),
          ref: d.orderId,
        }),
      ];
    }
    case EvaluationResultPublished.type:
    case EvaluationResultRevised.type: {
      const d = e.data;
      return [
        fact(e, {
          _id: `evaluation:${d.firmId}:${d.cycleId}:v${d.version}`,
          kind: 'evaluation',
          county: d.county,
          at: d.publishedAt,
          value: d.score ?? 0,
          ref: d.firmId,
          version: d.version,
          note: d.blacklisted ? 'blacklist' : (d.band ?? null),
        }),
      ];
    }
    default:
      return [];
  }
}
