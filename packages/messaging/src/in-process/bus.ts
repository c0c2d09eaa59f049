import { deadLetterTopic, type CloudEvent } from '@honglian/contracts';
import type { DeliveryEnv } from '../delivery.js';
import { BusStateError, errorMessage } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import type {
  DeadLetterSubscription,
  EventBus,
  Health,
  PublishOptions,
  RawInput,
  RawMessage,
  RetryPolicy,
  Subscriber,
  Subscription,
} from '../port.js';
import { deadLetterConsumption, eventConsumption, type Consumption } from '../subscription.js';
import { publishEvent } from '../wire.js';
import { partitionOf } from './partitioner.js';

export interface InProcessBusOptions {
  /** Partitions of every topic. Default 3. */
  partitions?: number;
  /** Default retry policy of subscriptions (each may override it). */
  retry?: Partial<RetryPolicy>;
  /**
   * Messages every consumer group has committed are dropped beyond this many per partition (the
   * newest are kept, for late `fromBeginning` subscribers and inspection), so a long-running
   * process does not grow without bound. A message some group has not committed is never
   * dropped. Default: keep everything (tests read the whole log).
   */
  retainMessages?: number;
  logger?: Logger;
}

/** A message as the in-process log keeps it. */
export interface StoredMessage extends RawMessage {
  partition: number;
  offset: number;
  timestamp: number;
}

interface TopicLog {
  /** The retained messages of each partition; `bases[p]` is the offset of `partitions[p][0]`. */
  partitions: StoredMessage[][];
  bases: number[];
  roundRobin: number;
}

interface Member {
  id: number;
  group: Group;
  consumption: Consumption;
  abort: AbortController;
  closed: boolean;
}

interface Cursor {
  topic: string;
  partition: number;
  /** Offset of the next message to deliver (Kafka's committed offset). */
  committed: number;
  owner: Member | null;
  running: Promise<void> | null;
  inFlight: { member: Member; done: Promise<unknown> } | null;
}

interface Group {
  id: string;
  members: Member[];
  cursors: Map<string, Cursor[]>;
}

type State = 'created' | 'started' | 'stopping' | 'stopped';

/**
 * The EventBus port in memory, with Kafka's semantics: per-topic logs partitioned by key hash,
 * consumer groups with committed offsets per partition, partitions shared among the members of a
 * group, at-least-once delivery, blocking per-partition retries, dead letters to `<topic>.dlq`.
 * Delivery is always asynchronous (a handler never runs on the publisher's stack).
 * For tests and single-process development; nothing survives the process.
 */
export class InProcessEventBus implements EventBus {
  readonly partitions: number;
  private readonly defaults: Partial<RetryPolicy> | undefined;
  private readonly retain: number;
  private readonly logger: Logger;
  private readonly topics = new Map<string, TopicLog>();
  private readonly groups = new Map<string, Group>();
  private state: State = 'created';
  private stopping: Promise<void> | null = null;
  private nextMemberId = 1;
  private idleWaiters: (() => void)[] = [];

  constructor(options: InProcessBusOptions = {}) {
    const partitions = options.partitions ?? 3;
    if (!Number.isInteger(partitions) || partitions < 1)
      throw new RangeError('partitions must be a positive integer');
    this.partitions = partitions;
    this.defaults = options.retry;
    const retain = options.retainMessages ?? Number.POSITIVE_INFINITY;
    if (!(retain >= 0)) throw new RangeError('retainMessages must be zero or more');
    this.retain = retain;
    this.logger = options.logger ?? silentLogger;
  }

  async publish(topic: string, event: CloudEvent, opts?: PublishOptions): Promise<void> {
    this.assertRunning('publish');
    await publishEvent(topic, event, opts, async (message) => {
      this.assertRunning('publish');
      this.append(topic, message);
    });
  }

  /** Appends a message as is, unvalidated (tests, redriving dead letters). */
  async publishRaw(topic: string, message: RawInput): Promise<void> {
    this.assertRunning('publish');
    this.append(topic, { ...message, headers: message.headers ?? {} });
  }

  async subscribe(subscription: Subscription): Promise<Subscriber> {
    return this.join(eventConsumption(subscription, this.defaults));
  }

