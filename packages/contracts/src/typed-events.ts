import type { z } from 'zod';
import type { CloudEvent } from './cloudevent.js';
import type { EventDefinition } from './events.js';

/** The data of an event as a consumer gets it (parsed by the contract's schema). */
export type EventData<E extends EventDefinition> = z.output<E['data']>;

/** The data a producer writes for an event (before the schema's defaults and transforms). */
export type EventInput<E extends EventDefinition> = z.input<E['data']>;

/**
 * A CloudEvent of a known contract: `type` is the literal type and `data` the contract's data,
 * so a union of them narrows on `event.type`. Distributes over unions of definitions.
 */
export type TypedEvent<E extends EventDefinition> = E extends EventDefinition
  ? Omit<CloudEvent<EventData<E>>, 'type'> & { type: E['type'] }
  : never;

/**
 * An event a decision asks to emit: the contract and the facts. The envelope (id, time,
 * source) and the topic are filled in when it is saved (messaging's `emitAll`), so pure
 * domain code can return events without a clock or an outbox.
 */
export interface EventDraft<E extends EventDefinition = EventDefinition> {
  readonly event: E;
  /** Aggregate id: the CloudEvents subject and the message key. */
  readonly subject: string;
  readonly county?: string;
  readonly data: EventInput<E>;
}

export function draftEvent<E extends EventDefinition>(
  event: E,
  init: { subject: string; county?: string; data: EventInput<E> },
): EventDraft<E> {
  return {
    event,
    subject: init.subject,
    ...(init.county !== undefined ? { county: init.county } : {}),
    data: init.data,
  };
}

const SERVICE_OF_TYPE = /^honglian\.([a-z][a-z-]*)\./;

/** The service segment of an event type: `honglian.<service>.<fact>.v<n>` → `<service>`. */
export function serviceOfEventType(type: string): string {
  const service = SERVICE_OF_TYPE.exec(type)?.[1];
  if (!service) throw new TypeError(`${type} is not a Honglian event type (honglian.<service>.<fact>.v<n>)`);
  return service;
}

/** Where a service's events go: one topic per service, `honglian.<service>.v1` (DESIGN.md, Events). */
export function topicOfEventType(type: string): string {
  return `honglian.${serviceOfEventType(type)}.v1`;
}

/** The CloudEvents `source` of a service's events, `/honglian/<service>`. */
export function sourceOfEventType(type: string): string {
  return `/honglian/${serviceOfEventType(type)}`;
}
