import { Schema, type Connection, type Model } from 'mongoose';
import type { MemberCategory, OrgKind } from '@honglian/contracts';

/**
 * Every unit, relation and member keeps its versions inside its own document,
 * each over [validFrom, validTo): one document changes atomically, and
 * `asOf` answers come from the version holding on that day.
 */
export interface OrgVersion {
  validFrom: string;
  validTo: string | null;
  name: string;
  parentId: string | null;
  path: string;
  creditCode?: string;
  term?: { start: string; end: string };
  recordedAt: Date;
  recordedBy: string;
}

export interface OrgDoc {
  _id: string;
  county: string;
  kind: OrgKind;
  versions: OrgVersion[];
  /** Paths of every version, for subtree queries whatever the day asked. */
  paths: string[];
  /** Bumped by every change to the unit or to a relation that must not overlap (contracts). */
  lock: number;
  createdAt: Date;
}

export interface RelationDoc {
  _id: string;
  county: string;
  type: 'contract' | 'pairing' | 'alliance-membership' | 'appointment';
  /** The two sides: contract firm→compound, pairing agency party org→community/compound, alliance→member org, member→org. */
  fromId: string;
  toId: string;
  /** Path of the side that places the relation in the tree (compound, target, alliance, org). */
  path: string;
  validFrom: string;
  validTo: string | null;
  endedOn: string | null;
  /** Agency unit of a pairing's party organisation (members' work units are matched to it). */
  agencyUnitId?: string | null;
  targetKind?: string;
  needs?: string[];
  resources?: string[];
  projects?: string[];
  /** A pairing's creator's level (absent on pairings recorded before it was kept). */
  creatorLevel?: 'city' | 'county' | 'community';
  post?: string;
  recordedAt: Date;
  recordedBy: string;
}

export interface MemberVersion {
  validFrom: string;
  validTo: string | null;
  name: string;
  phoneEnc: string;
  phoneMasked: string;
  category: MemberCategory;
  status: 'active' | 'inactive';
  partyOrgId: string;
  workUnitId: string | null;
  residenceCompoundId: string | null;
  residenceBuildingId: string | null;
  /** Paths the member is placed under (party organisation, residence): community staff of either see them. */
  scopePaths: string[];
  recordedAt: Date;
  recordedBy: string;
}

export interface MemberDoc {
  _id: string;
  county: string;
  /** Keyed hash of the ID number: uniqueness and lookup without storing it in clear. */
  idHash: string;
  idEnc: string;
  idMasked: string;
  versions: MemberVersion[];
  scopePaths: string[];
  lock: number;
  createdAt: Date;
}

/** A read of personal data, or an attempt at one: who, what, when and how it ended; never the value. */
export interface AuditDoc {
  at: Date;
  actor: string;
  roles: string[];
  action: string;
  memberId: string;
  /** The member's county; null when there is no such member. */
  county: string | null;
  outcome: 'revealed' | 'not-found' | 'out-of-scope' | 'denied';
  requestId?: string;
}

/** An attempt to register an ID number already on file outside the caller's scope, for the city admin. */
export interface IdentityReviewDoc {
  _id: string;
  at: Date;
  actor: string;
  actorRoles: string[];
  actorCounty: string | null;
  actorOrgPath: string | null;
  /** Masked, as every response shows it. */
  idMasked: string;
  existingMemberId: string;
  /** The member code the caller asked for; null when the registry would have made one. */
  attemptedMemberId: string | null;
  attemptedName: string;
  attemptedPartyOrgId: string;
  via: 'api' | 'import' | 'import-dry-run';
  requestId?: string;
}

/** Import records are placed where they were uploaded: the uploader's county and org subtree. */
export interface UploadPlacement {
  county: string | null;
  orgPath: string | null;
}

export interface ImportDoc extends UploadPlacement {
  _id: string;
  kind: string;
  fileHash: string;
  status: 'applying' | 'applied';
  rows: number;
  created: number;
  unchanged: number;
  startedAt: Date;
  finishedAt?: Date;
  actor: string;
}

/** An import run in the background (`Prefer: respond-async`): what it was asked, how it ended. */
export interface ImportJobDoc extends UploadPlacement {
  _id: string;
  actor: string;
  kind: string;
  dryRun: boolean;
  status: 'running' | 'done' | 'failed';
  /** The import report when done (the same body the synchronous request answers). */
  report?: Record<string, unknown>;
  /** The problem (RFC 9457 body) when failed. */
  problem?: Record<string, unknown>;
  createdAt: Date;
  /** Refreshed while the job runs: a job whose process died stops refreshing it. */
  heartbeatAt: Date;
  finishedAt?: Date;
}

const ImportJobSchema = new Schema<ImportJobDoc>(
  {
    _id: { type: String, required: true },
    county: { type: String, default: null },
    orgPath: { type: String, default: null },
    actor: { type: String, required: true },
    kind: { type: String, required: true },
    dryRun: { type: Boolean, required: true },
    status: { type: String, required: true },
    report: { type: Schema.Types.Mixed },
    problem: { type: Schema.Types.Mixed },
    createdAt: { type: Date, required: true },
    heartbeatAt: { type: Date, required: true },
    finishedAt: Date,
  },
  { versionKey: false },
);

const period = { validFrom: { type: String, required: true }, validTo: { type: String, default: null } };

const OrgVersionSchema = new Schema<OrgVersion>(
  {
    ...period,
    name: { type: String, required: true },
    parentId: { type: String, default: null },
    path: { type: String, required: true },
    creditCode: String,
    term: { type: { start: String, end: String }, _id: false, default: undefined },
    recordedAt: { type: Date, required: true },
    recordedBy: { type: String, required: true },
  },
  { _id: false },
);

