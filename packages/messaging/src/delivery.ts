import { deadLetterTopic } from '@honglian/contracts';
import { errorMessage } from './errors.js';
import { HEADERS, MAX_REASON_LENGTH } from './headers.js';
import type { Logger } from './logger.js';
import { observeDelivery } from './observe.js';
import type {
  DeadLetter,
  DeadLetterSubscription,
  DeliveryMeta,
  EventHandler,
  RawMessage,
  RetryPolicy,
} from './port.js';
import { backoffDelay, sleep } from './retry.js';
import { withProcessSpan } from './trace.js';
import { decodeEvent } from './wire.js';

/** Where a consumed message sits. */
export interface MessageLocation {
  topic: string;
  partition: number;
  offset: string;
}

/** What an adapter lends the shared delivery logic. */
export interface DeliveryEnv {
  groupId: string;
  policy: Required<RetryPolicy>;
  /** Aborted when the member stops: no further tries, the message stays uncommitted. */
  signal: AbortSignal;
  /** Writes the message to `<topic>.dlq`; must resolve only once it is durably there. */
  deadLetter(message: RawMessage): Promise<void>;
  /** Keeps group membership alive during long backoffs (Kafka); may throw on rebalance. */
  heartbeat?(): Promise<void>;
  logger: Logger;
}

/** `handled` and `dead-lettered` mean: commit the offset. `interrupted`: do not. */
export type DeliveryOutcome = 'handled' | 'dead-lettered' | 'interrupted';

const HEARTBEAT_SLICE_MS = 1000;

async function pause(ms: number, env: DeliveryEnv): Promise<void> {
  if (!env.heartbeat) return sleep(ms, env.signal);
  let left = ms;
  do {
    const slice = Math.min(left, HEARTBEAT_SLICE_MS);
    await sleep(slice, env.signal);
    left -= slice;
    if (env.signal.aborted) return;
    await env.heartbeat();
  } while (left > 0);
}

function truncate(text: string): string {
  return text.length > MAX_REASON_LENGTH ? `${text.slice(0, MAX_REASON_LENGTH - 1)}…` : text;
}

/** The dead-letter copy of a message: same key and value, original headers plus the failure headers. */
export function deadLetterMessage(
  message: RawMessage,
  at: MessageLocation,
  reason: string,
  attempts: number,
  groupId: string,
): RawMessage {
  return {
    key: message.key,
    value: message.value,
    headers: {
      ...message.headers,
      [HEADERS.failureReason]: truncate(reason),
      [HEADERS.failureAttempts]: String(attempts),
      [HEADERS.originalTopic]: at.topic,
      [HEADERS.originalPartition]: String(at.partition),
      [HEADERS.originalOffset]: at.offset,
      [HEADERS.failedAt]: new Date().toISOString(),
      [HEADERS.consumerGroup]: groupId,
    },
  };
}

/**
 * Delivers one message to an event handler: validation (invalid → dead letter at once, never
 * retried), then up to `maxAttempts` tries with exponential backoff, then dead letter.
 * Each try runs in a CONSUMER span continuing the message's trace.
 */
export async function deliverEvent(
  message: RawMessage,
  at: MessageLocation,
  handler: EventHandler,
  env: DeliveryEnv,
): Promise<DeliveryOutcome> {
  const decoded = decodeEvent(message.value);
  if (!decoded.ok) {
    env.logger.warn({ ...at, groupId: env.groupId, reason: decoded.reason }, 'invalid message dead-lettered');
    await env.deadLetter(deadLetterMessage(message, at, decoded.reason, 0, env.groupId));
    observeDelivery({ groupId: env.groupId, topic: at.topic, eventType: '', outcome: 'dead_lettered' });
    return 'dead-lettered';
  }
  const event = decoded.event;
  const observed = { groupId: env.groupId, topic: at.topic, eventType: event.type };
  let lastError: unknown;
  let attempt = 0;
  while (attempt < env.policy.maxAttempts) {
    if (env.signal.aborted) return 'interrupted';
    attempt += 1;
    const meta: DeliveryMeta = { ...at, attempt, key: message.key, headers: { ...message.headers } };
    try {
      await withProcessSpan(at.topic, event, message.headers, env.groupId, () => handler(event, meta));
      observeDelivery({ ...observed, outcome: 'handled' });
      return 'handled';
    } catch (error) {
      lastError = error;
      observeDelivery({ ...observed, outcome: 'failed' });
      env.logger.warn(
        { ...at, groupId: env.groupId, eventId: event.id, eventType: event.type, attempt, err: error },
        'event handler failed',
      );
    }
    if (attempt < env.policy.maxAttempts) await pause(backoffDelay(env.policy, attempt), env);
  }
  const reason = `handler failed after ${attempt} attempt(s): ${errorMessage(lastError)}`;
  env.logger.error({ ...at, groupId: env.groupId, eventId: event.id, reason }, 'event dead-lettered');
  await env.deadLetter(deadLetterMessage(message, at, reason, attempt, env.groupId));
  observeDelivery({ ...observed, outcome: 'dead_lettered' });
  return 'dead-lettered';
}

/** Reads the failure headers of a dead-letter message. */
export function toDeadLetter(message: RawMessage, at: MessageLocation): DeadLetter {
  const h = message.headers;
  const decoded = decodeEvent(message.value);
  return {
    ...at,
    key: message.key,
    value: message.value,
    headers: { ...h },
    reason: h[HEADERS.failureReason] ?? '',
    attempts: Number(h[HEADERS.failureAttempts] ?? 0),
    originalTopic: h[HEADERS.originalTopic] ?? at.topic.replace(/\.dlq$/, ''),
    originalPartition: Number(h[HEADERS.originalPartition] ?? -1),
    originalOffset: h[HEADERS.originalOffset] ?? '',
    ...(decoded.ok ? { event: decoded.event } : {}),
  };
}

/** Delivers a dead letter; failures are retried (capped backoff) until success or stop: never dropped. */
export async function deliverDeadLetter(
  message: RawMessage,
  at: MessageLocation,
  handler: DeadLetterSubscription['handler'],
  env: DeliveryEnv,
): Promise<DeliveryOutcome> {
  const letter = toDeadLetter(message, at);
  for (let attempt = 1; ; attempt++) {
    if (env.signal.aborted) return 'interrupted';
    try {
      await handler(letter);
      return 'handled';
    } catch (error) {
      env.logger.warn({ ...at, groupId: env.groupId, attempt, err: error }, 'dead-letter handler failed');
    }
    await pause(backoffDelay(env.policy, attempt), env);
  }
}

/** `x` and `x.dlq` both name the dead-letter topic `x.dlq`. */
export function deadLetterTopicsOf(topics: readonly string[]): string[] {
  return [...new Set(topics.map((t) => (t.endsWith('.dlq') ? t : deadLetterTopic(t))))];
}
