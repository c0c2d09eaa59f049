import type { CloudEvent } from '@honglian/contracts';
import {
  DEFAULT_RETRY,
  type DeadLetterSubscription,
  type DeliveryMeta,
  type EventBus,
  type Health,
  type PublishOptions,
  type Subscriber,
  type Subscription,
} from '@honglian/messaging';

/** What the chaos bus did, counted as it happened. */
export interface ChaosStats {
  /** Distinct events published (by id). */
  events: number;
  /** `publish` calls made by the services (their outbox relays). */
  published: number;
  /** Messages actually written to the bus: `published × copies`. */
  messages: number;
  /** Handler invocations (every try of every message, of every consumer group). */
  deliveries: number;
  /** Crashes injected before the real handler ran (nothing done, the delivery is retried). */
  crashesBefore: number;
  /** Crashes injected after the real handler returned (its work committed, the delivery retried). */
  crashesAfter: number;
  /**
   * Deliveries that reached the real handler for an event its group had already handled
   * successfully (a copy, or the retry after a crash-after): what the consumer's idempotence
   * must absorb.
   */
  duplicates: number;
  /** Publishes that went out but were then reported failed to the publisher (the relay). */
  acksLost: number;
  /** The most crashes any one message got (must stay below the retry policy's maxAttempts). */
  maxCrashesOfOneMessage: number;
}

export interface ChaosOptions {
  /** Seed of the crash decisions (each decision is a hash of the seed and the message, not a shared stream). */
  seed: number;
  /** How many times every publish goes out. Default 3. */
  copies?: number;
  /** Probability that a try crashes (half before the handler, half after it). Default 0. */
  crashRate?: number;
  /**
   * Most crashes one message may get; always kept below the subscription's maxAttempts, so a
   * message is never dead-lettered because of an injected crash. Default maxAttempts − 1.
   */
  maxCrashesPerMessage?: number;
  /** The bus's default retry policy (the suite's bus uses DEFAULT_RETRY). */
  defaultMaxAttempts?: number;
  /**
   * When set, subscriptions retry after this backoff instead of their own (the number of attempts
   * is never changed): keeps thousands of injected crashes from sleeping for minutes.
   */
  retryBackoffMs?: number;
  /**
   * Called after each publish went out (all copies). Returning `ack-lost` makes the publish reject
   * although the messages are on the bus, as a broker acknowledgement lost on the way back.
   */
  afterPublish?: (topic: string, event: CloudEvent) => 'ack-lost' | undefined;
}

/** FNV-1a of a string, then mulberry32's mix: a uniform number in [0, 1) per (seed, text). */
export function chance(seed: number, text: string): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  let t = (h + 0x6d2b79f5) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
}

/** A seeded PRNG (mulberry32) for the scenario's data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The error an injected crash throws (the bus logs it and retries the delivery). */
export class ChaosCrash extends Error {
  constructor(readonly when: 'before' | 'after') {
    super(`chaos: consumer crashed ${when} the handler`);
    this.name = 'ChaosCrash';
  }
}

/**
 * An EventBus decorator for the duplicate-delivery proof. Every publish goes out `copies` times
 * (separate messages, separate offsets, the same event id), and every subscribed handler may
 * crash before the real handler (nothing done) or after it returned (work committed, delivery
 * retried): at-least-once delivery at its worst, short of dead-lettering. Dead-letter
 * subscriptions, start, stop and health pass through untouched.
 */
