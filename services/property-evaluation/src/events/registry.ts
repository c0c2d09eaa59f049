import {
  ContractEnded,
  ContractStarted,
  OrgChanged,
  OrgClosed,
  OrgCreated,
  type TypedEvent,
} from '@honglian/contracts';
import { eventHandlers, on, type EventHandlers, type IdempotentContext } from '@honglian/messaging';
import type { ClientSession } from 'mongoose';
import type { ContractRm, OrgRm } from '../data/models.js';
import type { ReadModel } from '../data/read-model.js';

type Applied = 'applied' | 'ignored';

/**
 * Builds the read model (orgs with their paths and credit codes: firms, compounds and the tree
 * above them; contracts) from the org registry's events alone. Each handler is a state update keyed
 * by the aggregate id and guarded by (effectiveFrom, event time): a duplicate or an older event
 * changes nothing, so the read model can be rebuilt by replaying the topic. Delivery-level
 * duplicates are also skipped by event id (`idempotent`, which the kit wraps the consumer in).
 * Members and pairings are not needed here: ignored.
 */
export function registryHandlers(readModel: ReadModel): EventHandlers<IdempotentContext> {
  return eventHandlers([
    on([OrgCreated, OrgChanged], (event, { session }) => applyOrg(readModel, event, session)),
    on(OrgClosed, async (event, { session }) =>
      (await readModel.closeOrg(event.data.orgId, event.data.closedOn, session)) ? 'applied' : 'ignored',
    ),
    on(ContractStarted, async (event, { session }) => {
      const d = event.data;
      const current = await readModel.contract(d.contractId, session);
      // An end that arrived already (replay) stays.
      await readModel.putContract(
        contractOf(
          d,
          current?.endedOn
            ? { validTo: current.validTo, endedOn: current.endedOn }
            : { validTo: d.validTo, endedOn: null },
        ),
        session,
      );
      return 'applied' as const;
    }),
    on(ContractEnded, async (event, { session }) => {
      const d = event.data;
      await readModel.putContract(contractOf(d, { validTo: d.endedOn, endedOn: d.endedOn }), session);
      return 'applied' as const;
    }),
  ]);
}

function contractOf(
  d: TypedEvent<typeof ContractStarted>['data'],
  end: Pick<ContractRm, 'validTo' | 'endedOn'>,
): ContractRm {
  return {
    _id: d.contractId,
    county: d.county,
    firmId: d.firmId,
    compoundId: d.compoundId,
    validFrom: d.validFrom,
    ...end,
  };
}

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
    code: d.code ?? null,
    closedOn: null,
    effectiveFrom: d.effectiveFrom,
    eventTime: event.time,
  };
  const current = await readModel.org(d.orgId, session);
  if (current && !newer(next, current)) return 'ignored';
  await readModel.putOrg({ ...next, closedOn: current?.closedOn ?? null }, session);
  return 'applied';
}

function newer(
  next: { effectiveFrom: string; eventTime: string },
  current: { effectiveFrom: string; eventTime: string },
) {
  if (next.effectiveFrom !== current.effectiveFrom) return next.effectiveFrom > current.effectiveFrom;
  return Date.parse(next.eventTime) >= Date.parse(current.eventTime);
}
