import { Schema, type Connection, type Model } from 'mongoose';
import type { Activity, ActivityResponse } from '../domain/activities.js';
import type { Notice } from '../domain/activity-changes.js';
import type { Attendance } from '../domain/attendance.js';
import type { Report } from '../domain/reports.js';

/* ---------- Read model: facts from the org registry's events, nothing else ---------- */

/** An organisation unit as the latest registry event describes it. */
export interface OrgRm {
  _id: string;
  county: string;
  kind: string;
  name: string;
  parentId: string | null;
  path: string;
  closedOn: string | null;
  /** Ordering key of the state held: (effectiveFrom, event time); an older event never overwrites a newer one. */
  effectiveFrom: string;
  eventTime: string;
}

export interface MemberRm {
  _id: string;
  county: string;
  name: string;
  category: string;
  status: 'active' | 'inactive';
  partyOrgId: string;
  workUnitId: string | null;
  residenceCompoundId: string | null;
  residenceBuildingId: string | null;
  residenceCommunityId: string | null;
  effectiveFrom: string;
  eventTime: string;
}

export interface PairingRm {
  _id: string;
  county: string;
  agencyOrgId: string;
  agencyUnitId: string | null;
  targetId: string;
  targetKind: 'community' | 'compound';
  validFrom: string;
  validTo: string | null;
  endedOn: string | null;
  /** Who recorded it (the registry's event); null on events from before it said. */
  creatorLevel: 'city' | 'county' | 'community' | null;
}

/* ---------- This service's own records (their shapes are the domain's) ---------- */

export type ReportDoc = Report;
export type ActivityDoc = Activity;
export type ResponseDoc = ActivityResponse;
export type AttendanceDoc = Attendance;
export type NoticeDoc = Notice;

export interface QrUseDoc {
  /** `<tokenId>:<memberId>`: a member uses a token once, to check in or out. */
  _id: string;
  memberId: string;
  activityId: string;
  usedAt: Date;
}

export interface MemberLockDoc {
  _id: string;
  n: number;
}

const str = { type: String, required: true };
const optStr = { type: String, default: null };
const date = { type: Date, default: null };

const OrgRmSchema = new Schema<OrgRm>(
  {
    _id: str,
    county: str,
    kind: str,
    name: str,
    parentId: optStr,
    path: str,
    closedOn: optStr,
    effectiveFrom: str,
    eventTime: str,
  },
  { versionKey: false },
);
OrgRmSchema.index({ kind: 1, county: 1 });

const MemberRmSchema = new Schema<MemberRm>(
  {
    _id: str,
    county: str,
    name: str,
    category: str,
    status: str,
    partyOrgId: str,
    workUnitId: optStr,
    residenceCompoundId: optStr,
    residenceBuildingId: optStr,
    residenceCommunityId: optStr,
    effectiveFrom: str,
    eventTime: str,
  },
  { versionKey: false },
);
MemberRmSchema.index({ workUnitId: 1 });

const PairingRmSchema = new Schema<PairingRm>(
  {
    _id: str,
    county: str,
    agencyOrgId: str,
    agencyUnitId: optStr,
    targetId: str,
    targetKind: str,
    validFrom: str,
    validTo: optStr,
    endedOn: optStr,
    creatorLevel: optStr,
  },
  { versionKey: false },
);
PairingRmSchema.index({ agencyUnitId: 1 });
PairingRmSchema.index({ agencyOrgId: 1 });

const ReportSchema = new Schema<ReportDoc>(
  {
    _id: str,
    county: str,
    memberId: str,
    memberName: str,
    workUnitId: optStr,
    kind: str,
    communityId: str,
    communityName: str,
    communityPath: str,
    pairingId: optStr,
    status: str,
    specialties: [String],
    preferences: [String],
    submittedAt: { type: Date, required: true },
    submittedBy: str,
    activatedAt: date,
    confirmedBy: optStr,
    rejectedAt: date,
    endedAt: date,
    closedBy: optStr,
    closeReason: optStr,
    pledge: { type: Schema.Types.Mixed, default: null },
    placement: { type: Schema.Types.Mixed, default: null },
    lastAttendanceAt: date,
    noShow: { type: Boolean, default: false },
    noShowSince: date,
  },
  { versionKey: false },
);
ReportSchema.index({ memberId: 1, kind: 1 });
ReportSchema.index({ status: 1, noShow: 1 });
ReportSchema.index({ county: 1, communityPath: 1 });
ReportSchema.index({ workUnitId: 1 });