export class ChaosBus implements EventBus {
  readonly stats: ChaosStats = {
    events: 0,
    published: 0,
    messages: 0,
    deliveries: 0,
    crashesBefore: 0,
    crashesAfter: 0,
    duplicates: 0,
    acksLost: 0,
    maxCrashesOfOneMessage: 0,
  };
  /** `publish` calls per event type. */
  readonly publishedByType = new Map<string, number>();
  /** Every subscription made through this bus: the groups and topics to watch for quiet. */
  readonly subscriptions: { groupId: string; topics: string[] }[] = [];
  private readonly copies: number;
  private readonly crashRate: number;
  private readonly eventIds = new Set<string>();
  /** Crashes so far per message (group, topic, partition, offset). */
  private readonly crashes = new Map<string, number>();
  /** Tries so far per message: part of each crash decision, so retries decide afresh. */
  private readonly tries = new Map<string, number>();
  /** Event ids each group has handled successfully at least once. */
  private readonly handled = new Map<string, Set<string>>();

  constructor(
    readonly inner: EventBus,
    private readonly options: ChaosOptions,
  ) {
    this.copies = options.copies ?? 3;
    this.crashRate = options.crashRate ?? 0;
    if (!(this.copies >= 1)) throw new RangeError('copies must be at least 1');
  }

  async publish(topic: string, event: CloudEvent, opts?: PublishOptions): Promise<void> {
    for (let i = 0; i < this.copies; i++) {
      await this.inner.publish(topic, event, opts);
      this.stats.messages += 1;
    }
    this.stats.published += 1;
    this.eventIds.add(event.id);
    this.stats.events = this.eventIds.size;
    this.publishedByType.set(event.type, (this.publishedByType.get(event.type) ?? 0) + 1);
    if (this.options.afterPublish?.(topic, event) === 'ack-lost') {
      this.stats.acksLost += 1;
      throw new Error('chaos: the broker acknowledgement was lost (the messages are on the bus)');
    }
  }

  async subscribe(subscription: Subscription): Promise<Subscriber> {
    const maxAttempts =
      subscription.retry?.maxAttempts ?? this.options.defaultMaxAttempts ?? DEFAULT_RETRY.maxAttempts;
    const maxCrashes = Math.min(this.options.maxCrashesPerMessage ?? maxAttempts - 1, maxAttempts - 1);
    const groupId = subscription.groupId;
    this.subscriptions.push({ groupId, topics: [...subscription.topics] });
    const handled = this.handled.get(groupId) ?? new Set<string>();
    this.handled.set(groupId, handled);
    const handler = async (event: CloudEvent, meta: DeliveryMeta): Promise<void> => {
      this.stats.deliveries += 1;
      const key = `${groupId}|${meta.topic}|${meta.partition}|${meta.offset}`;
      const tries = (this.tries.get(key) ?? 0) + 1;
      this.tries.set(key, tries);
      const crash = (when: 'before' | 'after') => {
        const crashed = this.crashes.get(key) ?? 0;
        if (
          crashed >= maxCrashes ||
          chance(this.options.seed, `${key}|${tries}|${when}`) >= this.crashRate / 2
        )
          return;
        this.crashes.set(key, crashed + 1);
        this.stats.maxCrashesOfOneMessage = Math.max(this.stats.maxCrashesOfOneMessage, crashed + 1);
        if (when === 'before') this.stats.crashesBefore += 1;
        else this.stats.crashesAfter += 1;
        throw new ChaosCrash(when);
      };
      crash('before');
      const seen = handled.has(event.id);
      await subscription.handler(event, meta);
      if (seen) this.stats.duplicates += 1;
      else handled.add(event.id);
      crash('after');
    };
    const retry =
      this.options.retryBackoffMs === undefined
        ? subscription.retry
        : { ...subscription.retry, backoffMs: this.options.retryBackoffMs };
    return this.inner.subscribe({ ...subscription, handler, ...(retry ? { retry } : {}) });
  }

  subscribeDeadLetters(subscription: DeadLetterSubscription): Promise<Subscriber> {
    return this.inner.subscribeDeadLetters(subscription);
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  stop(): Promise<void> {
    return this.inner.stop();
  }

  health(): Promise<Health> {
    return this.inner.health();
  }

  /** Distinct events a group handled successfully. */
  handledBy(groupId: string): number {
    return this.handled.get(groupId)?.size ?? 0;
  }
}
