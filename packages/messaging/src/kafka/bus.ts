// The only module that talks to kafkajs (with ./headers.ts): swapping the client happens here.
import {
  Kafka,
  Partitioners,
  logLevel,
  type Admin,
  type Consumer,
  type EachBatchPayload,
  type KafkaConfig,
  type LogEntry,
  type Producer,
  type SASLOptions,
} from 'kafkajs';
import { deadLetterTopic, type CloudEvent } from '@honglian/contracts';
import type { DeliveryEnv } from '../delivery.js';
import { BusStateError, errorMessage, PublishTimeoutError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import type {
  DeadLetterSubscription,
  EventBus,
  Health,
  PublishOptions,
  RawInput,
  RawMessage,
  Subscriber,
  Subscription,
} from '../port.js';
import { backoffDelay, retryPolicy, sleep } from '../retry.js';
import { deadLetterConsumption, eventConsumption, type Consumption } from '../subscription.js';
import { publishEvent } from '../wire.js';
import type { KafkaBusConfig } from './config.js';
import { fromKafkaMessage, toKafkaHeaders } from './headers.js';

type State = 'created' | 'starting' | 'started' | 'stopping' | 'stopped';

/** Backoff of connection / start-up retries: 0.5 s doubling to 30 s, forever (until stop). */
const RECONNECT = retryPolicy({ maxAttempts: Number.MAX_SAFE_INTEGER, backoffMs: 500, maxBackoffMs: 30_000 });
const HEALTH_CACHE_MS = 5000;
const HEALTH_TIMEOUT_MS = 3000;

const LEVELS = {
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
} as const;

function kafkaLogCreator(logger: Logger) {
  return () =>
    ({ namespace, level, log }: LogEntry): void => {
      const { message, ...extra } = log;
      const obj = { kafkajs: namespace, ...extra };
      if (level === logLevel.ERROR) logger.error(obj, message);
      else if (level === logLevel.WARN) logger.warn(obj, message);
      else if (level === logLevel.INFO) logger.info(obj, message);
      else logger.debug(obj, message);
    };
}

function errorsOf(error: unknown): { type?: string; retriable?: boolean }[] {
  const e = error as { errors?: unknown[] };
  return (Array.isArray(e?.errors) ? e.errors : [error]) as { type?: string; retriable?: boolean }[];
}

const TOLERATED_CREATE_ERRORS = new Set([
  'TOPIC_ALREADY_EXISTS',
  'TOPIC_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
]);

function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The EventBus port on Kafka (kafkajs 2.2.4). Producer: idempotent, acks=all, one request in
 * flight, key = aggregate id, structured CloudEvents value with `ce_*` and W3C trace headers.
 * Consumers: one kafkajs consumer per subscription; offsets are committed one message at a time
 * and only after the handler succeeded or the message went to `<topic>.dlq`.
 */
export class KafkaEventBus implements EventBus {
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly admin: Admin;
  private readonly logger: Logger;
  private readonly members = new Set<KafkaMember>();
  private readonly topicsEnsured = new Map<string, Promise<void>>();
  private readonly stopController = new AbortController();
  private state: State = 'created';
  private connecting: Promise<void> | null = null;
  private stopping: Promise<void> | null = null;
  private lastHealth: { at: number; health: Health } | null = null;
  private readonly namespace: string;

  constructor(readonly config: KafkaBusConfig) {
    if (!config.brokers?.length) throw new TypeError('KafkaEventBus: at least one broker is required');
    this.namespace = config.namespace ?? '';
    if (!/^[A-Za-z0-9._-]{0,100}$/.test(this.namespace)) {
      throw new TypeError(
        `KafkaEventBus: namespace must be at most 100 of [A-Za-z0-9._-], got "${this.namespace}"`,
      );
    }
    this.logger = config.logger ?? silentLogger;
    const kafkaConfig: KafkaConfig = {
      clientId: config.clientId,
      brokers: config.brokers,
      logLevel: LEVELS[config.clientLogLevel ?? 'warn'],
      logCreator: kafkaLogCreator(this.logger),
      retry: { initialRetryTime: 300, maxRetryTime: 30_000, retries: 8 },
      ...(config.ssl !== undefined ? { ssl: config.ssl } : {}),
      ...(config.sasl ? { sasl: config.sasl as SASLOptions } : {}),
      ...(config.connectionTimeoutMs ? { connectionTimeout: config.connectionTimeoutMs } : {}),
      ...(config.requestTimeoutMs ? { requestTimeout: config.requestTimeoutMs } : {}),
    };
    this.kafka = new Kafka(kafkaConfig);
    // Idempotent producer: acks=-1, retries unlimited (kafkajs default), one in-flight request so
    // a retried batch can never overtake the next one.
    this.producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.admin = this.kafka.admin();
  }

  async publish(topic: string, event: CloudEvent, opts?: PublishOptions): Promise<void> {
    this.assertPublishable();
    await publishEvent(topic, event, opts, (message) => this.send(topic, message));
  }

  /** Produces a message as is, unvalidated (tests, redriving dead letters). */
  async publishRaw(topic: string, message: RawInput): Promise<void> {
    this.assertPublishable();
    await this.send(topic, { ...message, headers: message.headers ?? {} });
  }

  async subscribe(subscription: Subscription): Promise<Subscriber> {
    return this.join(eventConsumption(subscription, this.config.retry));
  }

  async subscribeDeadLetters(subscription: DeadLetterSubscription): Promise<Subscriber> {
    return this.join(deadLetterConsumption(subscription, this.config.retry));
  }

  /**
   * Connects (retrying with backoff until it works or `stop()` is called: a broker outage never
   * fails start-up), creates the configured topics, then starts the subscribers.
   */
  async start(): Promise<void> {
    if (this.state === 'started') return;
    if (this.state === 'starting') return this.connecting!;
    if (this.state !== 'created') throw new BusStateError('a Kafka bus cannot be restarted after stop()');
    this.state = 'starting';
    this.connecting = (async () => {
      await this.untilConnected();
      if (!this.stopController.signal.aborted) await this.untilTopicsEnsured();
      if (this.stopController.signal.aborted) {
        // stop() raced with start-up: do not leave the clients connected behind its back.
        await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
        return;
      }
      this.state = 'started';
      await Promise.all([...this.members].map((m) => m.launch()));
    })();
    return this.connecting;
  }

  /** Creates the configured topics, retrying with backoff: a broker lost right after connecting must not fail start(). */
  private async untilTopicsEnsured(): Promise<void> {
    for (let attempt = 1; !this.stopController.signal.aborted; attempt++) {
      try {
        await Promise.all((this.config.topics ?? []).map((t) => this.ensureTopic(t)));
        return;
      } catch (error) {
        const delay = backoffDelay(RECONNECT, attempt);
        this.logger.warn(
          { err: error, attempt, retryInMs: delay },
          `kafka topic creation failed: ${errorMessage(error)}`,
        );
        await sleep(delay, this.stopController.signal);
      }
    }
  }

  stop(): Promise<void> {
    if (this.state === 'stopped') return Promise.resolve();
    if (this.stopping) return this.stopping;
    this.state = 'stopping';
    this.stopController.abort();
    this.stopping = (async () => {
      await Promise.allSettled([...this.members].map((m) => m.close()));
      await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
      this.state = 'stopped';
    })();
    return this.stopping;
  }

  async health(): Promise<Health> {
    if (this.state !== 'started') return { ok: false, detail: `kafka bus is ${this.state}` };
    const down = [...this.members].filter((m) => !m.running);
    if (down.length > 0) {
      return { ok: false, detail: `consumer group(s) not running: ${down.map((m) => m.groupId).join(', ')}` };
    }
    const now = Date.now();
    if (this.lastHealth && now - this.lastHealth.at < HEALTH_CACHE_MS) return this.lastHealth.health;
    let health: Health;
    try {
      const cluster = await withTimeout(
        this.admin.describeCluster(),
        HEALTH_TIMEOUT_MS,
        () => new Error(`no answer in ${HEALTH_TIMEOUT_MS} ms`),
      );
      health = { ok: cluster.brokers.length > 0, detail: `${cluster.brokers.length} broker(s)` };
    } catch (error) {
      health = { ok: false, detail: `kafka unreachable: ${errorMessage(error)}` };
    }
    this.lastHealth = { at: now, health };
    return health;
  }

  private assertPublishable(): void {
    if (this.state === 'created') throw new BusStateError('cannot publish: the bus is not started');
    if (this.state === 'stopping' || this.state === 'stopped') {
      throw new BusStateError('cannot publish: the bus is stopped');
    }
  }

  private async send(topic: string, message: RawMessage): Promise<void> {
    if (this.state === 'starting') await this.connecting;
    this.assertPublishable();
    await this.produce(topic, message);
  }

  private async produce(topic: string, message: RawMessage): Promise<void> {
    await this.ensureTopic(topic);
    const ms = this.config.publishTimeoutMs ?? 30_000;
    await withTimeout(
      this.producer.send({
        topic: this.onWire(topic),
        acks: -1,
        messages: [{ key: message.key, value: message.value, headers: toKafkaHeaders(message.headers) }],
      }),
      ms,
      () => new PublishTimeoutError(topic, ms),
    );
  }

  private async untilConnected(): Promise<void> {
    for (let attempt = 1; !this.stopController.signal.aborted; attempt++) {
      try {
        await this.admin.connect();
        await this.producer.connect();
        return;
      } catch (error) {
        const delay = backoffDelay(RECONNECT, attempt);
        this.logger.warn(
          { err: error, attempt, retryInMs: delay },
          `kafka connection failed: ${errorMessage(error)}`,
        );
        await sleep(delay, this.stopController.signal);
      }
    }
  }

  /** Creates a topic (and its `.dlq`) once, when allowed; connection failures reject (callers retry). */
  ensureTopic(topic: string): Promise<void> {
    if (this.config.createTopics === false) return Promise.resolve();
    let ensured = this.topicsEnsured.get(topic);
    if (!ensured) {
      ensured = this.createTopics(topic.endsWith('.dlq') ? [topic] : [topic, deadLetterTopic(topic)]);
      ensured.catch(() => this.topicsEnsured.delete(topic));
      this.topicsEnsured.set(topic, ensured);
    }
    return ensured;
  }

  private async createTopics(appNames: string[]): Promise<void> {
    const names = appNames.map((n) => this.onWire(n));
    try {
      const existing = new Set(await this.admin.listTopics());
      const missing = names.filter((n) => !existing.has(n));
      if (missing.length === 0) return;
      await this.admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: this.config.partitions ?? 3,
          replicationFactor: this.config.replicationFactor ?? -1,
        })),
      });
      this.logger.info({ topics: missing }, 'kafka topics created');
    } catch (error) {
      const errors = errorsOf(error);
      if (errors.every((e) => e.type && TOLERATED_CREATE_ERRORS.has(e.type))) {
        this.logger.warn({ topics: names, err: error }, `topics not created: ${errorMessage(error)}`);
        return;
      }
      if (errors.every((e) => e.type && e.retriable === false)) {
        // Configuration refused by the cluster (replication factor, policy): retrying will not help.
        this.logger.error({ topics: names, err: error }, `topics not created: ${errorMessage(error)}`);
        return;
      }
      throw error;
    }
  }

  private async join(consumption: Consumption): Promise<Subscriber> {
    if (this.state === 'stopping' || this.state === 'stopped') {
      throw new BusStateError('cannot subscribe: the bus is stopped');
    }
    const member = new KafkaMember(this, this.kafka, consumption, this.logger, (m) => this.members.delete(m));
    this.members.add(member);
    if (this.state === 'starting') await this.connecting;
    if (this.state === 'started') await member.launch();
    return member;
  }

  /**
   * Used by members to dead-letter: raw, through the idempotent producer, acks=all. Allowed while
   * stopping (in-flight batches finish before the producer disconnects).
   */
  async deadLetter(topic: string, message: RawMessage): Promise<void> {
    if (this.state === 'stopped') throw new BusStateError('cannot dead-letter: the bus is stopped');
    await this.produce(deadLetterTopic(topic), message);
  }

  get sessionTimeout(): number {
    return this.config.sessionTimeoutMs ?? 30_000;
  }

  /** The broker's name of a topic or consumer group: the namespace, then the name. */
  onWire(name: string): string {
    return this.namespace + name;
  }

  /** The application's name of a topic the broker named. */
  offWire(name: string): string {
    return this.namespace && name.startsWith(this.namespace) ? name.slice(this.namespace.length) : name;
  }
}

