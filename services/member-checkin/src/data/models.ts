import { Schema, type Connection, type Model } from 'mongoose';
import type { ReportKind, ReportStatus } from '../domain/reports.js';
import type { SessionStatus } from '../domain/attendance.js';

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

/* ---------- This service's own records ---------- */

export interface Pledge {
  items: string[];
  signedAt: Date;
  signedBy: string;
}

export interface Placement {
  gridId: string | null;
  gridName: string | null;
  post: string;
  duties: string[];
  /** Service slots, e.g. `周六上午`. */
  slots: string[];
  placedAt: Date;
  placedBy: string;
}

export interface ReportDoc {
  _id: string;
  county: string;
  memberId: string;
  memberName: string;
  workUnitId: string | null;
  kind: ReportKind;
  communityId: string;
  communityName: string;
  communityPath: string;
  pairingId: string | null;
  status: ReportStatus;
  specialties: string[];
  preferences: string[];
  submittedAt: Date;
  submittedBy: string;
  activatedAt: Date | null;
  confirmedBy: string | null;
  rejectedAt: Date | null;
  endedAt: Date | null;
  closedBy: string | null;
  closeReason: string | null;
  pledge: Pledge | null;
  placement: Placement | null;
  lastAttendanceAt: Date | null;
  noShow: boolean;
  noShowSince: Date | null;
}

export interface Geofence {
  lat: number;
  lng: number;
  radiusMeters: number;
}

export interface ActivityDoc {
  _id: string;
  county: string;
  communityId: string;
  communityName: string;
  communityPath: string;
  kind: 'activity' | 'call';
  title: string;
  description: string;
  place: string;
  startsAt: Date;
  endsAt: Date;
  geofence: Geofence | null;
  capacity: number | null;
  skills: string[];
  capMinutes: number | null;
  arrivalWithinMinutes: number | null;
  issuedAt: Date;
  status: 'published' | 'cancelled';
  responses: number;
  createdBy: string;
}

export interface ResponseDoc {
  /** `<activityId>:<memberId>`: one response per member and activity. */
  _id: string;
  activityId: string;
  county: string;
  communityPath: string;
  memberId: string;
  respondedAt: Date;
  responseSeconds: number;
  note: string;
}

export interface AttendanceDoc {
  _id: string;
  county: string;
  memberId: string;
  memberName: string;
  activityId: string;
  activityKind: 'activity' | 'call';
  communityId: string;
  communityPath: string;
  reportIds: string[];
  method: 'qr' | 'witnessed';
  witness: string | null;
  checkInAt: Date;
  checkOutAt: Date | null;
  checkOutMethod: 'qr' | 'witnessed' | 'auto' | 'staff-confirmed' | null;
  /** When the scan closes this session if it is still open. */
  autoCloseAfter: Date;
  status: SessionStatus;
  creditedMinutes: number;
  hours: number;
  flags: string[];
  location: { lat: number; lng: number; accuracyMeters?: number } | null;
  confirmedBy: string | null;
  confirmedAt: Date | null;
}

export interface QrUseDoc {
  /** `<tokenId>:<memberId>:<purpose>`. */
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