const ActivitySchema = new Schema<ActivityDoc>(
  {
    _id: str,
    county: str,
    communityId: str,
    communityName: str,
    communityPath: str,
    kind: str,
    title: str,
    description: { type: String, default: '' },
    place: { type: String, default: '' },
    startsAt: { type: Date, required: true },
    endsAt: { type: Date, required: true },
    geofence: { type: Schema.Types.Mixed, default: null },
    capacity: { type: Number, default: null },
    skills: [String],
    capMinutes: { type: Number, default: null },
    arrivalWithinMinutes: { type: Number, default: null },
    issuedAt: { type: Date, required: true },
    status: str,
    responses: { type: Number, default: 0 },
    createdBy: str,
    checkedIn: { type: Boolean, default: false },
    cancelledAt: date,
    cancelledBy: optStr,
    cancelReason: optStr,
  },
  { versionKey: false },
);
ActivitySchema.index({ county: 1, communityPath: 1, startsAt: -1 });
ActivitySchema.index({ communityId: 1, startsAt: -1 });

const ResponseSchema = new Schema<ResponseDoc>(
  {
    _id: str,
    activityId: str,
    county: str,
    communityPath: str,
    memberId: str,
    respondedAt: { type: Date, required: true },
    responseSeconds: { type: Number, required: true },
    note: { type: String, default: '' },
  },
  { versionKey: false },
);
ResponseSchema.index({ activityId: 1 });

const AttendanceSchema = new Schema<AttendanceDoc>(
  {
    _id: str,
    county: str,
    memberId: str,
    memberName: str,
    activityId: str,
    activityKind: str,
    communityId: str,
    communityPath: str,
    reportIds: [String],
    method: str,
    witness: optStr,
    checkInAt: { type: Date, required: true },
    checkOutAt: date,
    checkOutMethod: optStr,
    autoCloseAfter: { type: Date, required: true },
    status: str,
    creditedMinutes: { type: Number, default: 0 },
    hours: { type: Number, default: 0 },
    flags: [String],
    location: { type: Schema.Types.Mixed, default: null },
    confirmedBy: optStr,
    confirmedAt: date,
    measuredMinutes: { type: Number, default: null },
    arrivalMinutes: { type: Number, default: null },
    arrivedInTime: { type: Boolean, default: null },
  },
  { versionKey: false },
);
AttendanceSchema.index({ memberId: 1, checkInAt: -1 });
AttendanceSchema.index({ status: 1, autoCloseAfter: 1 });
AttendanceSchema.index({ activityId: 1 });
AttendanceSchema.index({ county: 1, communityPath: 1 });

const QrUseSchema = new Schema<QrUseDoc>(
  { _id: str, memberId: str, activityId: str, usedAt: { type: Date, required: true } },
  { versionKey: false },
);

const NoticeSchema = new Schema<NoticeDoc>(
  {
    _id: str,
    memberId: str,
    activityId: str,
    county: str,
    communityId: str,
    communityName: str,
    communityPath: str,
    kind: str,
    title: str,
    changed: [String],
    startsAt: { type: Date, required: true },
    endsAt: { type: Date, required: true },
    place: { type: String, default: '' },
    reason: optStr,
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
NoticeSchema.index({ memberId: 1, _id: 1 });

const MemberLockSchema = new Schema<MemberLockDoc>({ _id: str, n: Number }, { versionKey: false });

export interface CheckinModels {
  Org: Model<OrgRm>;
  Member: Model<MemberRm>;
  Pairing: Model<PairingRm>;
  Report: Model<ReportDoc>;
  Activity: Model<ActivityDoc>;
  Response: Model<ResponseDoc>;
  Attendance: Model<AttendanceDoc>;
  QrUse: Model<QrUseDoc>;
  MemberLock: Model<MemberLockDoc>;
  Notice: Model<NoticeDoc>;
}

function model<T>(conn: Connection, name: string, schema: Schema<T>, collection: string): Model<T> {
  return (conn.models[name] as Model<T> | undefined) ?? conn.model<T>(name, schema, collection);
}

export function checkinModels(conn: Connection): CheckinModels {
  return {
    Org: model(conn, 'RmOrg', OrgRmSchema, 'rm_orgs'),
    Member: model(conn, 'RmMember', MemberRmSchema, 'rm_members'),
    Pairing: model(conn, 'RmPairing', PairingRmSchema, 'rm_pairings'),
    Report: model(conn, 'Report', ReportSchema, 'reports'),
    Activity: model(conn, 'Activity', ActivitySchema, 'activities'),
    Response: model(conn, 'Response', ResponseSchema, 'activity_responses'),
    Attendance: model(conn, 'Attendance', AttendanceSchema, 'attendances'),
    QrUse: model(conn, 'QrUse', QrUseSchema, 'qr_uses'),
    MemberLock: model(conn, 'MemberLock', MemberLockSchema, 'member_locks'),
    Notice: model(conn, 'Notice', NoticeSchema, 'activity_notices'),
  };
}

/** Creates collections and indexes up front: transactions cannot create them implicitly everywhere. */
export async function prepareCheckin(models: CheckinModels): Promise<void> {
  for (const m of Object.values(models) as Model<unknown>[]) {
    await m.createCollection().catch((err: { codeName?: string }) => {
      if (err.codeName !== 'NamespaceExists') throw err;
    });
    await m.syncIndexes();
  }
}
