import { ContractEnded, ContractStarted, PairingCreated, PairingEnded } from '@honglian/contracts';
import {
  accept,
  draftEvent,
  refuse,
  type Decision,
  type EventDraft,
  type Refusal,
} from '@honglian/service-kit/domain';
import type { CreateAppointment, CreateContract, CreatePairing } from './commands.js';
import { overlaps, type Period } from './effective.js';
import type { Stamp } from './orgs.js';
import type { MemberDoc, RelationDoc } from './records.js';
import { isRefused, type FoundOrg, type RefSpec } from './references.js';

/**
 * The ids each relation names, and how far each may reach (README, Cross-county links). The side
 * that files the relation (its `path`) is `placed`; the other side of a link is `linked`.
 */
export const RELATION_REFS = {
  firm: {
    field: 'firmId',
    label: { zh: '物业企业', en: 'property firm' },
    kinds: ['property-firm'],
    reach: 'city',
  },
  compound: { field: 'compoundId', label: { zh: '小区', en: 'compound' }, kinds: ['compound'] },
  agency: {
    field: 'agencyOrgId',
    label: { zh: '单位党组织', en: 'agency party organisation' },
    kinds: ['agency-party-organisation', 'agency-unit'],
    reach: 'linked',
  },
  target: {
    field: 'targetId',
    label: { zh: '结对社区或小区', en: 'community or compound' },
    kinds: ['community', 'compound'],
  },
  allianceMember: {
    field: 'memberOrgId',
    label: { zh: '成员单位', en: 'member organisation' },
    reach: 'linked',
  },
  appointmentOrg: { field: 'orgId', label: { zh: '组织', en: 'organisation' } },
  member: { field: 'memberId', label: { zh: '党员', en: 'member' } },
} as const satisfies Record<string, RefSpec>;

export type RelationType = RelationDoc['type'];
type Level = 'city' | 'county' | 'community';
type Created = Decision<{ doc: RelationDoc }>;

const base = (stamp: Stamp) => ({ endedOn: null, recordedAt: stamp.now, recordedBy: stamp.actor });

export function numberTaken(id: string): Refusal {
  return refuse.conflict(
    { zh: `编号${id}已被使用`, en: `number ${id} is already in use` },
    { field: 'id', extras: { id } },
  );
}

export function contractData(doc: RelationDoc) {
  return {
    contractId: doc._id,
    county: doc.county,
    firmId: doc.fromId,
    compoundId: doc.toId,
    validFrom: doc.validFrom,
    validTo: doc.validTo,
  };
}

export function pairingData(doc: RelationDoc) {
  return {
    pairingId: doc._id,
    county: doc.county,
    agencyOrgId: doc.fromId,
    agencyUnitId: doc.agencyUnitId ?? null,
    targetId: doc.toId,
    targetKind: doc.targetKind as 'community' | 'compound',
    validFrom: doc.validFrom,
    validTo: doc.validTo,
    needs: doc.needs ?? [],
    resources: doc.resources ?? [],
    projects: doc.projects ?? [],
    ...(doc.creatorLevel ? { creatorLevel: doc.creatorLevel } : {}),
  };
}

/** A service contract: a compound has at most one in force on any day. */
export function decideContract(
  cmd: CreateContract & { id: string },
  state: {
    compound: FoundOrg | Refusal;
    firm: FoundOrg | Refusal;
    idTaken: boolean;
    contracts: RelationDoc[];
  },
  stamp: Stamp,
): Created {
  if (isRefused(state.compound)) return state.compound;
  if (isRefused(state.firm)) return state.firm;
  if (state.idTaken) return numberTaken(cmd.id);
  const clash = state.contracts.find((c) => overlaps(c, cmd));
  if (clash) {
    return refuse.conflict(
      { zh: '该小区在此期间已有物业服务合同', en: 'overlapping contract' },
      { field: 'compoundId', extras: { conflictingContract: clash._id } },
    );
  }
  const doc: RelationDoc = {
    _id: cmd.id,
    county: state.compound.doc.county,
    type: 'contract',
    fromId: cmd.firmId,
    toId: cmd.compoundId,
    path: state.compound.version.path,
    validFrom: cmd.validFrom,
    validTo: cmd.validTo,
    ...base(stamp),
  };
  return accept({ doc }, [
    draftEvent(ContractStarted, { subject: doc._id, county: doc.county, data: contractData(doc) }),
  ]);
}

