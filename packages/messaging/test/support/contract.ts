import { context } from '@opentelemetry/api';
import { createEvent, deadLetterTopic, type CloudEvent } from '@honglian/contracts';
import {
  BusStateError,
  EventValidationError,
  HEADERS,
  type DeadLetter,
  type DeliveryMeta,
  type EventBus,
  type RawMessage,
  type Subscription,
} from '../../src/index.js';
import { deferred, happened, Happened, uniqueGroup, uniqueTopic } from './events.js';
import { activeTraceId, newTraceContext, registerTracing } from './otel.js';

/** What the contract needs from an adapter under test. */
export interface BusHarness {
  /** A started bus. */
  bus: EventBus;
  /** Writes a message to a topic as is (poison messages). */
  publishRaw(topic: string, message: RawMessage): Promise<void>;
  /**
   * Stops the bus and starts a new one on the same broker, as a redeployed process would. Absent
   * where nothing outlives the bus (in-process): there a restart is a new member of the group.
   */
  restart?(): Promise<EventBus>;
  /**
   * Resolves once a group has `members` members with their partitions assigned (a Kafka rebalance
   * is asynchronous). Absent where joining assigns at once.
   */
  settled?(groupId: string, members: number): Promise<void>;
  /** Waits until the assertion holds: after `whenIdle()` in memory, by polling on Kafka. */
  eventually(assertion: () => void): Promise<void>;
  teardown(): Promise<void>;
}

interface Seen {
  event: CloudEvent<{ n: number; note?: string }>;
  meta: DeliveryMeta;
}

function recorder() {
  const seen: Seen[] = [];
  const handler = async (event: CloudEvent, meta: DeliveryMeta): Promise<void> => {
    seen.push({ event: event as Seen['event'], meta });
  };
  return { seen, handler };
}

function deadLetterRecorder() {
  const letters: DeadLetter[] = [];
  return { letters, handler: async (letter: DeadLetter): Promise<void> => void letters.push(letter) };
}

const fast = { maxAttempts: 3, backoffMs: 5 };

