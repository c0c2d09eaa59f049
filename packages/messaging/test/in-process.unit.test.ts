import { TOPICS } from '@honglian/contracts';
import {
  BusStateError,
  createEventBus,
  InProcessEventBus,
  KafkaEventBus,
  kafkaConfigFromEnv,
  type DeadLetter,
} from '../src/index.js';
import { deferred, happened, uniqueTopic } from './support/events.js';

describe('in-process bus specifics', () => {
  let bus: InProcessEventBus;
  const topic = uniqueTopic();
  beforeEach(() => {
    bus = new InProcessEventBus({ partitions: 4 });
  });
  afterEach(() => bus.stop());

  it('refuses to publish before start and cannot be restarted after stop', async () => {
    await expect(bus.publish(topic, happened('k', 1))).rejects.toBeInstanceOf(BusStateError);
    await bus.start();
    await bus.stop();
    await expect(bus.start()).rejects.toBeInstanceOf(BusStateError);
  });

  it('lets subscribers join before start and delivers once started', async () => {
    const seen: number[] = [];
    await bus.subscribe({
      groupId: 'g',
      topics: [topic],
      handler: async (e) => void seen.push((e.data as { n: number }).n),
    });
    await bus.start();
    await bus.publish(topic, happened('k', 1));
    await bus.whenIdle();
    expect(seen).toEqual([1]);
  });

  it('partitions by key and advances the committed offset only after success', async () => {
    await bus.start();
    let fail = true;
    await bus.subscribe({
      groupId: 'g',
      topics: [topic],
      retry: { maxAttempts: 10, backoffMs: 1 },
      handler: async () => {
        if (fail) throw new Error('not yet');
      },
    });
    const gate = deferred();
    const blocker = bus.subscribe({
      groupId: 'observer',
      topics: [topic],
      handler: async () => gate.promise,
    });
    await blocker;
    await bus.publish(topic, happened('same', 1));
    await bus.publish(topic, happened('same', 2));
    const stored = bus.messages(topic);
    expect(stored).toHaveLength(2);
    expect(stored[0]!.partition).toBe(stored[1]!.partition);
    expect(stored.map((m) => m.offset)).toEqual([0, 1]);
    const p = stored[0]!.partition;

    // the observer group is stuck in its handler: nothing committed for it yet
    await new Promise((r) => setImmediate(r));
    expect(bus.committed('observer', topic)![p]).toBe(0);
    fail = false;
    gate.resolve();
    await bus.whenIdle();
    expect(bus.committed('observer', topic)![p]).toBe(2);
    expect(bus.committed('g', topic)![p]).toBe(2);
    expect(bus.messages(`${topic}.dlq`)).toEqual([]);
  });

  it('stop() waits for handlers in flight', async () => {
    await bus.start();
    const entered = deferred();
    const release = deferred();
    let finished = false;
    await bus.subscribe({
      groupId: 'g',
      topics: [topic],
      handler: async () => {
        entered.resolve();
        await release.promise;
        finished = true;
      },
    });
    await bus.publish(topic, happened('k', 1));
    await entered.promise;
    let stopped = false;
    const stopping = bus.stop().then(() => (stopped = true));
    await new Promise((r) => setImmediate(r));
    expect(stopped).toBe(false);
    release.resolve();
    await stopping;
    expect(finished).toBe(true);
  });

  it('refuses dead-letter topics in subscribe() and never drops a dead letter whose handler fails', async () => {
    await bus.start();
    await expect(
      bus.subscribe({ groupId: 'g', topics: [`${topic}.dlq`], handler: async () => {} }),
    ).rejects.toThrow(/subscribeDeadLetters/);

    let failures = 3;
    const letters: DeadLetter[] = [];
    await bus.subscribeDeadLetters({
      groupId: 'ops',
      topics: [topic],
      retry: { backoffMs: 1 },
      handler: async (letter) => {
        if (failures-- > 0) throw new Error('alerting down');
        letters.push(letter);
      },
    });
    await bus.publishRaw(topic, { key: 'k', value: 'garbage' }); // headers may be omitted
    await bus.subscribe({ groupId: 'g', topics: [topic], handler: async () => {} });
    await bus.whenIdle();
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ value: 'garbage', attempts: 0, originalTopic: topic });
    expect(letters[0]!.event).toBeUndefined();
  });
});

