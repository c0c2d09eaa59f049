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

/**
 * Runs a publish in a PRODUCER span whose parent is the active context (or, when there is none,
 * the trace the event already carries, e.g. an outbox record written during a request). The
 * event gets `traceparent` when it has none; `headers` get the W3C trace headers.
 */
export function withPublishSpan<R>(
  topic: string,
  event: CloudEvent,
  fn: (stamped: CloudEvent, traceHeaders: Record<string, string>) => Promise<R>,
): Promise<R> {
  let parent = context.active();
  if (event.traceparent && !trace.getSpan(parent)) {
    parent = propagation.extract(parent, { [HEADERS.traceparent]: event.traceparent });
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
  const stamped = event.traceparent || !injected ? event : { ...event, traceparent: injected };
  const headers: Record<string, string> = {};
  const traceparent = injected ?? stamped.traceparent;
  if (traceparent) headers[HEADERS.traceparent] = traceparent;
  const tracestate = carrier[HEADERS.tracestate];
  if (tracestate) headers[HEADERS.tracestate] = tracestate;
  return inSpan(span, ctx, () => fn(stamped, headers));
}

/** Context carried by a message: its `traceparent` header, else the event's `traceparent`. */
export function extractMessageContext(headers: Record<string, string>, event?: CloudEvent): Context {
  const carrier: Record<string, string> = {};
  const traceparent = headers[HEADERS.traceparent] ?? event?.traceparent;
  if (traceparent) carrier[HEADERS.traceparent] = traceparent;
  const tracestate = headers[HEADERS.tracestate];
  if (tracestate) carrier[HEADERS.tracestate] = tracestate;
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

/** The active context's W3C traceparent, if a span is active and a propagator registered. */
export function activeTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier[HEADERS.traceparent];
}
