/**
 * A small in-memory stand-in for the parts of kafkajs 2.2.4 the Kafka adapter uses, to exercise
 * the adapter's glue (producer settings, headers, manual offset commits, dead letters, start-up
 * retries) without a broker. It is not Kafka: the contract test against a real broker is the
 * authority (KAFKA_BROKERS).
 */
import { EventEmitter } from 'node:events';

type Headers = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

interface Record_ {
  key: Buffer | null;
  value: Buffer | null;
  headers: Headers;
  offset: string;
  timestamp: string;
}

interface GroupState {
  committed: Map<string, number>;
  members: FakeConsumer[];
  generation: number;
}

class ProtocolError extends Error {
  constructor(
    readonly type: string,
    readonly retriable: boolean,
  ) {
    super(type);
    this.name = 'KafkaJSProtocolError';
  }
}

/** The broker the fakes share; tests reset it and inject failures. */
export const broker = {
  topics: new Map<string, Record_[][]>(),
  groups: new Map<string, GroupState>(),
  /** Connection attempts to fail before connecting works. */
  failConnects: 0,
  /** Error types createTopics answers with (instead of creating). */
  createTopicsError: null as string | null,
  /** Admin calls (listTopics, describeCluster) to fail with a connection error, as when the broker goes away. */
  failAdminCalls: 0,
  /** Clients currently connected (producers, consumers, admins): 0 after a clean shutdown. */
  connected: new Set<object>(),
  sends: [] as { topic: string; acks?: number }[],
  producers: [] as Record<string, unknown>[],
  consumers: [] as Record<string, unknown>[],
  consumerInstances: [] as FakeConsumer[],
  runs: [] as Record<string, unknown>[],
  reset(): void {
    this.topics.clear();
    this.groups.clear();
    this.failConnects = 0;
    this.createTopicsError = null;
    this.failAdminCalls = 0;
    this.connected.clear();
    this.sends = [];
    this.producers = [];
    this.consumers = [];
    this.consumerInstances = [];
    this.runs = [];
  },
};

function connectOrFail(): void {
  if (broker.failConnects > 0) {
    broker.failConnects -= 1;
    const error = new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    error.name = 'KafkaJSConnectionError';
    throw error;
  }
}

function toBuffer(v: Buffer | string | null | undefined): Buffer | null {
  if (v === null || v === undefined) return null;
  return Buffer.isBuffer(v) ? v : Buffer.from(v);
}

function hash(key: Buffer): number {
  let h = 0;
  for (const b of key) h = (h * 31 + b) >>> 0;
  return h;
}

export const logLevel = { NOTHING: 0, ERROR: 1, WARN: 2, INFO: 4, DEBUG: 5 };
export const Partitioners = { DefaultPartitioner: () => () => 0 };

export class Kafka {
  constructor(readonly config: Record<string, unknown>) {}
  producer(options: Record<string, unknown>): FakeProducer {
    broker.producers.push(options);
    return new FakeProducer();
  }
  consumer(options: { groupId: string }): FakeConsumer {
    broker.consumers.push(options);
    const consumer = new FakeConsumer(options.groupId);
    broker.consumerInstances.push(consumer);
    return consumer;
  }
  admin(): FakeAdmin {
    return new FakeAdmin();
  }
}

class FakeProducer {
  private connected = false;
  async connect(): Promise<void> {
    connectOrFail();
    this.connected = true;
    broker.connected.add(this);
  }
  async disconnect(): Promise<void> {
    this.connected = false;
    broker.connected.delete(this);
  }
  async send({
    topic,
    acks,
    messages,
  }: {
    topic: string;
    acks?: number;
    messages: { key?: string | Buffer | null; value: string | Buffer | null; headers?: Headers }[];
  }) {
    if (!this.connected) throw new Error('The producer is disconnected');
    const partitions = broker.topics.get(topic);
    if (!partitions) throw new ProtocolError('UNKNOWN_TOPIC_OR_PARTITION', true);
    broker.sends.push({ topic, ...(acks !== undefined ? { acks } : {}) });
    return messages.map((m) => {
      const key = toBuffer(m.key);
      const partition = key ? hash(key) % partitions.length : 0;
      const log = partitions[partition]!;
      const headers: Headers = {};
      for (const [k, v] of Object.entries(m.headers ?? {})) headers[k] = toBuffer(v as string) ?? undefined;
      log.push({
        key,
        value: toBuffer(m.value),
        headers,
        offset: String(log.length),
        timestamp: String(Date.now()),
      });
      return { topicName: topic, partition, errorCode: 0 };
    });
  }
}

class FakeAdmin {
  async connect(): Promise<void> {
    connectOrFail();
    broker.connected.add(this);
  }
  async disconnect(): Promise<void> {
    broker.connected.delete(this);
  }
  private failIfAsked(): void {
    if (broker.failAdminCalls > 0) {
      broker.failAdminCalls -= 1;
      const error = new Error('Connection error: read ECONNRESET');
      error.name = 'KafkaJSConnectionError';
      throw error;
    }
  }
  async listTopics(): Promise<string[]> {
    this.failIfAsked();
    return [...broker.topics.keys()];
  }
  async createTopics({ topics }: { topics: { topic: string; numPartitions?: number }[] }): Promise<boolean> {
    if (broker.createTopicsError) {
      const error = new Error('create topics failed') as Error & { errors: ProtocolError[] };
      error.name = 'KafkaJSAggregateError';
      error.errors = topics.map(() => new ProtocolError(broker.createTopicsError!, false));
      throw error;
    }
    let created = false;
    for (const { topic, numPartitions } of topics) {
      if (broker.topics.has(topic)) continue;
      broker.topics.set(
        topic,
        Array.from({ length: numPartitions ?? 1 }, () => []),
      );
      created = true;
    }
    return created;
  }
  async describeCluster() {
    this.failIfAsked();
    return { brokers: [{ nodeId: 0, host: 'fake', port: 9092 }], controller: 0, clusterId: 'fake' };
  }
}