describe('in-process retention (retainMessages)', () => {
  const topic = uniqueTopic();
  let bus: InProcessEventBus;
  afterEach(() => bus.stop());

  it('drops what every group committed beyond the newest N, never what a group still has to read', async () => {
    bus = new InProcessEventBus({ partitions: 1, retainMessages: 3 });
    await bus.start();
    const fast: number[] = [];
    const gate = deferred();
    const slow: number[] = [];
    await bus.subscribe({
      groupId: 'fast',
      topics: [topic],
      handler: async (e) => void fast.push((e.data as { n: number }).n),
    });
    await bus.subscribe({
      groupId: 'slow',
      topics: [topic],
      handler: async (e) => {
        await gate.promise;
        slow.push((e.data as { n: number }).n);
      },
    });
    for (let n = 0; n < 10; n++) await bus.publish(topic, happened('k', n));
    await new Promise((resolve) => setTimeout(resolve, 50));
    // 'slow' has read nothing yet: everything stays.
    expect(bus.messages(topic)).toHaveLength(10);
    gate.resolve();
    await bus.whenIdle();
    expect(fast).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(slow).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Both committed all ten: the newest three are kept, offsets unchanged.
    expect(bus.messages(topic).map((m) => m.offset)).toEqual([7, 8, 9]);
    expect(bus.committed('fast', topic)).toEqual([10]);

    // Offsets go on; a late group reading from the beginning starts at the earliest kept message.
    await bus.publish(topic, happened('k', 10));
    await bus.whenIdle();
    expect(bus.messages(topic).map((m) => m.offset)).toEqual([8, 9, 10]);
    const late: number[] = [];
    await bus.subscribe({
      groupId: 'late',
      topics: [topic],
      fromBeginning: true,
      handler: async (e) => void late.push((e.data as { n: number }).n),
    });
    await bus.whenIdle();
    expect(late).toEqual([8, 9, 10]);
    expect(bus.committed('late', topic)).toEqual([11]);
  });

  it('keeps everything by default (tests read the whole log)', async () => {
    bus = new InProcessEventBus({ partitions: 1 });
    await bus.start();
    await bus.subscribe({ groupId: 'g', topics: [topic], handler: async () => {} });
    for (let n = 0; n < 20; n++) await bus.publish(topic, happened('k', n));
    await bus.whenIdle();
    expect(bus.messages(topic)).toHaveLength(20);
  });
});

describe('createEventBus', () => {
  it('uses the in-process bus without KAFKA_BROKERS and Kafka with it', () => {
    expect(createEventBus({ env: {} })).toBeInstanceOf(InProcessEventBus);
    const kafka = createEventBus({ env: { KAFKA_BROKERS: 'localhost:9092' } });
    expect(kafka).toBeInstanceOf(KafkaEventBus);
    // the suite's topics are created at start-up
    expect((kafka as KafkaEventBus).config.topics).toEqual(Object.values(TOPICS));
    expect(
      (createEventBus({ env: { KAFKA_BROKERS: 'k:9092' }, kafka: { topics: [] } }) as KafkaEventBus).config
        .topics,
    ).toEqual([]);
  });

  it('reads the Kafka settings from the environment', () => {
    expect(kafkaConfigFromEnv({})).toBeUndefined();
    expect(
      kafkaConfigFromEnv({
        KAFKA_BROKERS: 'k1:9092, k2:9092',
        KAFKA_CLIENT_ID: 'volunteer-points',
        KAFKA_SSL: 'true',
        KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD: 'p',
        KAFKA_TOPIC_PARTITIONS: '6',
        KAFKA_REPLICATION_FACTOR: '3',
      }),
    ).toEqual({
      brokers: ['k1:9092', 'k2:9092'],
      clientId: 'volunteer-points',
      ssl: true,
      sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' },
      partitions: 6,
      replicationFactor: 3,
    });
    expect(() => kafkaConfigFromEnv({ KAFKA_BROKERS: 'k', KAFKA_TOPIC_PARTITIONS: 'many' })).toThrow(
      /KAFKA_TOPIC_PARTITIONS/,
    );
  });

  it('reads KAFKA_NAMESPACE, the prefix of every topic and group on the broker', () => {
    expect(kafkaConfigFromEnv({ KAFKA_BROKERS: 'k', KAFKA_NAMESPACE: ' staging. ' })).toMatchObject({
      namespace: 'staging.',
    });
    expect(kafkaConfigFromEnv({ KAFKA_BROKERS: 'k', KAFKA_NAMESPACE: '' })).not.toHaveProperty('namespace');
    expect(() => kafkaConfigFromEnv({ KAFKA_BROKERS: 'k', KAFKA_NAMESPACE: 'a/b' })).toThrow(
      /KAFKA_NAMESPACE/,
    );
    expect(() => new KafkaEventBus({ brokers: ['k'], clientId: 'c', namespace: 'x y' })).toThrow(/namespace/);
  });
});
