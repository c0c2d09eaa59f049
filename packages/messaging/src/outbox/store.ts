import type { ClientSession, Connection } from 'mongoose';
import type { CloudEvent } from '@honglian/contracts';

/** Collections this package keeps in a service's database. */
export const COLLECTIONS = {
  outbox: 'outbox',
  sequence: 'outbox_sequence',
  locks: 'outbox_locks',
  processed: 'processed_events',
} as const;

export const RELAY_LOCK_ID = 'outbox-relay';

/** `invalid`: refused by `publish` (its schema changed since it was written); kept for inspection, never retried. */
export type OutboxStatus = 'pending' | 'sent' | 'invalid';

/** One event waiting to be (or already) published. */
export interface OutboxRecord {
  /** The event id: an event enters the outbox once. */
  _id: string;
  /** The sequence lane of `key` (see `laneOf`): a key always writes to the same lane. */
  lane: number;
  /**
   * Position in its lane (1, 2, …): allocated in the writing transaction on the lane's counter,
   * so a lane's records (and so a key's) commit in seq order while other lanes never wait.
   */
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
  return connection.collection<{ _id: number; seq: number }>(COLLECTIONS.sequence);
}

/**
 * Sequence lanes of an outbox. One counter for the whole outbox would make every event-writing
 * transaction conflict with every other; one per key would grow with the aggregates. Keys hash
 * onto a fixed set of lanes instead: writers conflict only when their keys share a lane.
 */
export const OUTBOX_LANES = 1024;

/** The lane of a key (FNV-1a, stable across processes and releases). */
export function laneOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % OUTBOX_LANES;
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
      // Sequences were once one counter for the whole outbox; drop its indexes where they remain.
      for (const old of ['seq_unique', 'status_seq']) {
        await outboxCollection(connection)
          .dropIndex(old)
          .catch(() => undefined);
      }
      await outboxCollection(connection).createIndex(
        { lane: 1, seq: 1 },
        { unique: true, name: 'lane_seq_unique' },
      );
      await outboxCollection(connection).createIndex(
        { status: 1, lane: 1, seq: 1 },
        { name: 'status_lane_seq' },
      );
      await processedCollection(connection).createIndex(
        { groupId: 1, eventId: 1 },
        { unique: true, name: 'group_event_unique' },
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
 * Reserves `count` sequence numbers of `lane` inside the session's transaction and returns the
 * first. Writers of the same lane conflict on its counter document, so they commit one after the
 * other in seq order: the relay never sees n+1 of a lane (or of a key) without n.
 */
export async function reserveSequence(
  connection: Connection,
  session: ClientSession,
  lane: number,
  count: number,
): Promise<number> {
  const counter = await sequenceCollection(connection).findOneAndUpdate(
    { _id: lane },
    { $inc: { seq: count } },
    { session, returnDocument: 'after', upsert: true },
  );
  if (!counter || typeof counter.seq !== 'number') throw new Error(`outbox lane ${lane} has no counter`);
  return counter.seq - count + 1;
}

export function isDuplicateKeyError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;
}
