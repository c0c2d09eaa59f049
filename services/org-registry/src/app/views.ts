import { MEMBER_CATEGORIES, ORG_KINDS } from '@honglian/contracts';
import type {
  IdentityReviewView,
  ImportJobView,
  ImportRecordView,
  ImportReport,
  MemberRecordView,
  OrgRecordView,
  RelationRecordView,
  RevealLogRecordView,
} from '../api/schemas.js';
import { holdsOn } from '../domain/effective.js';
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

// The mappers from records to answers: each returns exactly the type its schema (api/schemas.ts)
// documents, so what a route sends is what its OpenAPI document says; the names beside ids are
// added by app/names.ts (one query per page), hence the `*RecordView` types.

export function orgView(doc: Pick<OrgDoc, '_id' | 'county' | 'kind'>, v: OrgVersion): OrgRecordView {
  return {
    id: doc._id,
    county: doc.county,
    kind: doc.kind,
    kindLabel: ORG_KINDS[doc.kind],
    name: v.name,
    parentId: v.parentId,
    path: v.path,
    ...(v.creditCode ? { creditCode: v.creditCode } : {}),
    ...(v.term?.start ? { term: { start: v.term.start, end: v.term.end } } : {}),
    validFrom: v.validFrom,
    validTo: v.validTo,
  };
}

export function memberView(doc: MemberDoc, v: MemberVersion): MemberRecordView {
  return {
    id: doc._id,
    county: v.county ?? doc.county,
    name: v.name,
    idNumber: doc.idMasked,
    phone: v.phoneMasked,
    category: v.category,
    categoryLabel: MEMBER_CATEGORIES[v.category],
    status: v.status,
    partyOrgId: v.partyOrgId,
    workUnitId: v.workUnitId,
    residenceCompoundId: v.residenceCompoundId,
    residenceBuildingId: v.residenceBuildingId,
    validFrom: v.validFrom,
    validTo: v.validTo,
  };
}

/** A relation as it stands on `day` (who recorded it and where it is filed stay inside). */
export function relationView(doc: RelationDoc, day: string): RelationRecordView {
  return {
    id: doc._id,
    type: doc.type,
    county: doc.county,
    fromId: doc.fromId,
    toId: doc.toId,
    validFrom: doc.validFrom,
    validTo: doc.validTo,
    endedOn: doc.endedOn,
    active: holdsOn(doc, day),
    ...(doc.agencyUnitId !== undefined ? { agencyUnitId: doc.agencyUnitId } : {}),
    ...(doc.targetKind !== undefined ? { targetKind: doc.targetKind } : {}),
    ...(doc.needs !== undefined ? { needs: doc.needs } : {}),
    ...(doc.resources !== undefined ? { resources: doc.resources } : {}),
    ...(doc.projects !== undefined ? { projects: doc.projects } : {}),
    ...(doc.creatorLevel !== undefined ? { creatorLevel: doc.creatorLevel } : {}),
    ...(doc.post !== undefined ? { post: doc.post } : {}),
  };
}

const iso = (d: Date | string) => new Date(d).toISOString();

export function identityReviewView(doc: IdentityReviewDoc): IdentityReviewView {
  const { _id, at, ...rest } = doc;
  return { id: _id, at: iso(at), ...rest };
}

export function revealLogEntryView(doc: AuditDoc & { _id: { toString(): string } }): RevealLogRecordView {
  return {
    id: doc._id.toString(),
    at: iso(doc.at),
    actor: doc.actor,
    roles: doc.roles,
    action: doc.action,
    memberId: doc.memberId,
    county: doc.county,
    outcome: doc.outcome,
    ...(doc.requestId ? { requestId: doc.requestId } : {}),
  };
}

export function importRecordView(doc: ImportDoc): ImportRecordView {
  return {
    id: doc._id,
    kind: doc.kind as ImportRecordView['kind'],
    status: doc.status,
    county: doc.county ?? null,
    orgPath: doc.orgPath ?? null,
    actor: doc.actor,
    fileHash: doc.fileHash,
    ...(doc.rows !== undefined ? { rows: doc.rows } : {}),
    ...(doc.created !== undefined ? { created: doc.created } : {}),
    ...(doc.unchanged !== undefined ? { unchanged: doc.unchanged } : {}),
    startedAt: iso(doc.startedAt),
    ...(doc.finishedAt ? { finishedAt: iso(doc.finishedAt) } : {}),
  };
}

export function importJobView(doc: ImportJobDoc, status: ImportJobView['status']): ImportJobView {
  return {
    id: doc._id,
    kind: doc.kind as ImportJobView['kind'],
    dryRun: doc.dryRun,
    status,
    ...(doc.report ? { report: doc.report as ImportReport } : {}),
    ...(doc.problem ? { problem: doc.problem } : {}),
    county: doc.county ?? null,
    orgPath: doc.orgPath ?? null,
    actor: doc.actor,
    createdAt: iso(doc.createdAt),
    heartbeatAt: iso(doc.heartbeatAt),
    ...(doc.finishedAt ? { finishedAt: iso(doc.finishedAt) } : {}),
  };
}
