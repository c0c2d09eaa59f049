// The Kafka adapter's glue against a kafkajs stand-in (no broker here). The real-broker run is
// kafka.contract.test.ts with KAFKA_BROKERS set.
jest.mock('kafkajs', () => jest.requireActual('./support/fake-kafkajs'));

import { context } from '@opentelemetry/api';
import { HEADERS, KafkaEventBus } from '../src/index.js';
import { eventBusContract } from './support/contract.js';
import { happened, uniqueGroup, uniqueTopic } from './support/events.js';
import { broker } from './support/fake-kafkajs.js';
import { newTraceContext, registerTracing } from './support/otel.js';
import { pollUntil } from './support/poll.js';

function newBus(extra: Partial<ConstructorParameters<typeof KafkaEventBus>[0]> = {}) {
  return new KafkaEventBus({ brokers: ['fake:9092'], clientId: 'test', partitions: 3, ...extra });
}

eventBusContract('kafka adapter on a kafkajs stand-in', async () => {
  broker.reset();
  let bus = newBus();
  await bus.start();
  return {
    bus,
    publishRaw: (topic, message) => bus.publishRaw(topic, message),
    restart: async () => {
      await bus.stop();
      bus = newBus();
      await bus.start();
      return bus;
    },
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

describe('Kafka adapter messages and lifecycle (kafkajs stand-in)', () => {
  beforeEach(() => {
    broker.reset();
    registerTracing();
  });

  const headersOf = (record: { headers: Record<string, unknown> }) =>
    Object.fromEntries(Object.entries(record.headers).map(([k, v]) => [k, String(v)]));

  it('keys by aggregate id (or the given key) and sends type, content type and traceparent headers', async () => {
    const bus = newBus();
    await bus.start();
    const topic = uniqueTopic();
    const { ctx, traceId } = newTraceContext();
    const event = happened('compound-7', 1);
    await context.with(ctx, () => bus.publish(topic, event));
    await bus.publish(topic, happened('compound-8', 2), { key: 'custom-key', headers: { 'x-extra': 'yes' } });
    await bus.stop();

    const records = broker.topics.get(topic)!.flat();
    const first = records.find((r) => JSON.parse(r.value!.toString()).id === event.id)!;
    expect(first.key!.toString()).toBe('compound-7');
    expect(headersOf(first)).toMatchObject({
      [HEADERS.ceType]: event.type,
      [HEADERS.ceSubject]: 'compound-7',
      [HEADERS.contentType]: 'application/cloudevents+json',
      [HEADERS.traceparent]: expect.stringMatching(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`)),
    });
    // The envelope carries the trace too (it survives a relay that drops headers).
    expect(JSON.parse(first.value!.toString()).traceparent).toContain(traceId);
    const second = records.find((r) => r !== first)!;
    expect(second.key!.toString()).toBe('custom-key');
    expect(headersOf(second)).toMatchObject({ 'x-extra': 'yes', [HEADERS.ceSubject]: 'compound-8' });
  });

  it('writes a dead letter to <topic>.dlq: same key and value, original headers plus the failure headers', async () => {
    const bus = newBus();
    await bus.start();
    const topic = uniqueTopic();
    const groupId = uniqueGroup();
    await bus.subscribe({
      groupId,
      topics: [topic],
      retry: { maxAttempts: 2, backoffMs: 1 },
      handler: async () => {
        throw new Error('ledger closed');
      },
    });
    const event = happened('member-9', 1);
    await bus.publish(topic, event);
    await pollUntil(() => expect(broker.topics.get(`${topic}.dlq`)!.flat()).toHaveLength(1), 5000, 5);
    await bus.stop();

    const original = broker.topics.get(topic)!.flat()[0]!;
    const letter = broker.topics.get(`${topic}.dlq`)!.flat()[0]!;
    expect(letter.key!.toString()).toBe('member-9');
    expect(letter.value!.equals(original.value!)).toBe(true);
    const h = headersOf(letter);
    expect(h).toMatchObject({
      ...headersOf(original),
      [HEADERS.failureReason]: 'handler failed after 2 attempt(s): ledger closed',
      [HEADERS.failureAttempts]: '2',
      [HEADERS.originalTopic]: topic,
      [HEADERS.originalPartition]: String(broker.topics.get(topic)!.findIndex((p) => p.length > 0)),
      [HEADERS.originalOffset]: '0',
      [HEADERS.consumerGroup]: groupId,
    });
    expect(Number.isNaN(Date.parse(h[HEADERS.failedAt]!))).toBe(false);
    // The dead-lettered message was committed: offset 1 of its partition.
    const partition = Number(h[HEADERS.originalPartition]);
    expect(broker.groups.get(groupId)!.committed.get(`${topic}:${partition}`)).toBe(1);
    expect(broker.sends.filter((s) => s.topic === `${topic}.dlq`).every((s) => s.acks === -1)).toBe(true);
  });

  it('creates the configured topics and their dead-letter topics at start-up', async () => {
    const bus = newBus({ topics: ['honglian.test-startup.v1'], partitions: 4 });
    await bus.start();
    expect(broker.topics.get('honglian.test-startup.v1')).toHaveLength(4);
    expect(broker.topics.get('honglian.test-startup.v1.dlq')).toHaveLength(4);
    await bus.stop();
  });

  it('does not fail start-up when the broker drops while topics are being created', async () => {
    broker.failAdminCalls = 2;
    const bus = newBus({ topics: ['honglian.test-flaky.v1'] });
    await expect(bus.start()).resolves.toBeUndefined();
    expect(broker.failAdminCalls).toBe(0);
    expect(broker.topics.has('honglian.test-flaky.v1')).toBe(true);
    await expect(bus.health()).resolves.toMatchObject({ ok: true });
    await bus.stop();
  }, 10_000);

  it('reports unhealthy when the cluster does not answer', async () => {
    const bus = newBus();
    await bus.start();
    broker.failAdminCalls = 1;
    await expect(bus.health()).resolves.toEqual({
      ok: false,
      detail: expect.stringContaining('kafka unreachable'),
    });
    await bus.stop();
  });

  it('disconnects every client and leaves its groups on stop', async () => {
    const bus = newBus();
    await bus.start();
    const topic = uniqueTopic();
    const groupId = uniqueGroup();
    await bus.subscribe({ groupId, topics: [topic], handler: async () => {} });
    await bus.subscribeDeadLetters({ groupId: uniqueGroup('dlq'), topics: [topic], handler: async () => {} });
    expect(broker.connected.size).toBe(4); // admin, producer, two consumers
    await bus.stop();
    expect(broker.connected.size).toBe(0);
    expect(broker.groups.get(groupId)!.members).toEqual([]);
    await expect(bus.health()).resolves.toMatchObject({ ok: false });
  });

  it('can be stopped while start-up is still waiting for the broker, leaving nothing connected', async () => {
    broker.failConnects = Number.MAX_SAFE_INTEGER;
    const bus = newBus();
    const starting = bus.start();
    await pollUntil(() => expect(broker.failConnects).toBeLessThan(Number.MAX_SAFE_INTEGER), 5000, 5);
    await bus.stop();
    await expect(starting).resolves.toBeUndefined();
    expect(broker.connected.size).toBe(0);
  });

  it('retries a consumer that cannot connect, with backoff, until it joins', async () => {
    const bus = newBus();
    await bus.start();
    const topic = uniqueTopic();
    const handled: number[] = [];
    broker.failConnects = 2; // the consumer's first two connection attempts fail
    const joining = bus.subscribe({
      groupId: uniqueGroup(),
      topics: [topic],
      handler: async (e) => void handled.push((e.data as { n: number }).n),
    });
    await expect(joining).resolves.toBeDefined();
    expect(broker.failConnects).toBe(0);
    await bus.publish(topic, happened('k', 1));
    await pollUntil(() => expect(handled).toEqual([1]), 5000, 5);
    await bus.stop();
  }, 10_000);
});