/** The EventBus port's contract: every adapter must pass it. */
export function eventBusContract(name: string, makeHarness: () => Promise<BusHarness>): void {
  describe(`EventBus contract: ${name}`, () => {
    let h: BusHarness;
    let bus: EventBus;
    let topic: string;

    beforeAll(() => registerTracing());
    beforeEach(async () => {
      h = await makeHarness();
      bus = h.bus;
      topic = uniqueTopic();
    });
    afterEach(async () => {
      await h.teardown();
    });

    const subscribe = (sub: Partial<Subscription> & Pick<Subscription, 'handler'>) =>
      bus.subscribe({ groupId: uniqueGroup(), topics: [topic], retry: fast, ...sub });

    it('refuses to publish invalid events, with a typed error, and delivers nothing for them', async () => {
      const { seen, handler } = recorder();
      await subscribe({ handler });
      const valid = happened('a-1', 1);
      const unknownType = { ...valid, type: 'honglian.test-bus.never-defined.v1' };
      const badData = { ...valid, data: { n: -1 } };
      const badEnvelope = { ...valid, id: 'not-a-uuid' };

      for (const bad of [unknownType, badData, badEnvelope]) {
        await expect(bus.publish(topic, bad as CloudEvent)).rejects.toBeInstanceOf(EventValidationError);
      }
      await expect(bus.publish(topic, unknownType as CloudEvent)).rejects.toMatchObject({
        code: 'EVENT_INVALID',
        reason: expect.stringContaining('unknown event type'),
      });
      await bus.publish(topic, valid);

      await h.eventually(() => expect(seen.map((s) => s.event.id)).toEqual([valid.id]));
    });

    it('delivers asynchronously: never on the publisher stack, and a failing handler does not fail the publisher', async () => {
      let publishing = false;
      const calls: boolean[] = [];
      const letters = deadLetterRecorder();
      await bus.subscribeDeadLetters({
        groupId: uniqueGroup('dlq'),
        topics: [topic],
        handler: letters.handler,
      });
      await subscribe({
        retry: { maxAttempts: 1, backoffMs: 0 },
        handler: async () => {
          calls.push(publishing);
          throw new Error('handler exploded');
        },
      });
      publishing = true;
      const published = bus.publish(topic, happened('a-1', 1));
      publishing = false;
      await expect(published).resolves.toBeUndefined();

      await h.eventually(() => expect(letters.letters).toHaveLength(1));
      expect(calls).toEqual([false]);
    });

    it('stamps CloudEvents headers and keys messages by subject', async () => {
      const { seen, handler } = recorder();
      await subscribe({ handler });
      const event = happened('compound-42', 7);
      await bus.publish(topic, event);

      await h.eventually(() => expect(seen).toHaveLength(1));
      const { event: got, meta } = seen[0]!;
      expect(got).toMatchObject({
        id: event.id,
        type: Happened.type,
        subject: 'compound-42',
        data: { n: 7 },
      });
      expect(meta).toMatchObject({ topic, key: 'compound-42', attempt: 1 });
      expect(meta.headers).toMatchObject({
        [HEADERS.ceType]: Happened.type,
        [HEADERS.ceId]: event.id,
        [HEADERS.contentType]: 'application/cloudevents+json',
      });
    });

    it('keeps the order of each key', async () => {
      const { seen, handler } = recorder();
      await subscribe({ handler });
      const keys = ['k-1', 'k-2', 'k-3', 'k-4', 'k-5'];
      for (let n = 0; n < 10; n++) for (const key of keys) await bus.publish(topic, happened(key, n));

      await h.eventually(() => expect(seen).toHaveLength(50));
      for (const key of keys) {
        const mine = seen.filter((s) => s.event.subject === key);
        expect(mine.map((s) => s.event.data.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        expect(new Set(mine.map((s) => s.meta.partition)).size).toBe(1);
      }
    });

    it('shares the partitions among the members of one group (disjoint, union = all)', async () => {
      const groupId = uniqueGroup('shared');
      const a = recorder();
      const b = recorder();
      await subscribe({ groupId, handler: a.handler });
      await subscribe({ groupId, handler: b.handler });
      await h.settled?.(groupId, 2);
      const events = Array.from({ length: 40 }, (_, i) => happened(`aggregate-${i}`, 0));
      for (const e of events) await bus.publish(topic, e);

      await h.eventually(() => expect(a.seen.length + b.seen.length).toBe(40));
      const idsA = new Set(a.seen.map((s) => s.event.id));
      const idsB = new Set(b.seen.map((s) => s.event.id));
      expect(idsA.size).toBeGreaterThan(0);
      expect(idsB.size).toBeGreaterThan(0);
      expect([...idsA].filter((id) => idsB.has(id))).toEqual([]);
      expect(new Set([...idsA, ...idsB])).toEqual(new Set(events.map((e) => e.id)));
      // Each member owns whole partitions.
      const partitionsA = new Set(a.seen.map((s) => s.meta.partition));
      expect(b.seen.filter((s) => partitionsA.has(s.meta.partition))).toEqual([]);
    });

    it('gives every group every message', async () => {
      const a = recorder();
      const b = recorder();
      await subscribe({ groupId: uniqueGroup('one'), handler: a.handler });
      await subscribe({ groupId: uniqueGroup('two'), handler: b.handler });
      const events = Array.from({ length: 12 }, (_, i) => happened(`agg-${i % 4}`, i));
      for (const e of events) await bus.publish(topic, e);

      await h.eventually(() => {
        expect(a.seen).toHaveLength(12);
        expect(b.seen).toHaveLength(12);
      });
      const ids = events.map((e) => e.id).sort();
      expect(a.seen.map((s) => s.event.id).sort()).toEqual(ids);
      expect(b.seen.map((s) => s.event.id).sort()).toEqual(ids);
    });

    it('redelivers after a failure (same message, attempt counted) and holds back later messages of the key', async () => {
      const order: string[] = [];
      let failures = 2;
      await subscribe({
        retry: { maxAttempts: 5, backoffMs: 5 },
        handler: async (event, meta) => {
          const n = (event.data as { n: number }).n;
          if (n === 1 && failures > 0) {
            failures -= 1;
            order.push(`fail n=1 attempt=${meta.attempt}`);
            throw new Error('transient');
          }
          order.push(`ok n=${n} attempt=${meta.attempt}`);
        },
      });
      const letters = deadLetterRecorder();
      await bus.subscribeDeadLetters({
        groupId: uniqueGroup('dlq'),
        topics: [topic],
        handler: letters.handler,
      });
      for (const n of [0, 1, 2]) await bus.publish(topic, happened('same-key', n));

      await h.eventually(() => expect(order).toHaveLength(5));
      expect(order).toEqual([
        'ok n=0 attempt=1',
        'fail n=1 attempt=1',
        'fail n=1 attempt=2',
        'ok n=1 attempt=3',
        'ok n=2 attempt=1',
      ]);
      expect(letters.letters).toEqual([]);
    });

    it('commits only after success: a message whose handler never succeeded is redelivered to the next member', async () => {
      const groupId = uniqueGroup('commit');
      const firstTry = deferred();
      const failing = await subscribe({
        groupId,
        retry: { maxAttempts: 1000, backoffMs: 20 },
        handler: async () => {
          firstTry.resolve();
          throw new Error('database down');
        },
      });
      const event = happened('k', 1);
      await bus.publish(topic, event);
      await firstTry.promise;
      await failing.close();

      const { seen, handler } = recorder();
      await subscribe({ groupId, handler });
      await h.eventually(() => expect(seen.map((s) => s.event.id)).toEqual([event.id]));
    });

    it('dead-letters after the retry budget with the failure headers, commits, and goes on', async () => {
      const groupId = uniqueGroup('budget');
      const letters = deadLetterRecorder();
      await bus.subscribeDeadLetters({
        groupId: uniqueGroup('dlq'),
        topics: [topic],
        handler: letters.handler,
      });
      const tries: number[] = [];
      const handled: number[] = [];
      const consumer = await subscribe({
        groupId,
        retry: { maxAttempts: 3, backoffMs: 5 },
        handler: async (event, meta) => {
          const n = (event.data as { n: number }).n;
          if (n === 1) {
            tries.push(meta.attempt);
            throw new Error('points ledger rejected it');
          }
          handled.push(n);
        },
      });
      const poison = happened('k', 1);
      await bus.publish(topic, happened('k', 0));
      await bus.publish(topic, poison);
      await bus.publish(topic, happened('k', 2));

      await h.eventually(() => {
        expect(handled).toEqual([0, 2]);
        expect(letters.letters).toHaveLength(1);
      });
      expect(tries).toEqual([1, 2, 3]);
      const letter = letters.letters[0]!;
      expect(letter.topic).toBe(deadLetterTopic(topic));
      expect(letter).toMatchObject({
        attempts: 3,
        originalTopic: topic,
        key: 'k',
        event: expect.objectContaining({ id: poison.id }),
      });
      expect(letter.reason).toContain('points ledger rejected it');
      expect(letter.headers[HEADERS.failureReason]).toContain('points ledger rejected it');
      expect(letter.headers[HEADERS.failureAttempts]).toBe('3');
      expect(letter.headers[HEADERS.originalTopic]).toBe(topic);
      expect(letter.headers[HEADERS.originalPartition]).toBe(String(letter.originalPartition));
      expect(letter.headers[HEADERS.originalOffset]).toBe(letter.originalOffset);
      expect(letter.headers[HEADERS.ceId]).toBe(poison.id);
      expect(JSON.parse(letter.value)).toMatchObject({ id: poison.id });

      // The dead-lettered message was committed: a restarted member does not see it again.
      await consumer.close();
      const again = recorder();
      await subscribe({ groupId, handler: again.handler });
      await bus.publish(topic, happened('k', 3));
      await h.eventually(() => expect(again.seen.map((s) => s.event.data.n)).toEqual([3]));
    });

    it('sends invalid messages straight to the dead-letter topic, without retrying or blocking', async () => {
      const letters = deadLetterRecorder();
      await bus.subscribeDeadLetters({
        groupId: uniqueGroup('dlq'),
        topics: [topic],
        handler: letters.handler,
      });
      const { seen, handler } = recorder();
      await subscribe({ handler });
      const good = happened('k', 0);
      const headers = { [HEADERS.contentType]: 'application/cloudevents+json' };
      const poison: [string, string][] = [
        ['{not json', 'not JSON'],
        [JSON.stringify({ ...good, id: 'nope' }), 'envelope'],
        [JSON.stringify({ ...good, type: 'honglian.test-bus.unheard-of.v1' }), 'unknown event type'],
        [JSON.stringify({ ...good, data: { n: 'one' } }), 'data'],
      ];
      for (const [value] of poison) await h.publishRaw(topic, { key: 'k', value, headers });
      await bus.publish(topic, good);

      await h.eventually(() => {
        expect(seen.map((s) => s.event.id)).toEqual([good.id]);
        expect(letters.letters).toHaveLength(4);
      });
      const byValue = new Map(letters.letters.map((l) => [l.value, l]));
      for (const [value, reason] of poison) {
        const letter = byValue.get(value)!;
        expect(letter).toBeDefined();
        expect(letter.attempts).toBe(0);
        expect(letter.reason).toContain(reason);
        expect(letter.originalTopic).toBe(topic);
      }
      expect(seen[0]!.meta.attempt).toBe(1);
    });

    it('resumes a group from its committed offsets after a restart', async () => {
      const groupId = uniqueGroup('restart');
      const first = recorder();
      const member = await subscribe({ groupId, handler: first.handler });
      for (const n of [1, 2]) await bus.publish(topic, happened('k', n));
      await h.eventually(() => expect(first.seen).toHaveLength(2));
      await member.close();
      if (h.restart) bus = await h.restart();

      for (const n of [3, 4]) await bus.publish(topic, happened('k', n));
      const second = recorder();
      await subscribe({ groupId, handler: second.handler });
      await h.eventually(() => expect(second.seen.map((s) => s.event.data.n)).toEqual([3, 4]));

      // A new group starts from the beginning.
      const fresh = recorder();
      await subscribe({ handler: fresh.handler });
      await h.eventually(() => expect(fresh.seen.map((s) => s.event.data.n)).toEqual([1, 2, 3, 4]));
    });

    it('carries the trace context from publisher to handler', async () => {
      const traces: { active?: string; event?: string; header?: string }[] = [];
      await subscribe({
        handler: async (event, meta) => {
          traces.push({
            active: activeTraceId(),
            event: event.traceparent,
            header: meta.headers.traceparent,
          });
        },
      });
      const { ctx, traceId } = newTraceContext();
      await context.with(ctx, () => bus.publish(topic, happened('k', 1)));
      // An event that already carries a trace (e.g. from an outbox) and no active span.
      const carried = newTraceContext();
      const stamped = createEvent({
        type: Happened.type,
        source: '/test',
        subject: 'k',
        data: { n: 2 },
        traceparent: `00-${carried.traceId}-0123456789abcdef-01`,
      });
      await bus.publish(topic, stamped);

      await h.eventually(() => expect(traces).toHaveLength(2));
      expect(traces[0]!.active).toBe(traceId);
      expect(traces[0]!.event).toContain(traceId);
      expect(traces[0]!.header).toContain(traceId);
      expect(traces[1]!.active).toBe(carried.traceId);
      expect(traces[1]!.event).toBe(stamped.traceparent);
    });

    it('rejects publishing after stop', async () => {
      await bus.stop();
      await expect(bus.publish(topic, happened('k', 1))).rejects.toBeInstanceOf(BusStateError);
      await expect(bus.health()).resolves.toMatchObject({ ok: false });
    });

    it('reports health', async () => {
      await expect(bus.health()).resolves.toMatchObject({ ok: true });
    });
  });
}
