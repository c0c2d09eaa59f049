import {
  ContractEnded,
  ContractStarted,
  MemberChanged,
  MemberRegistered,
  MemberTransferred,
  OrgChanged,
  OrgClosed,
  OrgCreated,
} from '@honglian/contracts';
import { eventHandlers, on, type EventHandlers, type IdempotentContext } from '@honglian/messaging';
import type { Projector } from '../app/projector.js';
import { FACT_EVENTS } from '../domain/facts.js';

/**
 * The consumers of the projections: the registry's tree, members and contracts; check-in's
 * attendance, reports, 报而不到 flags, calls and activities; points and orders; published
 * evaluation results. Each event is kept in the log and applied (app/projector.ts); the kit's
 * `idempotent` skips redeliveries, and the projector's keys make replays change nothing.
 */
export function projectionHandlers(projector: Projector): EventHandlers<IdempotentContext> {
  return eventHandlers([
    on(
      [
        OrgCreated,
        OrgChanged,
        OrgClosed,
        MemberRegistered,
        MemberChanged,
        MemberTransferred,
        ContractStarted,
        ContractEnded,
      ],
      (event, { session }) => projector.consume(event, session),
    ),
    on(FACT_EVENTS, (event, { session }) => projector.consume(event, session)),
  ]);
}
