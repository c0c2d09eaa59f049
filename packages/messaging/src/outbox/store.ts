import type { ClientSession, Connection } from 'mongoose';
import type { CloudEvent } from '@honglian/contracts';

/** Collections this package keeps in a service's database. */
export const COLLECTIONS = {
  outbox: 'outbox',
  sequence: 'outbox_sequence',
  locks: 'outbox_locks',
  processed: 'processed_events',
} as const;

const SEQUENCE_ID = 'outbox';
export const RELAY_LOCK_ID = 'outbox-relay';

/** `invalid`: refused by `publish` (its schema changed since it was written); kept for inspection, never retried. */
export type OutboxStatus = 'pending' | 'sent' | 'invalid';

/** One event waiting to be (or already) published. */
export interface OutboxRecord {
  /** The event id: an event enters the outbox once. */
  _id: string;
  /** Position in the outbox: allocated in the writing transaction, so commit order = seq order. */
  seq: number;
  topic: string;
  key: string;
  event: CloudEvent;
  status: OutboxStatus;
  attempts: number;
  lastError?: string;
  createdAt: Date;
  sentAt?: Date;
}

export interface RelayLock {
  _id: string;
  owner: string | null;
  expiresAt: Date;
}

export interface ProcessedEvent {
  groupId: string;
  eventId: string;
  type: string;
  subject: string;
  topic: string;
  processedAt: Date;
}

export function outboxCollection(connection: Connection) {
  return connection.collection<OutboxRecord>(COLLECTIONS.outbox);
}

export function lockCollection(connection: Connection) {
  return connection.collection<RelayLock>(COLLECTIONS.locks);
}

export function processedCollection(connection: Connection) {
  return connection.collection<ProcessedEvent>(COLLECTIONS.processed);
}

function sequenceCollection(connection: Connection) {
  return connection.collection<{ _id: string; seq: number }>(COLLECTIONS.sequence);
}

const prepared = new WeakMap<Connection, Promise<void>>();

/**
 * Creates the collections, indexes and singleton documents once per connection, outside any
 * transaction (collections cannot always be created inside one).
 */
export function prepareCollections(connection: Connection): Promise<void> {
  let done = prepared.get(connection);
  if (!done) {
    done = (async () => {
      await outboxCollection(connection).createIndex({ seq: 1 }, { unique: true, name: 'seq_unique' });
      await outboxCollection(connection).createIndex({ status: 1, seq: 1 }, { name: 'status_seq' });
      await processedCollection(connection).createIndex(
        { groupId: 1, eventId: 1 },
        { unique: true, name: 'group_event_unique' },
      );
      await sequenceCollection(connection).updateOne(
        { _id: SEQUENCE_ID },
        { $setOnInsert: { seq: 0 } },
        { upsert: true },
      );
      await lockCollection(connection).updateOne(
        { _id: RELAY_LOCK_ID },
        { $setOnInsert: { owner: null, expiresAt: new Date(0) } },
        { upsert: true },
      );
    })();
    done.catch(() => prepared.delete(connection));
    prepared.set(connection, done);
  }
  return done;
}

/**
 * Reserves `count` sequence numbers inside the session's transaction and returns the first.
 * Concurrent writers conflict on the counter document, so transactions that write to the
 * outbox commit one after the other, in sequence order: the relay never sees seq n+1 before n.
 */
export async function reserveSequence(
  connection: Connection,
  session: ClientSession,
  count: number,
): Promise<number> {
  const counter = await sequenceCollection(connection).findOneAndUpdate(
    { _id: SEQUENCE_ID },
    { $inc: { seq: count } },
    { session, returnDocument: 'after', upsert: true },
  );
  if (!counter || typeof counter.seq !== 'number') throw new Error('outbox sequence counter missing');
  return counter.seq - count + 1;
}

export function isDuplicateKeyError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;
}
