import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
} from '@opentelemetry/api';
import type { CloudEvent } from '@honglian/contracts';
import { errorMessage } from './errors.js';
import { HEADERS } from './headers.js';

const TRACER_NAME = '@honglian/messaging';

function tracer() {
  return trace.getTracer(TRACER_NAME);
}

function attributes(topic: string, event: Pick<CloudEvent, 'id' | 'type' | 'subject'>) {
  return {
    'messaging.destination.name': topic,
    'messaging.message.id': event.id,
    'cloudevents.event_id': event.id,
    'cloudevents.event_type': event.type,
    'cloudevents.event_subject': event.subject,
  };
}

async function inSpan<R>(span: Span, ctx: Context, fn: () => Promise<R>): Promise<R> {
  try {
    return await context.with(ctx, fn);
  } catch (error) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(error) });
    if (error instanceof Error) span.recordException(error);
    throw error;
  } finally {
    span.end();
  }
}

/** The W3C trace context an event carries (distributed-tracing extension), as a carrier. */
function eventCarrier(event: Pick<CloudEvent, 'traceparent' | 'tracestate'>): Record<string, string> {
  const carrier: Record<string, string> = {};
  if (event.traceparent) {
    carrier[HEADERS.traceparent] = event.traceparent;
    // tracestate belongs to its traceparent: never paired with another one.
    if (event.tracestate) carrier[HEADERS.tracestate] = event.tracestate;
  }
  return carrier;
}

/**
 * Runs a publish in a PRODUCER span whose parent is the active context (or, when there is none,
 * the trace the event already carries, e.g. an outbox record written during a request). The
 * event gets `traceparent` (and `tracestate`, when the trace has one) when it has none;
 * `headers` get the W3C trace headers.
 */
export function withPublishSpan<R>(
  topic: string,
  event: CloudEvent,
  fn: (stamped: CloudEvent, traceHeaders: Record<string, string>) => Promise<R>,
): Promise<R> {
  let parent = context.active();
  if (event.traceparent && !trace.getSpan(parent)) {
    parent = propagation.extract(parent, eventCarrier(event));
  }
  const span = tracer().startSpan(
    `${topic} publish`,
    { kind: SpanKind.PRODUCER, attributes: attributes(topic, event) },
    parent,
  );
  const ctx = trace.setSpan(parent, span);
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  const injected = carrier[HEADERS.traceparent];
  const stamped = event.traceparent || !injected ? event : { ...event, ...traceFields(carrier) };
  const headers: Record<string, string> = {};
  if (injected) {
    // The producer span's context: the consumer's span becomes its child.
    headers[HEADERS.traceparent] = injected;
    const tracestate = carrier[HEADERS.tracestate];
    if (tracestate) headers[HEADERS.tracestate] = tracestate;
  } else {
    // No propagator registered: pass on what the event carries.
    Object.assign(headers, eventCarrier(stamped));
  }
  return inSpan(span, ctx, () => fn(stamped, headers));
}

/**
 * Context carried by a message: its `traceparent` header (with its `tracestate`), else the
 * event's `traceparent` and `tracestate`.
 */
export function extractMessageContext(headers: Record<string, string>, event?: CloudEvent): Context {
  const traceparent = headers[HEADERS.traceparent];
  const carrier: Record<string, string> = traceparent
    ? { [HEADERS.traceparent]: traceparent }
    : event
      ? eventCarrier(event)
      : {};
  const tracestate = headers[HEADERS.tracestate];
  if (traceparent && tracestate) carrier[HEADERS.tracestate] = tracestate;
  // Start from the root: whatever context the delivery loop runs in is not the message's.
  return propagation.extract(ROOT_CONTEXT, carrier);
}

/** Runs a handler in a CONSUMER span that continues the message's trace. */
export function withProcessSpan<R>(
  topic: string,
  event: CloudEvent,
  headers: Record<string, string>,
  groupId: string,
  fn: () => Promise<R>,
): Promise<R> {
  const parent = extractMessageContext(headers, event);
  const span = tracer().startSpan(
    `${topic} process`,
    {
      kind: SpanKind.CONSUMER,
      attributes: { ...attributes(topic, event), 'messaging.consumer.group.name': groupId },
    },
    parent,
  );
  return inSpan(span, trace.setSpan(parent, span), fn);
}

/** `traceparent` and `tracestate` of a W3C carrier, as CloudEvent extension attributes. */
function traceFields(carrier: Record<string, string>): Pick<CloudEvent, 'traceparent' | 'tracestate'> {
  const traceparent = carrier[HEADERS.traceparent];
  if (!traceparent) return {};
  const tracestate = carrier[HEADERS.tracestate];
  return tracestate ? { traceparent, tracestate } : { traceparent };
}

/**
 * The active context's W3C trace context as CloudEvent attributes (`traceparent`, and
 * `tracestate` when the trace has one): empty without an active span or a registered propagator.
 */
export function activeTraceContext(): Pick<CloudEvent, 'traceparent' | 'tracestate'> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return traceFields(carrier);
}
