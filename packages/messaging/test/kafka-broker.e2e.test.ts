import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Admin, type Consumer } from 'kafkajs';
import { createEvent, defineEvent, deadLetterTopic, type CloudEvent } from '@honglian/contracts';
import { Schema } from 'mongoose';
import { z } from 'zod';
import { HEADERS, idempotent, kafkaInspector, KafkaEventBus, type KafkaBusConfig } from '../src/index.js';
import { openTestDb, type TestDb } from './support/db.js';
import { happened, uniqueGroup, uniqueTopic } from './support/events.js';
import { pollUntil } from './support/poll.js';
import { realKafkaBrokers } from './support/real-kafka.js';

/**
 * Facts of the Kafka adapter that only a real broker can show (the EventBus contract in
 * kafka.contract.test.ts covers the rest on the same broker): a crashed member's group resumes at
 * its committed offset; poison messages land in `<topic>.dlq` with their reason in the headers; a
 * duplicate changes nothing; creating topics at start-up is idempotent, even from several
 * processes at once; namespaces keep suites that share a cluster apart.
 *   npm run stack:up && KAFKA_BROKERS=127.0.0.1:9092 npx jest test/kafka-broker.e2e.test.ts
 */
const brokers = realKafkaBrokers('Kafka broker facts (kafka-broker.e2e.test.ts)');

const WAIT_MS = 120_000;
const eventually = (assertion: () => void) => pollUntil(assertion, WAIT_MS, 100);