/** One subscription = one kafkajs consumer in the subscription's group. */
class KafkaMember implements Subscriber {
  readonly groupId: string;
  readonly topics: readonly string[];
  running = false;
  private consumer: Consumer | null = null;
  private readonly abort = new AbortController();
  private closed = false;
  private launching: Promise<void> | null = null;
  private launched = false;
  private crashes = 0;

  constructor(
    private readonly bus: KafkaEventBus,
    private readonly kafka: Kafka,
    private readonly consumption: Consumption,
    private readonly logger: Logger,
    private readonly onClose: (m: KafkaMember) => void,
  ) {
    this.groupId = consumption.groupId;
    this.topics = consumption.topics;
  }

  /** Creates topics, connects, joins the group and runs; retried with backoff until it works or closes. */
  launch(): Promise<void> {
    if (!this.launched) {
      this.launched = true;
      this.launching = this.launchLoop();
    }
    return this.launching ?? Promise.resolve();
  }

  /** After a crash kafkajs does not recover from: a fresh consumer. */
  private relaunch(): void {
    if (this.closed) return;
    this.launching = this.launchLoop();
  }

  private async launchLoop(): Promise<void> {
    for (let attempt = 1; !this.closed; attempt++) {
      try {
        await Promise.all(this.consumption.topics.map((t) => this.bus.ensureTopic(t)));
        const consumer = this.createConsumer();
        this.consumer = consumer;
        await consumer.connect();
        await consumer.subscribe({
          topics: this.consumption.topics.map((t) => this.bus.onWire(t)),
          fromBeginning: this.consumption.fromBeginning,
        });
        if (this.closed) {
          await consumer.disconnect().catch(() => {});
          return;
        }
        await consumer.run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          partitionsConsumedConcurrently: this.bus.config.partitionsConsumedConcurrently ?? 1,
          eachBatch: (payload) => this.eachBatch(payload),
        });
        this.running = true;
        return;
      } catch (error) {
        this.running = false;
        const delay = backoffDelay(RECONNECT, attempt);
        this.logger.warn(
          { groupId: this.groupId, topics: this.topics, err: error, attempt, retryInMs: delay },
          `kafka consumer start failed: ${errorMessage(error)}`,
        );
        await this.consumer?.disconnect().catch(() => {});
        await sleep(delay, this.abort.signal);
      }
    }
  }

  private createConsumer(): Consumer {
    const consumer = this.kafka.consumer({
      groupId: this.bus.onWire(this.groupId),
      sessionTimeout: this.bus.sessionTimeout,
      heartbeatInterval: this.bus.config.heartbeatIntervalMs ?? 3000,
      maxWaitTimeInMs: this.bus.config.maxWaitTimeMs ?? 1000,
      retry: {
        initialRetryTime: 500,
        maxRetryTime: 30_000,
        retries: 8,
        // kafkajs restarts the consumer itself after retriable crashes (e.g. broker outage).
        restartOnFailure: async () => !this.closed,
      },
    });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.running = true;
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.running = false;
      if (payload.restart || this.closed) return;
      // A crash kafkajs will not restart from: start a fresh consumer, with growing backoff.
      this.crashes += 1;
      const delay = backoffDelay(RECONNECT, this.crashes);
      this.logger.error(
        { groupId: this.groupId, err: payload.error, retryInMs: delay },
        `kafka consumer crashed: ${errorMessage(payload.error)}`,
      );
      void consumer
        .disconnect()
        .catch(() => {})
        .then(() => sleep(delay, this.abort.signal))
        .then(() => this.relaunch());
    });
    return consumer;
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const { partition } = batch;
    // Handlers, dead letters and logs see the application's topic name; offsets are the broker's.
    const topic = this.bus.offWire(batch.topic);
    const env: DeliveryEnv = {
      groupId: this.groupId,
      policy: this.consumption.policy,
      signal: this.abort.signal,
      deadLetter: (letter) => this.bus.deadLetter(topic, letter),
      heartbeat,
      logger: this.logger,
    };
    for (const message of batch.messages) {
      if (!isRunning() || isStale() || this.closed) break;
      const outcome = await this.consumption.deliver(
        fromKafkaMessage(message),
        { topic, partition, offset: message.offset },
        env,
      );
      // Interrupted by close/stop: leave the offset uncommitted, the message will be redelivered.
      if (outcome === 'interrupted') break;
      resolveOffset(message.offset);
      await commitOffsetsIfNecessary({
        topics: [
          {
            topic: batch.topic,
            partitions: [{ partition, offset: (BigInt(message.offset) + 1n).toString() }],
          },
        ],
      });
      // Progress, not merely rejoining the group, resets the crash backoff: a message that crashes
      // the consumer every time must not restart it at the shortest delay forever.
      this.crashes = 0;
      await heartbeat();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    // disconnect() waits for the batch in flight, then leaves the group.
    await this.consumer?.disconnect().catch((error: unknown) => {
      this.logger.warn({ groupId: this.groupId, err: error }, 'kafka consumer disconnect failed');
    });
    this.running = false;
    this.onClose(this);
  }
}
