import {
  createEvent,
  sourceOfEventType,
  topicOfEventType,
  type CloudEvent,
  type EventDefinition,
  type EventDraft,
  type EventInput,
  type TypedEvent,
} from '@honglian/contracts';
import { EventValidationError } from './errors.js';
import type { IdempotentContext } from './idempotent.js';
import type { OutboxWriter } from './outbox/outbox.js';

/** Envelope fields an emitter may set; everything else is derived from the event's type. */
export interface EmitOptions {
  /** Event time; pass the injected clock's now. Default: the current time. */
  time?: Date;
  /** Default `/honglian/<service>` from the type. */
  source?: string;
  /** Default `honglian.<service>.v1` from the type. */
  topic?: string;
  /** Message key; default the subject (the aggregate id). */
  key?: string;
  traceparent?: string;
  /** W3C tracestate of `traceparent`. */
  tracestate?: string;
}

export interface EmitInit<E extends EventDefinition> extends EmitOptions {
  /** Aggregate id. */
  subject: string;
  county?: string;
  data: EventInput<E>;
  /** Fixed id (tests); default a fresh uuid. */
  id?: string;
}

/**
 * Queues an event of a contract on the transaction's outbox; the data is checked against the
 * contract at compile time (and validated again by the outbox at run time).
 *
 *   emit(outbox, ReportSubmitted, { subject: report.id, county, data: {...}, time: clock.now() });
 */
export function emit<E extends EventDefinition>(
  outbox: OutboxWriter,
  event: E,
  init: EmitInit<E>,
): TypedEvent<E> {
  const envelope = createEvent({
    type: event.type,
    source: init.source ?? sourceOfEventType(event.type),
    subject: init.subject,
    data: init.data,
    ...(init.county !== undefined ? { county: init.county } : {}),
    ...(init.traceparent ? { traceparent: init.traceparent } : {}),
    ...(init.tracestate ? { tracestate: init.tracestate } : {}),
    ...(init.id ? { id: init.id } : {}),
    ...(init.time ? { time: init.time } : {}),
  });
  const added = outbox.add(
    init.topic ?? topicOfEventType(event.type),
    envelope,
    init.key ? { key: init.key } : {},
  );
  return added as unknown as TypedEvent<E>;
}

/** Queues the events a decision returned, in order, with one time (the decision's). */
export function emitAll(
  outbox: OutboxWriter,
  drafts: readonly EventDraft[],
  opts: Omit<EmitOptions, 'key'> = {},
): CloudEvent[] {
  return drafts.map(
    (d) =>
      emit(outbox, d.event, {
        ...opts,
        subject: d.subject,
        data: d.data,
        ...(d.county !== undefined ? { county: d.county } : {}),
      }) as CloudEvent,
  );
}

type DefinitionsOf<D> = D extends readonly (infer X)[] ? X : D;

/** A handler of some event types; `eventHandlers` dispatches on `event.type`. */
export interface EventRoute<C = IdempotentContext> {
  readonly events: readonly EventDefinition[];
  /** Called with an event of one of `events`, its data parsed by that contract. */
  readonly handle: (event: CloudEvent, ctx: C) => Promise<unknown>;
}

/**
 * Declares the handler of one event type, or of several that share one (a union that narrows on
 * `event.type`). The handler gets the event typed by its contract: no casts.
 *
 *   on(OrgClosed, async (event, { session }) => close(event.data.orgId, session))
 *   on([OrgCreated, OrgChanged], async (event) => upsert(event.data))
 */
export function on<D extends EventDefinition | readonly EventDefinition[], C = IdempotentContext>(
  events: D,
  handler: (event: TypedEvent<DefinitionsOf<D>>, ctx: C) => Promise<unknown> | unknown,
): EventRoute<C> {
  const list: readonly EventDefinition[] = Array.isArray(events) ? events : [events as EventDefinition];
  if (list.length === 0) throw new TypeError('on: at least one event definition is required');
  return {
    events: list,
    handle: async (event, ctx) => handler(event as TypedEvent<DefinitionsOf<D>>, ctx),
  };
}

export interface EventHandlersOptions {
  /**
   * What to do with a valid event no route handles (another fact of the same topic):
   * `ignore` (default) or `fail` (the delivery fails: retried, then dead-lettered).
   * Events of unknown types never get here: the bus dead-letters them as invalid.
   */
  unhandled?: 'ignore' | 'fail';
}

/** The dispatching handler, with the types it handles (for logs and tests). */
export type EventHandlers<C> = ((event: CloudEvent, ctx: C) => Promise<void>) & {
  readonly types: readonly string[];
};

/**
 * One consumer handler from `on(...)` routes: picks the route by `event.type`, parses the data
 * with that contract (an event handed over outside the bus is checked too), and runs it.
 * A type routed twice is a mistake and throws at once.
 */
export function eventHandlers<C = IdempotentContext>(
  routes: readonly EventRoute<C>[],
  options: EventHandlersOptions = {},
): EventHandlers<C> {
  const byType = new Map<string, { definition: EventDefinition; route: EventRoute<C> }>();
  for (const route of routes) {
    for (const definition of route.events) {
      if (byType.has(definition.type))
        throw new TypeError(`eventHandlers: ${definition.type} is routed twice`);
      byType.set(definition.type, { definition, route });
    }
  }
  const dispatch = async (event: CloudEvent, ctx: C): Promise<void> => {
    const target = byType.get(event.type);
    if (!target) {
      if (options.unhandled === 'fail') {
        throw new EventValidationError(`no handler for ${event.type}`, event.type, event.id);
      }
      return;
    }
    const parsed = target.definition.data.safeParse(event.data);
    if (!parsed.success) {
      const reason = parsed.error.issues
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; ');
      throw new EventValidationError(`data: ${reason}`, event.type, event.id);
    }
    await target.route.handle({ ...event, data: parsed.data }, ctx);
  };
  return Object.assign(dispatch, { types: [...byType.keys()] });
}