if (!brokers) {
  describe.skip('Kafka broker facts (skipped: KAFKA_BROKERS not set)', () => {
    it('needs a Kafka broker', () => {});
  });
} else {
  jest.setTimeout(240_000);

  const buses: KafkaEventBus[] = [];
  const bus = async (extra: Partial<KafkaBusConfig> = {}) => {
    const b = new KafkaEventBus({
      brokers,
      clientId: 'honglian-broker-facts',
      partitions: 3,
      replicationFactor: 1,
      sessionTimeoutMs: 10_000,
      heartbeatIntervalMs: 1000,
      ...extra,
    });
    buses.push(b);
    await b.start();
    return b;
  };
  let admin: Admin;
  const consumers: Consumer[] = [];
  const kafka = new Kafka({ clientId: 'honglian-broker-facts-raw', brokers, logLevel: logLevel.NOTHING });

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
  });
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((b) => b.stop()));
    await Promise.all(consumers.splice(0).map((c) => c.disconnect()));
  });
  afterAll(() => admin?.disconnect());

  describe('Kafka broker facts', () => {
    it('resumes a group at its committed offset after a member crashed mid-message (SIGKILL)', async () => {
      const topic = uniqueTopic('crash');
      const groupId = uniqueGroup('crash');
      const dir = mkdtempSync(path.join(tmpdir(), 'honglian-crash-'));
      const seenFile = path.join(dir, 'seen');
      try {
        const producer = await bus({ partitions: 1 });
        // One partition, one key: the order is total.
        for (let n = 0; n < 10; n++) await producer.publish(topic, happened('member-7', n));

        const child = spawn(
          process.execPath,
          [
            path.join(__dirname, 'support', 'crashing-consumer.mjs'),
            brokers.join(','),
            topic,
            groupId,
            '4',
            seenFile,
          ],
          { stdio: ['ignore', 'inherit', 'inherit'] },
        );
        const exit = await new Promise<NodeJS.Signals | number | null>((resolve) =>
          child.once('exit', (code, signal) => resolve(signal ?? code)),
        );
        expect(exit).toBe('SIGKILL');
        const seenBefore = readFileSync(seenFile, 'utf8').split('\n').filter(Boolean);
        // It handled 0–3 (each committed before the next) and died inside the handler of 4.
        expect(seenBefore.filter((l) => l !== 'subscribed')).toEqual(['0', '1', '2', '3', '4']);

        const resumed: number[] = [];
        await producer.subscribe({
          groupId,
          topics: [topic],
          handler: async (event) => void resumed.push((event.data as { n: number }).n),
        });
        // The new member waits for the dead one's session to expire, then starts at offset 4:
        // 4 again (its handler never finished, so it was never committed), nothing before it.
        await eventually(() => expect(resumed).toEqual([4, 5, 6, 7, 8, 9]));
        // ...and commits as it goes: the group ends at offset 10.
        await pollUntilAsync(async () => {
          const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
          return committed?.partitions[0]?.offset === '10';
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('puts a poison message on <topic>.dlq with its reason in the headers, and goes on', async () => {
      const topic = uniqueTopic('poison');
      const b = await bus();
      const handled: string[] = [];
      await b.subscribe({
        groupId: uniqueGroup('poison'),
        topics: [topic],
        retry: { maxAttempts: 2, backoffMs: 10 },
        handler: async (event) => {
          if ((event.data as { n: number }).n === 1) throw new Error('points ledger refused member-9');
          handled.push(event.id);
        },
      });
      const good = happened('member-9', 0);
      const failing = happened('member-9', 1);
      const after = happened('member-9', 2);
      await b.publishRaw(topic, { key: 'member-9', value: '{"specversion": "1.0", broken', headers: {} });
      for (const e of [good, failing, after]) await b.publish(topic, e);
      await eventually(() => expect(handled).toEqual([good.id, after.id]));

      // Read the dead-letter topic on the broker itself, not through the bus.
      const letters: { value: string; headers: Record<string, string> }[] = [];
      const raw = kafka.consumer({ groupId: uniqueGroup('dlq-reader') });
      consumers.push(raw);
      await raw.connect();
      await raw.subscribe({ topic: deadLetterTopic(topic), fromBeginning: true });
      await raw.run({
        eachMessage: async ({ message }) => {
          const headers = Object.fromEntries(
            Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
          );
          letters.push({ value: message.value!.toString(), headers });
        },
      });
      await eventually(() => expect(letters).toHaveLength(2));
      const [unreadable, refused] = letters;
      expect(unreadable!.value).toBe('{"specversion": "1.0", broken');
      expect(unreadable!.headers).toMatchObject({
        [HEADERS.failureAttempts]: '0',
        [HEADERS.originalTopic]: topic,
      });
      expect(unreadable!.headers[HEADERS.failureReason]).toMatch(/JSON/);
      expect(JSON.parse(refused!.value)).toMatchObject({ id: failing.id });
      expect(refused!.headers).toMatchObject({
        [HEADERS.failureAttempts]: '2',
        [HEADERS.originalTopic]: topic,
        [HEADERS.ceId]: failing.id,
      });
      expect(refused!.headers[HEADERS.failureReason]).toContain('points ledger refused member-9');
    });

    describe('with a database', () => {
      const Logged = defineEvent(
        'honglian.test-broker.hours.logged.v1',
        z.object({ memberId: z.string(), hours: z.number().positive() }),
      );
      let db: TestDb;
      beforeEach(async () => {
        db = await openTestDb();
      });
      afterEach(() => db.close());

      it('changes nothing on a duplicate: the same event delivered again, and again after a restart', async () => {
        const Balance = db.conn.model(
          'Balance',
          new Schema({ memberId: { type: String, unique: true }, hours: Number }),
        );
        const topic = uniqueTopic('dup');
        const groupId = uniqueGroup('dup');
        const deliveries: string[] = [];
        const handler = idempotent(db.conn, groupId, async (event, { session }) => {
          const { memberId, hours } = event.data as { memberId: string; hours: number };
          await Balance.updateOne({ memberId }, { $inc: { hours } }, { session, upsert: true });
        });
        const counting = async (event: CloudEvent, meta: Parameters<typeof handler>[1]) => {
          deliveries.push(event.id);
          await handler(event, meta);
        };
        const logged = (hours: number) =>
          createEvent({
            type: Logged.type,
            source: '/member-checkin',
            subject: 'member-3',
            data: { memberId: 'member-3', hours },
          });
        const b = await bus();
        const first = logged(2);
        const second = logged(1.5);
        // The same event id published twice (as a relay that crashed after sending would).
        for (const e of [first, first, second]) await b.publish(topic, e);
        const member = await b.subscribe({ groupId, topics: [topic], handler: counting });
        await eventually(() => expect(deliveries).toHaveLength(3));
        await member.close();

        // A member that starts over from the beginning (its offsets lost) gets all three again.
        const replay = await bus();
        await replay.subscribe({ groupId: `${groupId}-replay`, topics: [topic], handler: counting });
        await eventually(() => expect(deliveries).toHaveLength(6));
        expect(deliveries.filter((id) => id === first.id)).toHaveLength(4);
        const balance = await Balance.findOne({ memberId: 'member-3' }).lean();
        expect(balance?.hours).toBe(3.5);
      });
    });

    it('creates topics at start-up idempotently, from several clients at once and again later', async () => {
      const topics = [uniqueTopic('startup-a'), uniqueTopic('startup-b')];
      const racing = await Promise.all([bus({ topics }), bus({ topics }), bus({ topics })]);
      expect(await Promise.all(racing.map((b) => b.health()))).toEqual(
        racing.map(() => expect.objectContaining({ ok: true })),
      );
      const later = await bus({ topics, partitions: 6 });
      expect(await later.health()).toMatchObject({ ok: true });

      const names = await admin.listTopics();
      for (const t of topics) {
        expect(names.filter((n) => n === t || n === deadLetterTopic(t))).toHaveLength(2);
      }
      const metadata = await admin.fetchTopicMetadata({
        topics: [...topics, ...topics.map(deadLetterTopic)],
      });
      // Created once with 3 partitions; the later bus asking for 6 changed nothing.
      expect(metadata.topics).toHaveLength(4);
      for (const t of metadata.topics) expect(t.partitions).toHaveLength(3);
    });

    it('keeps two namespaces on one cluster apart: same topic and group, separate events', async () => {
      const topic = uniqueTopic('ns');
      const groupId = uniqueGroup('ns');
      const a = `test-${randomUUID().slice(0, 8)}-a.`;
      const b = `test-${randomUUID().slice(0, 8)}-b.`;
      const busA = await bus({ namespace: a });
      const busB = await bus({ namespace: b });
      const seenA: { id: string; topic: string }[] = [];
      const seenB: string[] = [];
      await busA.subscribe({
        groupId,
        topics: [topic],
        handler: async (event, meta) => void seenA.push({ id: event.id, topic: meta.topic }),
      });
      await busB.subscribe({ groupId, topics: [topic], handler: async (event) => void seenB.push(event.id) });
      const forA = happened('k', 1);
      const forB = happened('k', 2);
      await busA.publish(topic, forA);
      await busB.publish(topic, forB);

      await eventually(() => {
        expect(seenA).toEqual([{ id: forA.id, topic }]);
        expect(seenB).toEqual([forB.id]);
      });
      const names = await admin.listTopics();
      expect(names).toEqual(expect.arrayContaining([a + topic, b + topic, a + deadLetterTopic(topic)]));
      expect(names).not.toContain(topic);
      const groups = (await admin.listGroups()).groups.map((g) => g.groupId);
      expect(groups).toEqual(expect.arrayContaining([a + groupId, b + groupId]));

      const inspector = kafkaInspector({ brokers, namespace: a });
      const other = kafkaInspector({ brokers, namespace: b });
      try {
        expect(await inspector.topics()).toEqual(expect.arrayContaining([topic, deadLetterTopic(topic)]));
        expect(await inspector.messageCount(topic)).toBe(1);
        await pollUntilAsync(async () => (await inspector.lag(groupId, [topic])) === 0);
        await Promise.all([busA.stop(), busB.stop()]);
        await inspector.deleteNamespace();
        await pollUntilAsync(async () => (await inspector.topics()).length === 0);
        expect(await other.topics()).toEqual(expect.arrayContaining([topic]));
        await other.deleteNamespace();
      } finally {
        await Promise.all([inspector.close(), other.close()]);
      }
    });
  });
}

async function pollUntilAsync(condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