const OrgSchema = new Schema<OrgDoc>(
  {
    _id: { type: String, required: true },
    county: { type: String, required: true },
    kind: { type: String, required: true },
    versions: { type: [OrgVersionSchema], required: true },
    paths: { type: [String], required: true },
    lock: { type: Number, default: 0 },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);
OrgSchema.index({ county: 1, kind: 1 });
OrgSchema.index({ paths: 1 });
OrgSchema.index({ 'versions.parentId': 1 });
OrgSchema.index({ 'versions.creditCode': 1 });

const RelationSchema = new Schema<RelationDoc>(
  {
    _id: { type: String, required: true },
    county: { type: String, required: true },
    type: { type: String, required: true },
    fromId: { type: String, required: true },
    toId: { type: String, required: true },
    path: { type: String, required: true },
    ...period,
    endedOn: { type: String, default: null },
    agencyUnitId: { type: String, default: undefined },
    targetKind: String,
    needs: { type: [String], default: undefined },
    resources: { type: [String], default: undefined },
    projects: { type: [String], default: undefined },
    creatorLevel: { type: String, default: undefined },
    post: String,
    recordedAt: { type: Date, required: true },
    recordedBy: { type: String, required: true },
  },
  { versionKey: false },
);
RelationSchema.index({ type: 1, toId: 1 });
RelationSchema.index({ type: 1, fromId: 1 });
RelationSchema.index({ county: 1, type: 1 });

const MemberVersionSchema = new Schema<MemberVersion>(
  {
    ...period,
    name: { type: String, required: true },
    phoneEnc: { type: String, required: true },
    phoneMasked: { type: String, required: true },
    category: { type: String, required: true },
    status: { type: String, required: true },
    partyOrgId: { type: String, required: true },
    workUnitId: { type: String, default: null },
    residenceCompoundId: { type: String, default: null },
    residenceBuildingId: { type: String, default: null },
    scopePaths: { type: [String], required: true },
    recordedAt: { type: Date, required: true },
    recordedBy: { type: String, required: true },
  },
  { _id: false },
);

const MemberSchema = new Schema<MemberDoc>(
  {
    _id: { type: String, required: true },
    county: { type: String, required: true },
    idHash: { type: String, required: true },
    idEnc: { type: String, required: true },
    idMasked: { type: String, required: true },
    versions: { type: [MemberVersionSchema], required: true },
    scopePaths: { type: [String], required: true },
    lock: { type: Number, default: 0 },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);
MemberSchema.index({ idHash: 1 }, { unique: true });
MemberSchema.index({ county: 1 });
MemberSchema.index({ scopePaths: 1 });

const AuditSchema = new Schema<AuditDoc>(
  {
    at: { type: Date, required: true },
    actor: { type: String, required: true },
    roles: [String],
    action: { type: String, required: true },
    memberId: { type: String, required: true },
    county: { type: String, default: null },
    outcome: { type: String, required: true },
    requestId: String,
  },
  { versionKey: false },
);

const IdentityReviewSchema = new Schema<IdentityReviewDoc>(
  {
    _id: { type: String, required: true },
    at: { type: Date, required: true },
    actor: { type: String, required: true },
    actorRoles: [String],
    actorCounty: { type: String, default: null },
    actorOrgPath: { type: String, default: null },
    idMasked: { type: String, required: true },
    existingMemberId: { type: String, required: true },
    attemptedMemberId: { type: String, default: null },
    attemptedName: { type: String, required: true },
    attemptedPartyOrgId: { type: String, required: true },
    via: { type: String, required: true },
    requestId: String,
  },
  { versionKey: false },
);

const ImportSchema = new Schema<ImportDoc>(
  {
    _id: { type: String, required: true },
    county: { type: String, default: null },
    orgPath: { type: String, default: null },
    kind: { type: String, required: true },
    fileHash: { type: String, required: true },
    status: { type: String, required: true },
    rows: Number,
    created: Number,
    unchanged: Number,
    startedAt: Date,
    finishedAt: Date,
    actor: String,
  },
  { versionKey: false },
);

export interface RegistryModels {
  Org: Model<OrgDoc>;
  Relation: Model<RelationDoc>;
  Member: Model<MemberDoc>;
  Audit: Model<AuditDoc>;
  IdentityReview: Model<IdentityReviewDoc>;
  Import: Model<ImportDoc>;
  ImportJob: Model<ImportJobDoc>;
}

export function registryModels(conn: Connection): RegistryModels {
  return {
    Org: conn.models.Org ?? conn.model<OrgDoc>('Org', OrgSchema, 'orgs'),
    Relation: conn.models.Relation ?? conn.model<RelationDoc>('Relation', RelationSchema, 'relations'),
    Member: conn.models.Member ?? conn.model<MemberDoc>('Member', MemberSchema, 'members'),
    Audit: conn.models.Audit ?? conn.model<AuditDoc>('Audit', AuditSchema, 'audit_log'),
    IdentityReview:
      conn.models.IdentityReview ??
      conn.model<IdentityReviewDoc>('IdentityReview', IdentityReviewSchema, 'identity_reviews'),
    Import: conn.models.Import ?? conn.model<ImportDoc>('Import', ImportSchema, 'imports'),
    ImportJob: conn.models.ImportJob ?? conn.model<ImportJobDoc>('ImportJob', ImportJobSchema, 'import_jobs'),
  } as RegistryModels;
}

/** Creates collections and indexes up front: transactions cannot create them implicitly everywhere. */
export async function prepareRegistry(models: RegistryModels): Promise<void> {
  for (const model of Object.values(models) as Model<unknown>[]) {
    await model.createCollection().catch((err: { codeName?: string }) => {
      if (err.codeName !== 'NamespaceExists') throw err;
    });
    await model.syncIndexes();
  }
}