interface RunConfig {
  autoCommit?: boolean;
  eachBatchAutoResolve?: boolean;
  eachBatch: (payload: unknown) => Promise<void>;
}

class FakeConsumer {
  readonly events = { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash' };
  private readonly emitter = new EventEmitter();
  private topics: string[] = [];
  private fromBeginning = false;
  private run_: RunConfig | null = null;
  private running = false;
  private assigned = new Set<string>();
  private resolved = new Map<string, number>();
  private busy = new Set<string>();
  private inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;

  constructor(readonly groupId: string) {}

  on(event: string, listener: (e: { payload: unknown }) => void): void {
    this.emitter.on(event, listener);
  }
  async connect(): Promise<void> {
    connectOrFail();
    broker.connected.add(this);
  }
  async subscribe({ topics, fromBeginning }: { topics: string[]; fromBeginning?: boolean }): Promise<void> {
    for (const t of topics)
      if (!broker.topics.has(t)) throw new ProtocolError('UNKNOWN_TOPIC_OR_PARTITION', true);
    this.topics.push(...topics);
    this.fromBeginning = !!fromBeginning;
  }
  private group(): GroupState {
    let g = broker.groups.get(this.groupId);
    if (!g) {
      g = { committed: new Map(), members: [], generation: 0 };
      broker.groups.set(this.groupId, g);
    }
    return g;
  }
  async run(config: RunConfig): Promise<void> {
    broker.runs.push({ ...config });
    this.run_ = config;
    this.running = true;
    const g = this.group();
    g.members.push(this);
    rebalance(g);
    this.emitter.emit(this.events.GROUP_JOIN, { payload: { groupId: this.groupId } });
    this.schedule();
  }
  setAssignment(parts: Set<string>): void {
    this.assigned = parts;
    this.resolved.clear();
  }
  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.poll();
      this.schedule();
    }, 2);
  }
  private poll(): void {
    const g = this.group();
    for (const tp of this.assigned) {
      if (this.busy.has(tp)) continue;
      const [topic, p] = splitTp(tp);
      const log = broker.topics.get(topic)?.[p] ?? [];
      const start = this.resolved.get(tp) ?? g.committed.get(tp) ?? (this.fromBeginning ? 0 : log.length);
      if (start >= log.length) continue;
      const messages = log.slice(start, start + 5);
      this.busy.add(tp);
      const work = this.processBatch(topic, p, messages).finally(() => {
        this.busy.delete(tp);
        this.inFlight.delete(work);
      });
      this.inFlight.add(work);
    }
  }
  private async processBatch(topic: string, partition: number, messages: Record_[]): Promise<void> {
    const tp = `${topic}:${partition}`;
    const g = this.group();
    try {
      await this.run_!.eachBatch({
        batch: { topic, partition, messages, highWatermark: '0' },
        resolveOffset: (offset: string) => this.resolved.set(tp, Number(offset) + 1),
        heartbeat: async () => {},
        pause: () => () => {},
        commitOffsetsIfNecessary: async (offsets?: {
          topics: { topic: string; partitions: { partition: number; offset: string }[] }[];
        }) => {
          if (!offsets) return;
          for (const t of offsets.topics)
            for (const p of t.partitions) g.committed.set(`${t.topic}:${p.partition}`, Number(p.offset));
        },
        uncommittedOffsets: () => ({ topics: [] }),
        isRunning: () => this.running,
        isStale: () => !this.assigned.has(tp),
      });
    } catch {
      // kafkajs would retry from the last resolved offset.
    }
  }
  /** What kafkajs does on a crash it will not restart from: stop, then emit CRASH. */
  crash(error: Error): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.emitter.emit(this.events.CRASH, { payload: { error, groupId: this.groupId, restart: false } });
  }
  get isRunning(): boolean {
    return this.running;
  }
  async disconnect(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await Promise.allSettled([...this.inFlight]);
    broker.connected.delete(this);
    const g = this.group();
    if (g.members.includes(this)) {
      g.members = g.members.filter((m) => m !== this);
      rebalance(g);
    }
  }
}

function splitTp(tp: string): [string, number] {
  const i = tp.lastIndexOf(':');
  return [tp.slice(0, i), Number(tp.slice(i + 1))];
}

function rebalance(g: GroupState): void {
  g.generation += 1;
  const assignments = new Map<FakeConsumer, Set<string>>(g.members.map((m) => [m, new Set()]));
  const topics = new Set(g.members.flatMap((m) => (m as unknown as { topics: string[] }).topics));
  for (const topic of topics) {
    const members = g.members.filter((m) => (m as unknown as { topics: string[] }).topics.includes(topic));
    const n = broker.topics.get(topic)?.length ?? 0;
    for (let p = 0; p < n; p++) assignments.get(members[p % members.length]!)!.add(`${topic}:${p}`);
  }
  for (const [m, parts] of assignments) m.setAssignment(parts);
}
