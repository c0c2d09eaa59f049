import {
  ActivityChanged,
  ActivityPublished,
  ContractEnded,
  ContractStarted,
  MemberChanged,
  MemberRegistered,
  MemberTransferred,
  OrgChanged,
  OrgClosed,
  OrgCreated,
  type ContractEndedData,
  type MemberEventData,
  type OrgClosedData,
  type OrgCreatedData,
} from '@honglian/contracts';
import type { ClientSession } from 'mongoose';
import { FACT_EVENTS, factsOf, type FactEvent } from '../domain/facts.js';
import type { AssessmentContext } from './context.js';

/** An event as the consumer hands it over or the log keeps it (data parsed by its contract). */
export interface Consumed {
  id: string;
  type: string;
  time: string;
  subject: string;
  data: unknown;
}

const FACT_TYPES = new Set<string>(FACT_EVENTS.map((e) => e.type));

/**
 * The projections from other services' events: every event kept in the log (once per id), then
 * applied: facts by natural key, the registry's tree, members and contracts guarded by
 * (effectiveFrom, event time). Duplicates and out-of-order events change nothing; `rebuild`
 * replays the log from scratch into the same state.
 */
export class Projector {
  constructor(private readonly ctx: AssessmentContext) {}

  async consume(e: Consumed, session?: ClientSession): Promise<void> {
    const fresh = await this.ctx.data.projections.log(
      { _id: e.id, type: e.type, time: e.time, subject: e.subject, data: e.data },
      session,
    );
    if (fresh) await this.apply(e, session);
  }

  async apply(e: Consumed, session?: ClientSession): Promise<void> {
    const p = this.ctx.data.projections;
    if (FACT_TYPES.has(e.type)) {
      await p.putFacts(factsOf(e as unknown as FactEvent), session);
      // An activity counts where it starts: its latest change's start, whichever came first.
      if (e.type === ActivityPublished.type || e.type === ActivityChanged.type)
        await p.placeActivity((e.data as { activityId: string }).activityId, session);
      return;
    }
    switch (e.type) {
      case OrgCreated.type:
      case OrgChanged.type: {
        const d = e.data as OrgCreatedData;
        return p.putOrg(
          {
            _id: d.orgId,
            county: d.county,
            kind: d.kind,
            name: d.name,
            parentId: d.parentId,
            path: d.path,
            closedOn: null,
            effectiveFrom: d.effectiveFrom,
            eventTime: e.time,
          },
          session,
        );
      }
      case OrgClosed.type: {
        const d = e.data as OrgClosedData;
        return p.closeOrg(
          { orgId: d.orgId, county: d.county, kind: d.kind, path: d.path, closedOn: d.closedOn },
          session,
        );
      }
      case MemberRegistered.type:
      case MemberChanged.type:
      case MemberTransferred.type: {
        const d = e.data as MemberEventData;
        return p.putMember(
          {
            _id: d.memberId,
            county: d.county,
            name: d.name,
            status: d.status,
            partyOrgId: d.partyOrgId,
            residenceCompoundId: d.residenceCompoundId,
            residenceCommunityId: d.residenceCommunityId,
            effectiveFrom: d.effectiveFrom,
            eventTime: e.time,
          },
          session,
        );
      }
      case ContractStarted.type:
      case ContractEnded.type: {
        const d = e.data as ContractEndedData;
        const ended = e.type === ContractEnded.type;
        return p.putContract(
          {
            _id: d.contractId,
            county: d.county,
            firmId: d.firmId,
            compoundId: d.compoundId,
            validFrom: d.validFrom,
            validTo: ended ? d.endedOn : d.validTo,
          },
          ended,
          session,
        );
      }
      default:
        return;
    }
  }

  /** Drops the projections and replays the log; returns how many events were replayed. */
  async rebuild(): Promise<{ events: number }> {
    const p = this.ctx.data.projections;
    await p.clear();
    let events = 0;
    for await (const batch of p.logBatches()) {
      for (const e of batch) await this.apply({ ...e, id: e._id });
      events += batch.length;
    }
    return { events };
  }
}
