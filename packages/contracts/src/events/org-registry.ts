import { z } from 'zod';
import { CountyCode } from '../cloudevent.js';
import { MemberCategory, OrgKind } from '../enums.js';
import { defineEvent } from '../events.js';

/** Events of the org registry; other services build their read models from these alone. */
const PREFIX = 'honglian.org-registry';
const Id = z.string().min(1).max(64);
const Day = z.iso.date();

const OrgState = z.object({
  orgId: Id,
  county: CountyCode,
  kind: OrgKind,
  name: z.string().min(1),
  parentId: Id.nullable(),
  /** Ids from the root to this unit, e.g. `/city/331003/st-1/cm-2`. */
  path: z.string().startsWith('/'),
  /** Administrative division code, unified social credit code, etc., when the kind has one. */
  code: z.string().optional(),
  term: z.object({ start: Day, end: Day }).optional(),
  effectiveFrom: Day,
});

export const OrgCreated = defineEvent(`${PREFIX}.org.created.v1`, OrgState);
export const OrgChanged = defineEvent(
  `${PREFIX}.org.changed.v1`,
  OrgState.extend({ changed: z.array(z.string()).min(1) }),
);
export const OrgClosed = defineEvent(
  `${PREFIX}.org.closed.v1`,
  z.object({ orgId: Id, county: CountyCode, kind: OrgKind, path: z.string(), closedOn: Day }),
);

const ContractState = z.object({
  contractId: Id,
  county: CountyCode,
  firmId: Id,
  compoundId: Id,
  validFrom: Day,
  validTo: Day.nullable(),
});
export const ContractStarted = defineEvent(`${PREFIX}.contract.started.v1`, ContractState);
export const ContractEnded = defineEvent(
  `${PREFIX}.contract.ended.v1`,
  ContractState.extend({ endedOn: Day }),
);

const PairingState = z.object({
  pairingId: Id,
  county: CountyCode,
  /** The agency party organisation (or agency unit) on one side. */
  agencyOrgId: Id,
  /** The agency unit it belongs to: members' work units are matched against this. */
  agencyUnitId: Id.nullable(),
  /** The community or compound on the other side. */
  targetId: Id,
  targetKind: z.enum(['community', 'compound']),
  validFrom: Day,
  validTo: Day.nullable(),
  needs: z.array(z.string()),
  resources: z.array(z.string()),
  projects: z.array(z.string()),
  /**
   * The level of the administrator who recorded it. Only the city links an agency of one county
   * with a community of another (org-registry README, Cross-county links), so a consumer honours a
   * cross-county pairing only when this says `city`; absent on events recorded before it existed.
   */
  creatorLevel: z.enum(['city', 'county', 'community']).optional(),
});
export const PairingCreated = defineEvent(`${PREFIX}.pairing.created.v1`, PairingState);
export const PairingEnded = defineEvent(`${PREFIX}.pairing.ended.v1`, PairingState.extend({ endedOn: Day }));

/** A member as other services may know them: no ID number, no phone (PIPL). */
const MemberState = z.object({
  memberId: Id,
  county: CountyCode,
  name: z.string().min(1),
  category: MemberCategory,
  status: z.enum(['active', 'inactive']),
  partyOrgId: Id,
  workUnitId: Id.nullable(),
  residenceCompoundId: Id.nullable(),
  residenceBuildingId: Id.nullable(),
  /** Community of the residence compound at the time of the event. */
  residenceCommunityId: Id.nullable(),
  effectiveFrom: Day,
});
export const MemberRegistered = defineEvent(`${PREFIX}.member.registered.v1`, MemberState);
export const MemberChanged = defineEvent(
  `${PREFIX}.member.changed.v1`,
  MemberState.extend({ changed: z.array(z.string()).min(1) }),
);
export const MemberTransferred = defineEvent(
  `${PREFIX}.member.transferred.v1`,
  MemberState.extend({ fromPartyOrgId: Id }),
);

export type OrgCreatedData = z.infer<typeof OrgCreated.data>;
export type OrgChangedData = z.infer<typeof OrgChanged.data>;
export type OrgClosedData = z.infer<typeof OrgClosed.data>;
export type ContractStartedData = z.infer<typeof ContractStarted.data>;
export type ContractEndedData = z.infer<typeof ContractEnded.data>;
export type PairingCreatedData = z.infer<typeof PairingCreated.data>;
export type PairingEndedData = z.infer<typeof PairingEnded.data>;
export type MemberEventData = z.infer<typeof MemberRegistered.data>;
export type MemberChangedData = z.infer<typeof MemberChanged.data>;
export type MemberTransferredData = z.infer<typeof MemberTransferred.data>;
