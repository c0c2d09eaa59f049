import { onDelivery, type OutboxRelay } from '@honglian/messaging';
import { Counter, Gauge } from 'prom-client';
import type { ServiceMetrics } from './metrics.js';

/** The messaging metrics a service exports (dashboards and alerts in deploy/observability name these). */
export const MESSAGING_METRICS = {
  outboxPending: 'honglian_outbox_pending',
  outboxOldestAge: 'honglian_outbox_oldest_pending_age_seconds',
  outboxPublished: 'honglian_outbox_published_total',
  outboxInvalid: 'honglian_outbox_invalid_total',
  outboxRelayFailures: 'honglian_outbox_relay_consecutive_failures',
  consumerEvents: 'honglian_consumer_events_total',
} as const;

const OUTCOMES = ['handled', 'failed', 'dead_lettered'] as const;

/**
 * Registers the outbox and consumer metrics of one service on its registry:
 * - outbox backlog (pending records, age of the oldest), published and invalid counts and the
 *   relay's consecutive failures, read when Prometheus scrapes;
 * - events consumed per group, topic and outcome (`handled`, `failed` try, `dead_lettered`).
 * Returns `start`/`stop` that attach and detach the consumer listener.
 */
export function registerMessagingMetrics(
  metrics: ServiceMetrics,
  opts: { relay?: OutboxRelay; consumers: readonly { group: string; topics: readonly string[] }[] },
): { start(): void; stop(): void } {
  const registers = [metrics.registry];
  const { relay } = opts;
  if (relay) {
    let backlog: Promise<{ pending: number; oldestAgeSeconds: number } | undefined> | undefined;
    // One query per scrape for both gauges.
    const readBacklog = () =>
      (backlog ??= relay
        .backlog()
        .catch(() => undefined)
        .finally(() => setImmediate(() => (backlog = undefined))));
    new Gauge({
      name: MESSAGING_METRICS.outboxPending,
      help: 'Outbox records committed and not yet published to the bus',
      registers,
      async collect() {
        const b = await readBacklog();
        if (b) this.set(b.pending);
      },
    });
    new Gauge({
      name: MESSAGING_METRICS.outboxOldestAge,
      help: 'Age in seconds of the oldest unpublished outbox record (0 when none waits)',
      registers,
      async collect() {
        const b = await readBacklog();
        if (b) this.set(b.oldestAgeSeconds);
      },
    });
    let published = 0;
    new Counter({
      name: MESSAGING_METRICS.outboxPublished,
      help: 'Outbox records published by this replica',
      registers,
      collect() {
        const now = relay.status().published;
        this.inc(Math.max(0, now - published));
        published = now;
      },
    });
    let invalid = 0;
    new Counter({
      name: MESSAGING_METRICS.outboxInvalid,
      help: 'Outbox records set aside as invalid by this replica (never published)',
      registers,
      collect() {
        const now = relay.status().invalid;
        this.inc(Math.max(0, now - invalid));
        invalid = now;
      },
    });
    new Gauge({
      name: MESSAGING_METRICS.outboxRelayFailures,
      help: 'Consecutive failed rounds of the outbox relay (0 when the last round went through)',
      registers,
      collect() {
        this.set(relay.status().failures);
      },
    });
  }
  const events = new Counter({
    name: MESSAGING_METRICS.consumerEvents,
    help: 'Consumed events per consumer group, topic and outcome (handled, failed try, dead_lettered)',
    labelNames: ['group', 'topic', 'outcome'],
    registers,
  });
  const groups = new Set(opts.consumers.map((c) => c.group));
  for (const c of opts.consumers)
    for (const topic of c.topics)
      for (const outcome of OUTCOMES) events.inc({ group: c.group, topic, outcome }, 0);
  let detach: (() => void) | undefined;
  return {
    start() {
      if (detach || groups.size === 0) return;
      detach = onDelivery((o) => {
        if (groups.has(o.groupId)) events.inc({ group: o.groupId, topic: o.topic, outcome: o.outcome });
      });
    },
    stop() {
      detach?.();
      detach = undefined;
    },
  };
}
