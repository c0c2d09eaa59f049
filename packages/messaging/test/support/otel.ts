import { context, propagation, trace, ROOT_CONTEXT, TraceFlags, type Context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { randomBytes } from 'node:crypto';

let registered = false;

/** Registers the W3C propagator and an AsyncLocalStorage context manager, as a service's SDK would. */
export function registerTracing(): void {
  if (registered) return;
  registered = true;
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}

/** A context holding a fresh remote span, i.e. "inside a request of trace T". */
export function newTraceContext(): { ctx: Context; traceId: string } {
  const traceId = randomBytes(16).toString('hex');
  const ctx = trace.setSpanContext(ROOT_CONTEXT, {
    traceId,
    spanId: randomBytes(8).toString('hex'),
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
  });
  return { ctx, traceId };
}

export function activeTraceId(): string | undefined {
  return trace.getSpanContext(context.active())?.traceId;
}
