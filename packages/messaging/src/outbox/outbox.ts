import type { ClientSession, Connection } from 'mongoose';
import type { CloudEvent } from '@honglian/contracts';
import { activeTraceContext } from '../trace.js';
import { assertValidEvent } from '../wire.js';
import { notifyOutbox } from './notify.js';
import { laneOf, outboxCollection, prepareCollections, reserveSequence, type OutboxRecord } from './store.js';

interface PendingRecord {
  topic: string;
  key: string;
  event: CloudEvent;
}

/** Collects the events a transaction emits; they are written to the outbox just before commit. */
export class OutboxWriter {
  private readonly pending: PendingRecord[] = [];

  /**
   * Queues an event for `topic`. Validates at once (throws `EventValidationError`, which aborts
   * the transaction) and stamps the active trace context (`traceparent`, and `tracestate` when the
   * trace has one) when the event has no `traceparent`.
   * Returns the event as it will be published.
   */
  add<T>(topic: string, event: CloudEvent<T>, opts: { key?: string } = {}): CloudEvent<T> {
    if (!topic) throw new TypeError('outbox.add: topic is required');
    assertValidEvent(event);
    const active = event.traceparent ? {} : activeTraceContext();
    const stamped = active.traceparent ? { ...event, ...active } : event;
    if (stamped !== event) assertValidEvent(stamped);
    this.pending.push({ topic, key: opts.key ?? stamped.subject, event: stamped as CloudEvent });
    return stamped;
  }

  /** Events queued so far. */
  get size(): number {
    return this.pending.length;
  }

  /** @internal */
  drainRecords(): PendingRecord[] {
    return this.pending.splice(0);
  }
}

/** Writes queued events to the outbox inside the session's transaction. Returns how many. */
export async function writeOutbox(
  connection: Connection,
  session: ClientSession,
  outbox: OutboxWriter,
): Promise<number> {
  const records = outbox.drainRecords();
  if (records.length === 0) return 0;
  // One counter per lane, reserved in the order lanes first appear in this transaction.
  const lanes = records.map((r) => laneOf(r.key));
  const perLane = new Map<number, number>();
  for (const lane of lanes) perLane.set(lane, (perLane.get(lane) ?? 0) + 1);
  const next = new Map<number, number>();
  for (const [lane, count] of perLane)
    next.set(lane, await reserveSequence(connection, session, lane, count));
  const now = new Date();
  const docs: OutboxRecord[] = records.map((r, i) => {
    const lane = lanes[i]!;
    const seq = next.get(lane)!;
    next.set(lane, seq + 1);
    return {
      _id: r.event.id,
      lane,
      seq,
      topic: r.topic,
      key: r.key,
      event: r.event,
      status: 'pending',
      attempts: 0,
      createdAt: now,
    };
  });
  await outboxCollection(connection).insertMany(docs, { session, ordered: true });
  return docs.length;
}

export interface WithOutboxOptions {
  /** Passed to the driver's withTransaction (read/write concern…). */
  transactionOptions?: Parameters<Connection['transaction']>[1];
}

/**
 * Runs `fn` in one MongoDB transaction (retried on transient errors by the driver, so `fn` must
 * be safe to run again) and writes the events it adds to the outbox in the same transaction:
 * either the domain change and its events commit together, or neither does. Relays on this
 * connection are nudged after the commit.
 *
 *   await withOutbox(conn, async (session, outbox) => {
 *     await Checkin.create([{ ... }], { session });
 *     outbox.add(TOPICS.memberCheckin, createEvent({ ... }));
 *   });
 */
export async function withOutbox<R>(
  connection: Connection,
  fn: (session: ClientSession, outbox: OutboxWriter) => Promise<R>,
  options: WithOutboxOptions = {},
): Promise<R> {
  await prepareCollections(connection);
  let written = 0;
  const result = await connection.transaction(async (session) => {
    const outbox = new OutboxWriter();
    const value = await fn(session, outbox);
    written = await writeOutbox(connection, session, outbox);
    return value;
  }, options.transactionOptions);
  if (written > 0) notifyOutbox(connection);
  return result;
}
