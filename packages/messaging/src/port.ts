import type { CloudEvent } from '@honglian/contracts';

/** How often a failing handler is tried before its message is dead-lettered. */
export interface RetryPolicy {
  /** Tries in total (first delivery included). Default 5. */
  maxAttempts: number;
  /** Delay before the second try; doubled for each further try. Default 200 ms. */
  backoffMs: number;
  /** Upper bound of one delay. Default 30 s. */
  maxBackoffMs?: number;
}

export interface PublishOptions {
  /** Message key; defaults to `event.subject` (the aggregate id), which keeps one aggregate's events ordered. */
  key?: string;
  /** Extra message headers. The `ce_*`, `content-type` and trace headers are set by the bus. */
  headers?: Record<string, string>;
}

/** Where and how a message was delivered. */
export interface DeliveryMeta {
  topic: string;
  partition: number;
  /** Offset in the partition (a decimal string: Kafka offsets are 64-bit). */
  offset: string;
  /** 1 on the first try of this delivery, then 2, 3, … */
  attempt: number;
  key: string | null;
  headers: Record<string, string>;
}

export type EventHandler<T = unknown> = (event: CloudEvent<T>, meta: DeliveryMeta) => Promise<void>;

export interface Subscription {
  /** Consumer group: members of one group share the partitions, each group sees every message. */
  groupId: string;
  topics: string[];
  /** Method syntax on purpose: an `EventHandler<T>` for a specific data type is accepted. */
  handler(event: CloudEvent, meta: DeliveryMeta): Promise<void>;
  retry?: Partial<RetryPolicy>;
  /** Where a group with no committed offset starts. Default true: a new group reads the whole topic. */
  fromBeginning?: boolean;
}

/** A message on a `<topic>.dlq` topic, with why it got there. */
export interface DeadLetter {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  /** The original message value, unchanged (may be unparsable). */
  value: string;
  headers: Record<string, string>;
  /** `x-failure-reason` */
  reason: string;
  /** `x-failure-attempts`: handler tries made; 0 for messages that failed validation. */
  attempts: number;
  originalTopic: string;
  originalPartition: number;
  originalOffset: string;
  /** The parsed event when the value is a valid event (i.e. it was dead-lettered because its handler failed). */
  event?: CloudEvent;
}

export interface DeadLetterSubscription {
  groupId: string;
  /** Topics whose dead letters to read: either `x` or `x.dlq` (both mean `x.dlq`). */
  topics: string[];
  /** Failures are retried with backoff without limit: a dead letter is never dropped. */
  handler: (letter: DeadLetter) => Promise<void>;
  retry?: Partial<RetryPolicy>;
  fromBeginning?: boolean;
}

/** A running group member; `close()` leaves the group after the in-flight message (uncommitted work is redelivered). */
export interface Subscriber {
  readonly groupId: string;
  readonly topics: readonly string[];
  close(): Promise<void>;
}

export interface Health {
  ok: boolean;
  detail?: string;
}

/**
 * The event bus port. Delivery is at-least-once: offsets are committed only after the handler
 * succeeded (or the message was dead-lettered), so handlers must be idempotent (see `idempotent`).
 */
export interface EventBus {
  /** Validates, stamps trace context and publishes; resolves once the broker acknowledged the write. */
  publish(topic: string, event: CloudEvent, opts?: PublishOptions): Promise<void>;
  /** Joins a consumer group. Allowed before and after `start()`; consumption begins once started. */
  subscribe(subscription: Subscription): Promise<Subscriber>;
  /** Reads dead letters (raw, never validated) of the given topics. */
  subscribeDeadLetters(subscription: DeadLetterSubscription): Promise<Subscriber>;
  start(): Promise<void>;
  /** Stops consuming (waits for in-flight handlers), then disconnects. Publishing afterwards rejects. */
  stop(): Promise<void>;
  /** For /readyz. */
  health(): Promise<Health>;
}

/** A message as stored on a topic: what adapters move around and dead-letter. */
export interface RawMessage {
  key: string | null;
  value: string;
  headers: Record<string, string>;
}

/** A message for `publishRaw`: headers may be left out. */
export type RawInput = Omit<RawMessage, 'headers'> & { headers?: Record<string, string> };
