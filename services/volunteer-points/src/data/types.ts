import type { YearEndPolicy } from '../domain/ledger.js';
import type { PairingFacts } from '../domain/pairings.js';
export type { RuleVersion } from '../domain/rules.js';

/** An org unit as the registry's latest event states it. */
export interface OrgRm {
  _id: string;
  county: string;
  kind: string;
  name: string;
  parentId: string | null;
  path: string;
  closedOn: string | null;
  eventTime: string;
}

/** A member as the registry's latest event states it (name for records and certificates). */
export interface MemberRm {
  _id: string;
  county: string;
  name: string;
  residenceCommunityId: string | null;
  eventTime: string;
}

/**
 * A pairing (结对共建) as the registry's events state it, under the county the event names;
 * `validTo` is the `endedOn` of an ended one. Whether it counts is decided where it is read
 * (domain/pairings.ts).
 */
export interface PairingRm extends PairingFacts {
  _id: string;
  endedOn: string | null;
  /** Time of the event that stated what is held (newer state wins). */
  eventTime: string;
}

/** A star level a member reached: `<memberId>:<level>`, written once. */
export interface StarDoc {
  _id: string;
  memberId: string;
  county: string;
  level: number;
  hours: number;
  at: Date;
}

/** A community's year-end setting (clearing or carry-over). */
export interface YearEndSetting {
  _id: string;
  county: string;
  communityPath: string;
  yearEnd: YearEndPolicy;
  updatedAt: Date;
  updatedBy: string;
}

export interface CounterDoc {
  _id: string;
  n: number;
}
