import { Schema, type Connection, type Model } from 'mongoose';
import type {
  AuditDoc,
  IdentityReviewDoc,
  ImportDoc,
  ImportJobDoc,
  MemberDoc,
  MemberVersion,
  OrgDoc,
  OrgVersion,
  RelationDoc,
} from '../domain/records.js';

/** The records live in domain/records.ts (the domain decides over them); the stores here. */
export type * from '../domain/records.js';

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
    phoneHash: { type: String },
    piiKeyId: { type: String },
    category: { type: String, required: true },
    status: { type: String, required: true },
    partyOrgId: { type: String, required: true },
    workUnitId: { type: String, default: null },
    residenceCompoundId: { type: String, default: null },
    residenceBuildingId: { type: String, default: null },
    county: { type: String },
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
    piiKeyId: { type: String },
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
MemberSchema.index({ 'versions.county': 1 });
MemberSchema.index({ scopePaths: 1 });
MemberSchema.index({ 'versions.phoneHash': 1 });

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