/** A pairing (结对共建) of an agency party organisation with a community or compound. */
export function decidePairing(
  cmd: CreatePairing & { id: string },
  state: { target: FoundOrg | Refusal; agency: FoundOrg | Refusal; idTaken: boolean; same: RelationDoc[] },
  level: Level,
  stamp: Stamp,
): Created {
  if (isRefused(state.target)) return state.target;
  if (isRefused(state.agency)) return state.agency;
  if (state.idTaken) return numberTaken(cmd.id);
  const { target, agency } = state;
  if (state.same.some((p) => overlaps(p, cmd))) {
    return refuse.conflict(
      { zh: '该单位党组织在此期间已与该对象结对', en: 'already paired in that period' },
      { field: 'targetId' },
    );
  }
  const doc: RelationDoc = {
    _id: cmd.id,
    county: target.doc.county,
    type: 'pairing',
    fromId: cmd.agencyOrgId,
    toId: cmd.targetId,
    path: target.version.path,
    validFrom: cmd.validFrom,
    validTo: cmd.validTo,
    agencyUnitId: agency.doc.kind === 'agency-unit' ? agency.doc._id : agency.version.parentId,
    targetKind: target.doc.kind,
    needs: cmd.needs,
    resources: cmd.resources,
    projects: cmd.projects,
    creatorLevel: level,
    ...base(stamp),
  };
  return accept({ doc }, [
    draftEvent(PairingCreated, { subject: doc._id, county: doc.county, data: pairingData(doc) }),
  ]);
}

/** A member organisation joins an alliance (the alliance the URL names: out of scope is 404). */
export function decideJoinAlliance(
  ids: { id: string; allianceId: string; memberOrgId: string },
  period: Period,
  state: { alliance: FoundOrg | null; member: FoundOrg | Refusal; memberships: RelationDoc[] },
  stamp: Stamp,
): Created {
  const { alliance } = state;
  if (!alliance) return refuse.notFound();
  if (isRefused(state.member)) return state.member;
  if (state.memberships.some((m) => overlaps(m, period))) {
    return refuse.conflict(
      '该单位在此期间已是联盟成员',
      `${ids.memberOrgId} is already in alliance ${ids.allianceId} then.`,
    );
  }
  const doc: RelationDoc = {
    _id: ids.id,
    county: alliance.doc.county,
    type: 'alliance-membership',
    fromId: ids.allianceId,
    toId: ids.memberOrgId,
    path: alliance.version.path,
    validFrom: period.validFrom,
    validTo: period.validTo,
    ...base(stamp),
  };
  return accept({ doc });
}

/** A member holds a post in an organisation over a period. */
export function decideAppointment(
  cmd: CreateAppointment & { id: string },
  state: { org: FoundOrg | Refusal; member: MemberDoc | Refusal; same: RelationDoc[] },
  stamp: Stamp,
): Created {
  if (isRefused(state.org)) return state.org;
  if (isRefused(state.member)) return state.member;
  if (state.same.some((a) => overlaps(a, cmd))) {
    return refuse.conflict(
      '该党员在此期间已担任该职务',
      `${cmd.memberId} already holds ${cmd.post} at ${cmd.orgId} then.`,
    );
  }
  const doc: RelationDoc = {
    _id: cmd.id,
    county: state.org.doc.county,
    type: 'appointment',
    fromId: cmd.memberId,
    toId: cmd.orgId,
    path: state.org.version.path,
    validFrom: cmd.validFrom,
    validTo: cmd.validTo,
    post: cmd.post,
    ...base(stamp),
  };
  return accept({ doc });
}

/** Ends a relation on a day (it is never deleted): contracts and pairings say so on the bus. */
export function decideEnd(type: RelationType, id: string, endedOn: string, doc: RelationDoc | null): Created {
  if (!doc) return refuse.notFound();
  if (doc.endedOn) return refuse.conflict('已结束', `${type} ${id} already ended on ${doc.endedOn}.`);
  if (endedOn <= doc.validFrom || (doc.validTo !== null && endedOn > doc.validTo)) {
    return refuse.invalid(
      '结束日期须在有效期内',
      `endedOn must fall after ${doc.validFrom}${doc.validTo ? ` and not after ${doc.validTo}` : ''}`,
    );
  }
  const ended: RelationDoc = { ...doc, validTo: endedOn, endedOn };
  const events: EventDraft[] =
    type === 'contract'
      ? [
          draftEvent(ContractEnded, {
            subject: id,
            county: doc.county,
            data: { ...contractData(ended), endedOn },
          }),
        ]
      : type === 'pairing'
        ? [
            draftEvent(PairingEnded, {
              subject: id,
              county: doc.county,
              data: { ...pairingData(ended), endedOn },
            }),
          ]
        : [];
  return accept({ doc: ended }, events);
}
