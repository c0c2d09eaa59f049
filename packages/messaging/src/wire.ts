import { validateEvent, type CloudEvent } from '@honglian/contracts';
import { EventValidationError } from './errors.js';
import { CLOUDEVENTS_CONTENT_TYPE, HEADERS } from './headers.js';
import type { PublishOptions, RawMessage } from './port.js';
import { withPublishSpan } from './trace.js';

function describeCandidate(candidate: unknown): { type?: string; id?: string } {
  if (candidate && typeof candidate === 'object') {
    const { type, id } = candidate as { type?: unknown; id?: unknown };
    return {
      ...(typeof type === 'string' ? { type } : {}),
      ...(typeof id === 'string' ? { id } : {}),
    };
  }
  return {};
}

/** Throws `EventValidationError` unless the candidate is a valid, registered event. */
export function assertValidEvent(candidate: unknown): CloudEvent {
  const result = validateEvent(candidate);
  if (!result.ok) {
    const { type, id } = describeCandidate(candidate);
    throw new EventValidationError(result.reason, type, id);
  }
  return result.event;
}

/** Structured-mode CloudEvent message: the JSON envelope as value, `ce_*` headers for routing without parsing. */
export function encodeEvent(
  event: CloudEvent,
  opts: PublishOptions | undefined,
  traceHeaders: Record<string, string>,
): RawMessage {
  return {
    key: opts?.key ?? event.subject,
    value: JSON.stringify(event),
    headers: {
      ...opts?.headers,
      ...traceHeaders,
      [HEADERS.contentType]: CLOUDEVENTS_CONTENT_TYPE,
      [HEADERS.ceType]: event.type,
      [HEADERS.ceId]: event.id,
      [HEADERS.ceSource]: event.source,
      [HEADERS.ceSubject]: event.subject,
    },
  };
}

/**
 * The publish pipeline shared by the adapters: validate, stamp trace context (PRODUCER span),
 * encode, and hand the message to the adapter's `send`.
 */
export async function publishEvent(
  topic: string,
  event: CloudEvent,
  opts: PublishOptions | undefined,
  send: (message: RawMessage) => Promise<void>,
): Promise<void> {
  assertValidEvent(event);
  await withPublishSpan(topic, event, async (stamped, traceHeaders) => {
    if (stamped !== event) assertValidEvent(stamped);
    await send(encodeEvent(stamped, opts, traceHeaders));
  });
}

export type Decoded = { ok: true; event: CloudEvent } | { ok: false; reason: string };

/** Parses and validates a consumed message value. Never throws. */
export function decodeEvent(value: string): Decoded {
  let candidate: unknown;
  try {
    candidate = JSON.parse(value);
  } catch (error) {
    return { ok: false, reason: `invalid event: value is not JSON (${(error as Error).message})` };
  }
  try {
    const result = validateEvent(candidate);
    return result.ok ? result : { ok: false, reason: `invalid event: ${result.reason}` };
  } catch (error) {
    return { ok: false, reason: `invalid event: validation threw (${(error as Error).message})` };
  }
}