  async subscribeDeadLetters(subscription: DeadLetterSubscription): Promise<Subscriber> {
    return this.join(deadLetterConsumption(subscription, this.defaults));
  }

  async start(): Promise<void> {
    if (this.state === 'started') return;
    if (this.state !== 'created')
      throw new BusStateError('an in-process bus cannot be restarted after stop()');
    this.state = 'started';
    for (const group of this.groups.values()) this.scheduleGroup(group);
  }

  stop(): Promise<void> {
    if (this.state === 'stopped') return Promise.resolve();
    if (this.stopping) return this.stopping;
    const wasStarted = this.state === 'started';
    this.state = 'stopping';
    this.stopping = (async () => {
      for (const group of this.groups.values()) for (const m of group.members) m.abort.abort();
      if (wasStarted) await Promise.allSettled(this.allCursors().map((c) => c.running));
      this.state = 'stopped';
      this.checkIdle();
    })();
    return this.stopping;
  }

  async health(): Promise<Health> {
    if (this.state === 'started') return { ok: true };
    return { ok: false, detail: `in-process bus is ${this.state}` };
  }

  /**
   * Resolves once every message that has an assigned consumer has been handled (or
   * dead-lettered), including messages published while waiting. Test helper.
   */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Alias of `whenIdle()`. */
  drain(): Promise<void> {
    return this.whenIdle();
  }

  /** The messages of a topic in partition/offset order (inspection in tests). */
  messages(topic: string): StoredMessage[] {
    const log = this.topics.get(topic);
    return log ? log.partitions.flat() : [];
  }

  /** Committed offsets of a group on a topic, per partition (`undefined` if the group never read it). */
  committed(groupId: string, topic: string): number[] | undefined {
    return this.groups
      .get(groupId)
      ?.cursors.get(topic)
      ?.map((c) => c.committed);
  }

  private assertRunning(what: string): void {
    if (this.state === 'created') throw new BusStateError(`cannot ${what}: the bus is not started`);
    if (this.state !== 'started') throw new BusStateError(`cannot ${what}: the bus is stopped`);
  }

  private log(topic: string): TopicLog {
    let log = this.topics.get(topic);
    if (!log) {
      log = {
        partitions: Array.from({ length: this.partitions }, () => []),
        bases: Array.from({ length: this.partitions }, () => 0),
        roundRobin: 0,
      };
      this.topics.set(topic, log);
    }
    return log;
  }

  private append(topic: string, message: RawMessage): void {
    const log = this.log(topic);
    const partition =
      message.key === null ? log.roundRobin++ % this.partitions : partitionOf(message.key, this.partitions);
    const part = log.partitions[partition]!;
    part.push({
      key: message.key,
      value: message.value,
      headers: { ...message.headers },
      partition,
      offset: log.bases[partition]! + part.length,
      timestamp: Date.now(),
    });
    for (const group of this.groups.values()) {
      const cursor = group.cursors.get(topic)?.[partition];
      if (cursor) this.schedule(group, cursor);
    }
  }

  private async join(consumption: Consumption): Promise<Subscriber> {
    if (this.state === 'stopping' || this.state === 'stopped') {
      throw new BusStateError('cannot subscribe: the bus is stopped');
    }
    let group = this.groups.get(consumption.groupId);
    if (!group) {
      group = { id: consumption.groupId, members: [], cursors: new Map() };
      this.groups.set(group.id, group);
    }
    for (const topic of consumption.topics) {
      if (group.cursors.has(topic)) continue;
      const log = this.log(topic);
      group.cursors.set(
        topic,
        log.partitions.map((messages, partition) => ({
          topic,
          partition,
          committed: log.bases[partition]! + (consumption.fromBeginning ? 0 : messages.length),
          owner: null,
          running: null,
          inFlight: null,
        })),
      );
    }
    const member: Member = {
      id: this.nextMemberId++,
      group,
      consumption,
      abort: new AbortController(),
      closed: false,
    };
    group.members.push(member);
    this.assign(group);
    return {
      groupId: consumption.groupId,
      topics: consumption.topics,
      close: () => this.leave(member),
    };
  }

