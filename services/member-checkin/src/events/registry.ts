import {
  MemberChanged,
  MemberRegistered,
  MemberTransferred,
  OrgChanged,
  OrgClosed,
  OrgCreated,
  PairingCreated,
  PairingEnded,
  type TypedEvent,
} from '@honglian/contracts';
import { eventHandlers, on, type EventHandlers, type IdempotentContext } from '@honglian/messaging';
import type { ClientSession } from 'mongoose';
import type { RegistrySync } from '../app/registry-sync.js';
import type { MemberRm, OrgRm, PairingRm } from '../data/models.js';
import type { ReadModel } from '../data/read-model.js';

/**
 * Builds the read model (orgs, members, pairings) from the org registry's
 * events alone. Each handler is a pure state update keyed by the aggregate
 * id and guarded by (effectiveFrom, event time): a duplicate or an older
 * event changes nothing, so the read model can be rebuilt by replaying the
 * topic from the beginning. Delivery-level duplicates are also skipped by
 * `idempotent` (processed event ids, the kit wraps the consumer in it).
 * A pairing is kept as its event states it, under the county the event
 * names (for a city-made cross-county pairing, the target community's), so
 * a member of the agency's county is tied to the other county's community.
 * Whether a pairing counts at all is decided where it is read
 * (ReadModel.honoured, data/read-model.ts): one across counties only when the city recorded it.
 * Contracts and the other registry facts are not needed here: no route, ignored.
 *
 * The registry's changes then flow to the reports (`sync`, app/registry-sync.ts), in the same
 * transaction: a member's change or transfer that the read model applied ends the open reports
 * it no longer supports as of its `effectiveFrom`; an ended pairing the work reports resting on
 * it as of `endedOn`; a closed community its reports as of `closedOn`. Only open reports end, so
 * a duplicate or replayed event ends nothing more, and an older event the read model ignores
 * ends nothing.
 */
export function registryHandlers(
  readModel: ReadModel,
  sync?: RegistrySync,
): EventHandlers<IdempotentContext> {
  return eventHandlers([
    on([OrgCreated, OrgChanged], (event, { session }) => applyOrg(readModel, event, session)),
    on(OrgClosed, async (event, { session, outbox }) => {
      const applied = await closeOrg(readModel, event, session);
      if (sync && event.data.kind === 'community')
        await sync.communityClosed(event.data.orgId, event.data.closedOn, session, outbox);
      return applied;
    }),
    on([MemberRegistered, MemberChanged, MemberTransferred], async (event, { session, outbox }) => {
      const applied = await applyMember(readModel, event, session);
      if (sync && applied) {
        const transferred = event.type === MemberTransferred.type;
        await sync.memberChanged(applied, event.data.effectiveFrom, { transferred }, session, outbox);
      }
      return applied ? 'applied' : 'ignored';
    }),
    on(PairingCreated, (event, { session }) => startPairing(readModel, event, session)),
    on(PairingEnded, async (event, { session, outbox }) => {
      const applied = await endPairing(readModel, event, session);
      if (sync) await sync.pairingEnded(event.data.pairingId, event.data.endedOn, session, outbox);
      return applied;
    }),
  ]);
}

type Applied = 'applied' | 'ignored';

async function applyOrg(
  readModel: ReadModel,
  event: TypedEvent<typeof OrgCreated | typeof OrgChanged>,
  session: ClientSession,
): Promise<Applied> {
  const d = event.data;
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
  const current = await readModel.org(d.orgId, session);
  if (current && !newer(next, current)) return 'ignored';
  await readModel.putOrg({ ...next, closedOn: current?.closedOn ?? null }, session);
  return 'applied';
}

async function closeOrg(
  readModel: ReadModel,
  event: TypedEvent<typeof OrgClosed>,
  session: ClientSession,
): Promise<Applied> {
  const d = event.data;
  return (await readModel.closeOrg(d.orgId, d.closedOn, session)) ? 'applied' : 'ignored';
}

/** The member's state now held, or null when the event was older than it (ignored). */
async function applyMember(
  readModel: ReadModel,
  event: TypedEvent<typeof MemberRegistered | typeof MemberChanged | typeof MemberTransferred>,
  session: ClientSession,
): Promise<MemberRm | null> {
  const d = event.data;
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
  const current = await readModel.member(d.memberId, session);
  if (current && !newer(next, current)) return null;
  await readModel.putMember(next, session);
  return next;
}

/** The read model's pairing from an event's state; the end fields as the caller decides them. */
function pairingOf(
  d: TypedEvent<typeof PairingCreated>['data'],
  end: Pick<PairingRm, 'validTo' | 'endedOn' | 'creatorLevel'>,
): PairingRm {
  return {
    _id: d.pairingId,
    county: d.county,
    agencyOrgId: d.agencyOrgId,
    agencyUnitId: d.agencyUnitId,
    targetId: d.targetId,
    targetKind: d.targetKind,
    validFrom: d.validFrom,
    ...end,
  };
}

async function startPairing(
  readModel: ReadModel,
  event: TypedEvent<typeof PairingCreated>,
  session: ClientSession,
): Promise<Applied> {
  const d = event.data;
  const current = await readModel.pairing(d.pairingId, session);
  const next = pairingOf(d, {
    // An end that arrived already (replay) stays.
    validTo: current?.endedOn ? current.validTo : d.validTo,
    endedOn: current?.endedOn ?? null,
    creatorLevel: d.creatorLevel ?? null,
  });
  await readModel.putPairing(next, session);
  return 'applied';
}

async function endPairing(
  readModel: ReadModel,
  event: TypedEvent<typeof PairingEnded>,
  session: ClientSession,
): Promise<Applied> {
  const d = event.data;
  const current = await readModel.pairing(d.pairingId, session);
  const next = pairingOf(d, {
    validTo: d.endedOn,
    endedOn: d.endedOn,
    creatorLevel: d.creatorLevel ?? current?.creatorLevel ?? null,
  });
  await readModel.putPairing(next, session);
  return 'applied';
}

function newer(
  next: { effectiveFrom: string; eventTime: string },
  current: { effectiveFrom: string; eventTime: string },
) {
  if (next.effectiveFrom !== current.effectiveFrom) return next.effectiveFrom > current.effectiveFrom;
  return Date.parse(next.eventTime) >= Date.parse(current.eventTime);
}
