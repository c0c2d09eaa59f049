import {
  AttendanceRecorded,
  MemberChanged,
  MemberRegistered,
  MemberTransferred,
  OrderStateChanged,
  OrgChanged,
  OrgClosed,
  OrgCreated,
  PairingCreated,
  PairingEnded,
  type EventData,
} from '@honglian/contracts';
import { eventHandlers, on, type EventHandlers, type IdempotentContext } from '@honglian/messaging';
import type { OrderService } from '../app/orders.js';
import type { RecordService } from '../app/records.js';
import type { ReadModel } from '../data/read-model.js';
import type { PairingRm } from '../data/types.js';

/**
 * Orgs, members and pairings from the org registry's events (names, paths,
 * counties for scoping; pairings for who may claim a micro-wish). Each handler
 * is a state update keyed by the aggregate id and guarded by the event time,
 * so an older or a repeated event changes nothing; the kit's `idempotent`
 * skips repeated deliveries besides. A pairing is kept as its event states it
 * (the registry has no pairing-changed event: created, then possibly ended);
 * an end is final, so a created event arriving after it (replay, reordering)
 * does not reopen it. Whether a pairing counts is decided where it is read
 * (ReadModel.pairsUnitWith, domain/pairings.ts).
 */
export function registryHandlers(readModel: ReadModel): EventHandlers<IdempotentContext> {
  const newer = (current: { eventTime: string } | null, time: string) =>
    !current || Date.parse(time) >= Date.parse(current.eventTime);
  return eventHandlers([
    on([OrgCreated, OrgChanged], async (event, { session }) => {
      const d = event.data;
      const current = await readModel.org(d.orgId, session);
      if (!newer(current, event.time)) return;
      await readModel.putOrg(
        {
          _id: d.orgId,
          county: d.county,
          kind: d.kind,
          name: d.name,
          parentId: d.parentId,
          path: d.path,
          closedOn: current?.closedOn ?? null,
          eventTime: event.time,
        },
        session,
      );
    }),
    on(OrgClosed, async (event, { session }) => {
      await readModel.closeOrg(event.data.orgId, event.data.closedOn, session);
    }),
    on(PairingCreated, async (event, { session }) => {
      const d = event.data;
      const current = await readModel.pairing(d.pairingId, session);
      if (current?.endedOn || !newer(current, event.time)) return;
      await readModel.putPairing(pairingOf(d, { validTo: d.validTo, endedOn: null }, event.time), session);
    }),
    on(PairingEnded, async (event, { session }) => {
      const d = event.data;
      const current = await readModel.pairing(d.pairingId, session);
      if (current?.endedOn && !newer(current, event.time)) return;
      const end = { validTo: d.endedOn, endedOn: d.endedOn };
      await readModel.putPairing(
        pairingOf(
          { ...d, creatorLevel: d.creatorLevel ?? current?.creatorLevel ?? undefined },
          end,
          event.time,
        ),
        session,
      );
    }),
    on([MemberRegistered, MemberChanged, MemberTransferred], async (event, { session }) => {
      const d = event.data;
      if (!newer(await readModel.member(d.memberId, session), event.time)) return;
      await readModel.putMember(
        {
          _id: d.memberId,
          county: d.county,
          name: d.name,
          residenceCommunityId: d.residenceCommunityId,
          eventTime: event.time,
        },
        session,
      );
    }),
  ]);
}

/** The read model's pairing from an event's state, with the end as the caller decides it. */
function pairingOf(
  d: EventData<typeof PairingCreated>,
  end: Pick<PairingRm, 'validTo' | 'endedOn'>,
  eventTime: string,
): PairingRm {
  return {
    _id: d.pairingId,
    county: d.county,
    agencyOrgId: d.agencyOrgId,
    agencyUnitId: d.agencyUnitId,
    targetId: d.targetId,
    targetKind: d.targetKind,
    validFrom: d.validFrom,
    creatorLevel: d.creatorLevel ?? null,
    ...end,
    eventTime,
  };
}

/**
 * `attendance.recorded` from member check-in becomes a service record and
 * points. Once per attendance: the record's unique source index and the
 * entry id derived from the attendance hold even when the event arrives
 * again under another id.
 */
export function checkinHandlers(records: RecordService): EventHandlers<IdempotentContext> {
  return eventHandlers([
    on(AttendanceRecorded, async (event, { session, outbox }) => {
      await records.fromAttendance(event.data, session, outbox);
    }),
  ]);
}

/** This service's own order steps: points when an order is done, the bonus for a 5/5 rating. */
export function orderHandlers(orders: OrderService): EventHandlers<IdempotentContext> {
  return eventHandlers([
    on(OrderStateChanged, async (event, { session, outbox }) => {
      await orders.onStateChanged(event.data, session, outbox);
    }),
  ]);
}
