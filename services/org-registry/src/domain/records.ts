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
  /**
   * Keyed hash of the phone (normalised), for search by phone. Absent on versions recorded before
   * it was kept until the start-up backfill (app/pii-backfill.ts) fills it in.
   */
  phoneHash?: string;
  /**
   * Fingerprint (domain/pii.ts keyIdOf) of the key that sealed `phoneEnc` and hashed `phoneHash`.
   * Absent on versions written before key ids were kept: whichever key held opens them.
   */
  piiKeyId?: string;
  category: MemberCategory;
  status: 'active' | 'inactive';
  partyOrgId: string;
  workUnitId: string | null;
  residenceCompoundId: string | null;
  residenceBuildingId: string | null;
  /**
   * County of this version's units (residence compound, else party organisation). Absent on
   * versions recorded before it was kept: the document's `county` then.
   */
  county?: string;
  /** Paths the member is placed under (party organisation, residence): community staff of either see them. */
  scopePaths: string[];
  recordedAt: Date;
  recordedBy: string;
}

export interface MemberDoc {
  _id: string;
  /** County of the latest version (where the member is filed now). */
  county: string;
  /** Keyed hash of the ID number: uniqueness and lookup without storing it in clear. */
  idHash: string;
  idEnc: string;
  /** Fingerprint of the key that hashed `idHash` and sealed `idEnc` (absent: written before key ids were kept). */
  piiKeyId?: string;
  idMasked: string;
  versions: MemberVersion[];
  /** Paths of every version, for subtree queries whatever the day asked (each version's own decide). */
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