  private async leave(member: Member): Promise<void> {
    if (member.closed) return;
    member.closed = true;
    member.abort.abort();
    const group = member.group;
    group.members = group.members.filter((m) => m !== member);
    const inFlight = this.allCursors(group)
      .map((c) => c.inFlight)
      .filter((f) => f?.member === member)
      .map((f) => f!.done);
    this.assign(group);
    await Promise.allSettled(inFlight);
    this.checkIdle();
  }

  /** Partition p of a topic goes to member p mod n of the members subscribed to it (in join order). */
  private assign(group: Group): void {
    for (const [topic, cursors] of group.cursors) {
      const members = group.members.filter((m) => !m.closed && m.consumption.topics.includes(topic));
      for (const cursor of cursors)
        cursor.owner = members[cursor.partition % Math.max(members.length, 1)] ?? null;
    }
    this.scheduleGroup(group);
    this.checkIdle();
  }

  private scheduleGroup(group: Group): void {
    for (const cursors of group.cursors.values()) for (const cursor of cursors) this.schedule(group, cursor);
  }

  private pending(cursor: Cursor): boolean {
    const log = this.topics.get(cursor.topic);
    const part = log?.partitions[cursor.partition];
    return !!part && cursor.committed < log.bases[cursor.partition]! + part.length;
  }

  private schedule(group: Group, cursor: Cursor): void {
    if (this.state !== 'started' || cursor.running || !cursor.owner || !this.pending(cursor)) return;
    cursor.running = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.pump(group, cursor))
      .catch((error: unknown) => {
        this.logger.error(
          { topic: cursor.topic, partition: cursor.partition, groupId: group.id, err: error },
          `in-process delivery failed: ${errorMessage(error)}`,
        );
      })
      .finally(() => {
        cursor.running = null;
        this.schedule(group, cursor);
        this.checkIdle();
      });
  }

  /** Delivers one partition's messages in order; a message is committed only once handled or dead-lettered. */
  private async pump(group: Group, cursor: Cursor): Promise<void> {
    const log = this.log(cursor.topic);
    const part = log.partitions[cursor.partition]!;
    while (this.state === 'started') {
      const member = cursor.owner;
      if (!member || member.closed) return;
      const message = part[cursor.committed - log.bases[cursor.partition]!];
      if (!message) return;
      const env: DeliveryEnv = {
        groupId: group.id,
        policy: member.consumption.policy,
        signal: member.abort.signal,
        deadLetter: async (letter) => this.append(deadLetterTopic(cursor.topic), letter),
        logger: this.logger,
      };
      const done = member.consumption.deliver(
        message,
        { topic: cursor.topic, partition: cursor.partition, offset: String(message.offset) },
        env,
      );
      cursor.inFlight = { member, done };
      let outcome;
      try {
        outcome = await done;
      } finally {
        cursor.inFlight = null;
      }
      if (outcome === 'interrupted') return;
      cursor.committed = message.offset + 1;
      this.trim(cursor.topic, cursor.partition);
    }
  }

  /** Drops what every group has committed beyond the newest `retainMessages` of a partition. */
  private trim(topic: string, partition: number): void {
    const log = this.topics.get(topic);
    const part = log?.partitions[partition];
    if (!log || !part || part.length <= this.retain) return;
    let consumed = Number.POSITIVE_INFINITY;
    for (const group of this.groups.values()) {
      const cursor = group.cursors.get(topic)?.[partition];
      if (cursor) consumed = Math.min(consumed, cursor.committed);
    }
    if (consumed === Number.POSITIVE_INFINITY) return; // nobody reads it yet: keep it for them
    const drop = Math.min(consumed - log.bases[partition]!, part.length - this.retain);
    if (drop <= 0) return;
    part.splice(0, drop);
    log.bases[partition]! += drop;
  }

  private allCursors(group?: Group): Cursor[] {
    const groups = group ? [group] : [...this.groups.values()];
    return groups.flatMap((g) => [...g.cursors.values()].flat());
  }

  private isIdle(): boolean {
    if (this.state !== 'started') return this.allCursors().every((c) => !c.running);
    return this.allCursors().every((c) => !c.running && !(c.owner && this.pending(c)));
  }

  private checkIdle(): void {
    if (this.idleWaiters.length === 0 || !this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
