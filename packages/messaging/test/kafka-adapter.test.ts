// The Kafka adapter's glue against a kafkajs stand-in (no broker here). The real-broker run is
// kafka.contract.test.ts with KAFKA_BROKERS set.
jest.mock('kafkajs', () => jest.requireActual('./support/fake-kafkajs'));

import { HEADERS, KafkaEventBus } from '../src/index.js';
import { eventBusContract } from './support/contract.js';
import { happened, uniqueGroup, uniqueTopic } from './support/events.js';
import { broker } from './support/fake-kafkajs.js';
import { pollUntil } from './support/poll.js';

function newBus(extra: Partial<ConstructorParameters<typeof KafkaEventBus>[0]> = {}) {
  return new KafkaEventBus({ brokers: ['fake:9092'], clientId: 'test', partitions: 3, ...extra });
}

eventBusContract('kafka adapter on a kafkajs stand-in', async () => {
  broker.reset();
  const bus = newBus();
  await bus.start();
  return {
    bus,
    publishRaw: (topic, message) => bus.publishRaw(topic, message),
    eventually: (assertion) => pollUntil(assertion, 5000, 5),
    teardown: () => bus.stop(),
  };
});

describe('Kafka adapter settings (kafkajs stand-in)', () => {
  beforeEach(() => broker.reset());

  it('uses an idempotent producer, acks=all, and manual per-message commits', async () => {
    const bus = newBus();
    await bus.start();
    const topic = uniqueTopic();
    const handled: string[] = [];
    await bus.subscribe({
      groupId: uniqueGroup(),
      topics: [topic],
      handler: async (e) => void handled.push(e.id),
    });
    const event = happened('k', 1);
    await bus.publish(topic, event);
    await pollUntil(() => expect(handled).toEqual([event.id]), 5000, 5);

    expect(broker.producers[0]).toMatchObject({ idempotent: true, maxInFlightRequests: 1 });
    expect(broker.sends.every((s) => s.acks === -1)).toBe(true);
    expect(broker.runs[0]).toMatchObject({ autoCommit: false, eachBatchAutoResolve: false });
    // topic and its dead-letter topic were created with the configured partitions
    expect(broker.topics.get(topic)).toHaveLength(3);
    expect(broker.topics.get(`${topic}.dlq`)).toHaveLength(3);
    const record = broker.topics.get(topic)!.flat()[0]!;
    expect(record.key!.toString()).toBe('k');
    expect(JSON.parse(record.value!.toString())).toMatchObject({ id: event.id, specversion: '1.0' });
    expect(Object.fromEntries(Object.entries(record.headers).map(([k, v]) => [k, String(v)]))).toMatchObject({
      [HEADERS.ceType]: event.type,
      [HEADERS.ceId]: event.id,
      [HEADERS.contentType]: 'application/cloudevents+json',
    });
    await bus.stop();
  });

  it('keeps retrying the connection at start-up instead of failing', async () => {
    broker.failConnects = 2;
    const bus = newBus();
    await bus.start();
    await expect(bus.health()).resolves.toMatchObject({ ok: true });
    expect(broker.failConnects).toBe(0);
    await bus.stop();
  }, 10_000);

  it('tolerates not being authorised to create topics', async () => {
    broker.createTopicsError = 'TOPIC_AUTHORIZATION_FAILED';
    const bus = newBus({ topics: ['honglian.test-managed.v1'] });
    await expect(bus.start()).resolves.toBeUndefined();
    await bus.stop();
  });

  it('replaces a consumer that crashed for good, and reports unhealthy meanwhile', async () => {
    const bus = newBus();
    await bus.start();
    const topic = uniqueTopic();
    const handled: number[] = [];
    await bus.subscribe({
      groupId: uniqueGroup(),
      topics: [topic],
      handler: async (e) => void handled.push((e.data as { n: number }).n),
    });
    await bus.publish(topic, happened('k', 1));
    await pollUntil(() => expect(handled).toEqual([1]), 5000, 5);

    broker.consumerInstances[0]!.crash(new Error('non-retriable'));
    await expect(bus.health()).resolves.toMatchObject({ ok: false });
    await bus.publish(topic, happened('k', 2));
    await pollUntil(() => expect(handled).toEqual([1, 2]), 5000, 5);
    expect(broker.consumerInstances).toHaveLength(2);
    await expect(bus.health()).resolves.toMatchObject({ ok: true });
    await bus.stop();
  }, 10_000);

  it('refuses to publish before start', async () => {
    const bus = newBus();
    await expect(bus.publish(uniqueTopic(), happened('k', 1))).rejects.toMatchObject({
      code: 'BUS_NOT_RUNNING',
    });
  });
});
