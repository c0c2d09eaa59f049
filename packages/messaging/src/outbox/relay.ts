import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import type { Connection } from 'mongoose';
import { errorMessage, EventValidationError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import type { EventBus, Health } from '../port.js';
import { backoffDelay, retryPolicy, sleep } from '../retry.js';
import { onOutboxCommit } from './notify.js';
import { lockCollection, outboxCollection, prepareCollections, RELAY_LOCK_ID } from './store.js';

export interface OutboxRelayOptions {
  connection: Connection;
  bus: Pick<EventBus, 'publish'>;
  /** How often to look for pending records when not nudged. Default 1000 ms. */
  pollIntervalMs?: number;
  /** Records read per round. Default 100. */
  batchSize?: number;
  /** How long the relay lease lasts without renewal; a crashed relay's work is taken over after it. Default 30 s. */
  leaseMs?: number;
  /** Backoff after a failed round: doubles from `backoffMs` to `maxBackoffMs`. Defaults 500 ms / 30 s. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Sent records older than this are deleted (checked at most hourly). Default 7 days; 0 keeps them. */
  retainSentMs?: number;
  /** Lease owner id. Default `<hostname>:<pid>:<uuid>`. */
  owner?: string;
  logger?: Logger;
}

export interface RelayStatus {
  running: boolean;
  /** Consecutive failed rounds (0 when the last round went through). */
  failures: number;
  lastError?: string;
  published: number;
  /** Records set aside because `publish` refused them as invalid (status `invalid` in the outbox). */
  invalid: number;
}

/** What waits in the outbox: see `OutboxRelay.backlog`. */
export interface OutboxBacklog {
  pending: number;
  oldestAgeSeconds: number;
}

const PURGE_EVERY_MS = 60 * 60 * 1000;

/** `read`: records dealt with this round (a full batch means more may wait); `published`: sent to the bus. */
interface RoundResult {
  read: number;
  published: number;
}

/**
 * Publishes the outbox of one database, each key's records in sequence order, and marks them sent only after the
 * bus acknowledged them. One relay at a time holds the lease (a lock document), so concurrent
 * relays on one database never publish out of order. Resumable: whatever was committed and not
 * yet marked sent is published by the next relay (after a crash: once the lease expired).
 * At-least-once: a crash between publish and mark republishes; consumers deduplicate by event id.
 */
export class OutboxRelay {
  readonly owner: string;
  private readonly connection: Connection;
  private readonly bus: Pick<EventBus, 'publish'>;
  private readonly logger: Logger;
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private readonly leaseMs: number;
  private readonly retainSentMs: number;
  private readonly backoff: ReturnType<typeof retryPolicy>;
  private running = false;
  private stopping = false;
  private loop: Promise<void> | null = null;
  private wake: AbortController = new AbortController();
  private nudged = false;
  private exclusive: Promise<unknown> = Promise.resolve();
  private unlisten: (() => void) | null = null;
  private leaseUntil = 0;
  private lastPurge = 0;
  private readonly state: RelayStatus = { running: false, failures: 0, published: 0, invalid: 0 };

  constructor(options: OutboxRelayOptions) {
    this.connection = options.connection;
    this.bus = options.bus;
    this.logger = options.logger ?? silentLogger;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.batchSize = options.batchSize ?? 100;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.retainSentMs = options.retainSentMs ?? 7 * 24 * 60 * 60 * 1000;
    this.backoff = retryPolicy({
      maxAttempts: Number.MAX_SAFE_INTEGER,
      backoffMs: options.backoffMs ?? 500,
      maxBackoffMs: options.maxBackoffMs ?? 30_000,
    });
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID()}`;
  }

  async start(): Promise<void> {
    if (this.running) return;
    await prepareCollections(this.connection);
    this.running = true;
    this.state.running = true;
    this.unlisten = onOutboxCommit(this.connection, () => this.notify());
    this.loop = this.run();
  }

  /** Stops after the record in flight; releases the lease so another relay can take over at once. */
  async stop(): Promise<void> {
    this.stopping = true;
    try {
      if (this.running) {
        this.running = false;
        this.state.running = false;
        this.unlisten?.();
        this.wake.abort();
        await this.loop;
      }
      await this.exclusive.catch(() => {});
      if (this.leaseUntil > Date.now()) {
        this.leaseUntil = 0;
        await lockCollection(this.connection)
          .updateOne(
            { _id: RELAY_LOCK_ID, owner: this.owner },
            { $set: { owner: null, expiresAt: new Date(0) } },
          )
          .catch((error: unknown) => this.logger.warn({ err: error }, 'outbox lease release failed'));
      }
    } finally {
      this.stopping = false;
      this.loop = null;
    }
  }

  /** Looks for pending records now instead of at the next poll (ignored while backing off after a failure). */
  notify(): void {
    this.nudged = true;
    if (this.state.failures === 0) this.wake.abort();
  }

  /**
   * Publishes everything pending now (serialised with the background loop) and returns how many
   * records it published. Rejects when a publish fails. Useful in tests and at shutdown.
   */
  async flush(): Promise<number> {
    await prepareCollections(this.connection);
    let total = 0;
    for (;;) {
      const { read, published } = await this.round();
      total += published;
      if (read < this.batchSize) return total;
    }
  }

  status(): RelayStatus {
    return { ...this.state };
  }

  /**
   * What waits in the outbox (metrics, alerts): pending records and the age of the oldest one
   * in seconds (0 when none waits). Read from the database, so every replica reports the same.
   */
  async backlog(now: Date = new Date()): Promise<OutboxBacklog> {
    const outbox = outboxCollection(this.connection);
    const pending = await outbox.countDocuments({ status: 'pending' });
    if (pending === 0) return { pending: 0, oldestAgeSeconds: 0 };
    const [oldest] = await outbox
      .find({ status: 'pending' }, { projection: { createdAt: 1 } })
      .sort({ createdAt: 1 })
      .limit(1)
      .toArray();
    const createdAt = oldest?.createdAt ? new Date(oldest.createdAt).getTime() : now.getTime();
    return { pending, oldestAgeSeconds: Math.max(0, (now.getTime() - createdAt) / 1000) };
  }

  /** For /readyz: unhealthy while publishing keeps failing. */
  async health(): Promise<Health> {
    if (!this.running) return { ok: false, detail: 'outbox relay is not running' };
    if (this.state.failures >= 3) {
      return {
        ok: false,
        detail: `outbox relay failing (${this.state.failures}x): ${this.state.lastError ?? ''}`,
      };
    }
    return { ok: true };
  }

  private async run(): Promise<void> {
    while (this.running) {
      let delay = this.pollIntervalMs;
      this.nudged = false;
      try {
        const { read } = await this.round();
        if (this.state.failures > 0) this.logger.info({ owner: this.owner }, 'outbox relay recovered');
        this.state.failures = 0;
        delete this.state.lastError;
        if (read >= this.batchSize) delay = 0;
      } catch (error) {
        this.state.failures += 1;
        this.state.lastError = errorMessage(error);
        delay = backoffDelay(this.backoff, this.state.failures);
        this.logger.warn(
          { owner: this.owner, err: error, failures: this.state.failures, retryInMs: delay },
          `outbox relay round failed: ${errorMessage(error)}`,
        );
      }
      if (!this.running) break;
      if (this.nudged && this.state.failures === 0) continue;
      this.wake = new AbortController();
      await sleep(delay, this.wake.signal);
    }
  }

  /** One round, never two at once in this process: lease, read a batch in order, publish, mark. */
  private round(): Promise<RoundResult> {
    const next = this.exclusive.catch(() => {}).then(() => this.publishBatch());
    this.exclusive = next;
    return next;
  }

  private async publishBatch(): Promise<RoundResult> {
    if (!(await this.holdLease())) return { read: 0, published: 0 };
    const outbox = outboxCollection(this.connection);
    // Each lane's records (so each key's) in seq order; lanes are independent, as partitions are.
    const records = await outbox
      .find({ status: 'pending' })
      .sort({ lane: 1, seq: 1 })
      .limit(this.batchSize)
      .toArray();
    let published = 0;
    let handled = 0;
    // Records are marked sent together after the batch (one write, not one per record): a crash
    // in between sends them again, which idempotent consumers absorb, as any redelivery.
    const sent: (typeof records)[number]['_id'][] = [];
    const markSent = async () => {
      if (sent.length === 0) return;
      await outbox.updateMany(
        { _id: { $in: sent.splice(0) } },
        { $set: { status: 'sent', sentAt: new Date() }, $inc: { attempts: 1 }, $unset: { lastError: '' } },
      );
    };
    try {
      for (const record of records) {
        if (this.stopping) break; // leave the rest to the next round / relay
        if (!(await this.holdLease())) break;
        try {
          // Outside any caller's context: the trace is the one of the request that wrote the record.
          await context.with(ROOT_CONTEXT, () =>
            this.bus.publish(record.topic, record.event, { key: record.key }),
          );
        } catch (error) {
          if (
            error instanceof EventValidationError ||
            (error as { code?: unknown })?.code === 'EVENT_INVALID'
          ) {
            // Retrying cannot help, and a record that is never sent would block the whole outbox.
            await outbox.updateOne(
              { _id: record._id, status: 'pending' },
              { $set: { status: 'invalid', lastError: errorMessage(error) }, $inc: { attempts: 1 } },
            );
            this.state.invalid += 1;
            this.logger.error(
              { eventId: record._id, topic: record.topic, lane: record.lane, seq: record.seq, err: error },
              `outbox record set aside as invalid: ${errorMessage(error)}`,
            );
            handled += 1;
            continue;
          }
          await outbox
            .updateOne(
              { _id: record._id, status: 'pending' },
              { $inc: { attempts: 1 }, $set: { lastError: errorMessage(error) } },
            )
            .catch(() => {});
          throw error;
        }
        sent.push(record._id);
        published += 1;
        handled += 1;
        this.state.published += 1;
      }
    } finally {
      // What was published before a failure is marked too, so it is not sent twice needlessly.
      await markSent();
    }
    await this.purge();
    // A round cut short (stopping, lease lost) reports fewer than a batch, so flush() does not spin.
    return { read: handled, published };
  }

  /** Takes or renews the lease when less than half of it is left. False when another relay holds it. */
  private async holdLease(): Promise<boolean> {
    const now = Date.now();
    if (this.leaseUntil - now > this.leaseMs / 2) return true;
    const until = now + this.leaseMs;
    const lock = await lockCollection(this.connection).findOneAndUpdate(
      {
        _id: RELAY_LOCK_ID,
        $or: [{ owner: this.owner }, { owner: null }, { expiresAt: { $lte: new Date(now) } }],
      },
      { $set: { owner: this.owner, expiresAt: new Date(until) } },
      { returnDocument: 'after' },
    );
    if (lock?.owner === this.owner) {
      this.leaseUntil = until;
      return true;
    }
    this.leaseUntil = 0;
    return false;
  }

  private async purge(): Promise<void> {
    const now = Date.now();
    if (this.retainSentMs <= 0 || now - this.lastPurge < PURGE_EVERY_MS) return;
    this.lastPurge = now;
    await outboxCollection(this.connection)
      .deleteMany({ status: 'sent', sentAt: { $lt: new Date(now - this.retainSentMs) } })
      .catch((error: unknown) => this.logger.warn({ err: error }, 'outbox purge failed'));
  }
}
