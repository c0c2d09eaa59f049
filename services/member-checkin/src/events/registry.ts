import {
  MemberChanged,
  MemberRegistered,
  MemberTransferred,
  OrgChanged,
  OrgClosed,
  OrgCreated,
  PairingCreated,
  PairingEnded,
  type CloudEvent,
  type MemberEventData,
  type OrgClosedData,
  type OrgCreatedData,
  type PairingCreatedData,
  type PairingEndedData,
} from '@honglian/contracts';
import type { ClientSession } from 'mongoose';
import type { CheckinModels, MemberRm, OrgRm } from '../data/models.js';

/**
 * Builds the read model (orgs, members, pairings) from the org registry's
 * events alone. Each handler is a pure state update keyed by the aggregate
 * id and guarded by (effectiveFrom, event time): a duplicate or an older
 * event changes nothing, so the read model can be rebuilt by replaying the
 * topic from the beginning. Delivery-level duplicates are also skipped by
 * `idempotent` (processed event ids).
 */
export async function applyRegistryEvent(
  models: CheckinModels,
  event: CloudEvent,
  session: ClientSession,
): Promise<'applied' | 'ignored'> {
  switch (event.type) {
    case OrgCreated.type:
    case OrgChanged.type: {
      const d = event.data as OrgCreatedData;
      const next: OrgRm = {
        _id: d.orgId,
        county: d.county,
        kind: d.kind,
        name: d.name,
        parentId: d.parentId,
        path: d.path,
        closedOn: null,
        effectiveFrom: d.effectiveFrom,
        eventTime: event.time,
      };
      const current = await models.Org.findById(d.orgId).session(session).lean<OrgRm>();
      if (current && !newer(next, current)) return 'ignored';
      await models.Org.replaceOne(
        { _id: d.orgId },
        { ...next, closedOn: current?.closedOn ?? null },
        { upsert: true, session },
      );
      return 'applied';
    }
    case OrgClosed.type: {
      const d = event.data as OrgClosedData;
      const res = await models.Org.updateOne(
        { _id: d.orgId },
        { $set: { closedOn: d.closedOn } },
        { session },
      );
      return res.matchedCount > 0 ? 'applied' : 'ignored';
    }
    case MemberRegistered.type:
    case MemberChanged.type:
    case MemberTransferred.type: {
      const d = event.data as MemberEventData;
      const next: MemberRm = {
        _id: d.memberId,
        county: d.county,
        name: d.name,
        category: d.category,
        status: d.status,
        partyOrgId: d.partyOrgId,
        workUnitId: d.workUnitId,
        residenceCompoundId: d.residenceCompoundId,
        residenceBuildingId: d.residenceBuildingId,
        residenceCommunityId: d.residenceCommunityId,
        effectiveFrom: d.effectiveFrom,
        eventTime: event.time,
      };
      const current = await models.Member.findById(d.memberId).session(session).lean<MemberRm>();
      if (current && !newer(next, current)) return 'ignored';
      await models.Member.replaceOne({ _id: d.memberId }, next, { upsert: true, session });
      return 'applied';
    }
    case PairingCreated.type: {
      const d = event.data as PairingCreatedData;
      const current = await models.Pairing.findById(d.pairingId).session(session).lean();
      await models.Pairing.replaceOne(
        { _id: d.pairingId },
        {
          _id: d.pairingId,
          county: d.county,
          agencyOrgId: d.agencyOrgId,
          agencyUnitId: d.agencyUnitId,
          targetId: d.targetId,
          targetKind: d.targetKind,
          validFrom: d.validFrom,
          // An end that arrived already (replay) stays.
          validTo: current?.endedOn ? current.validTo : d.validTo,
          endedOn: current?.endedOn ?? null,
        },
        { upsert: true, session },
      );
      return 'applied';
    }
    case PairingEnded.type: {
      const d = event.data as PairingEndedData;
      await models.Pairing.replaceOne(
        { _id: d.pairingId },
        {
          _id: d.pairingId,
          county: d.county,
          agencyOrgId: d.agencyOrgId,
          agencyUnitId: d.agencyUnitId,
          targetId: d.targetId,
          targetKind: d.targetKind,
          validFrom: d.validFrom,
          validTo: d.endedOn,
          endedOn: d.endedOn,
        },
        { upsert: true, session },
      );
      return 'applied';
    }
    default:
      // Contracts and other registry facts are not needed here.
      return 'ignored';
  }
}

function newer(
  next: { effectiveFrom: string; eventTime: string },
  current: { effectiveFrom: string; eventTime: string },
) {
  if (next.effectiveFrom !== current.effectiveFrom) return next.effectiveFrom > current.effectiveFrom;
  return Date.parse(next.eventTime) >= Date.parse(current.eventTime);
}
