import { randomUUID } from 'node:crypto';
import { z } from 'zod';

/** `honglian.<service>.<fact>.v<major>`, e.g. `honglian.member-checkin.attendance.recorded.v1`. */
export const EVENT_TYPE_PATTERN = /^honglian\.[a-z][a-z-]*\.[a-z][a-z.-]*\.v[1-9][0-9]*$/;

/** W3C traceparent: version-traceid-parentid-flags. */
export const TRACEPARENT_PATTERN = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * W3C tracestate: vendor list-members (`key=value`, comma separated) in printable ASCII, at
 * most 512 characters (the length W3C Trace Context lets a propagator cut it to).
 */
export const TRACESTATE_PATTERN = /^[\x20-\x7e]{1,512}$/;

/** GB/T 2260 administrative division code of a county (6 digits). */
export const CountyCode = z.string().regex(/^\d{6}$/, 'a 6-digit GB/T 2260 division code');

/**
 * CloudEvents 1.0 envelope (structured mode) with Honglian's `county` extension and the
 * distributed-tracing extension (`traceparent`, `tracestate`).
 */
export const CloudEventEnvelope = z.object({
  specversion: z.literal('1.0'),
  id: z.uuid(),
  source: z.string().min(1),
  type: z.string().regex(EVENT_TYPE_PATTERN, 'honglian.<service>.<fact>.v<major>'),
  subject: z.string().min(1),
  time: z.iso.datetime({ offset: true }),
  datacontenttype: z.literal('application/json').default('application/json'),
  county: CountyCode.optional(),
  traceparent: z.string().regex(TRACEPARENT_PATTERN).optional(),
  tracestate: z.string().regex(TRACESTATE_PATTERN).optional(),
  data: z.unknown(),
});

export interface CloudEvent<T = unknown> {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  /** Aggregate id; also the message key, so events of one aggregate stay ordered. */
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  county?: string;
  traceparent?: string;
  /** W3C tracestate of `traceparent` (vendor data); never without `traceparent`. */
  tracestate?: string;
  data: T;
}

export interface NewEvent<T> {
  type: string;
  source: string;
  subject: string;
  data: T;
  county?: string;
  traceparent?: string;
  tracestate?: string;
  id?: string;
  time?: Date;
}

/** Builds an envelope; id and time are generated unless given (tests inject them). */
export function createEvent<T>(e: NewEvent<T>): CloudEvent<T> {
  return {
    specversion: '1.0',
    id: e.id ?? randomUUID(),
    source: e.source,
    type: e.type,
    subject: e.subject,
    time: (e.time ?? new Date()).toISOString(),
    datacontenttype: 'application/json',
    ...(e.county ? { county: e.county } : {}),
    ...(e.traceparent ? { traceparent: e.traceparent } : {}),
    ...(e.traceparent && e.tracestate ? { tracestate: e.tracestate } : {}),
    data: e.data,
  };
}
