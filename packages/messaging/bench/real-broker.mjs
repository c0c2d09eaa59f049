// The outbox pipeline on a real Kafka beside the in-process bus (a benchmark, not a test: figures
// to compare on one machine, no assertions on speed). Build first, start the broker, then run:
//   npm run build -w packages/messaging && npm run stack:up
//   KAFKA_BROKERS=127.0.0.1:9092 node packages/messaging/bench/real-broker.mjs
// For each bus, on the embedded MongoDB (writer and consumer in databases of their own):
//   1. throughput: BENCH_EVENTS writes (withOutbox: domain record + outbox record, one transaction
//      each, BENCH_WRITERS at a time) → OutboxRelay → bus → idempotent consumer; events/s until
//      the relay has published every record, and until the consumer has applied every event;
//   2. latency: BENCH_LATENCY_EVENTS writes one after the other, BENCH_PACE_MS apart; for each,
//      outbox write (start of the transaction) → consumer effect (its transaction committed); p50/p99.
// Without KAFKA_BROKERS only the in-process bus runs.
import { randomUUID } from 'node:crypto';
import { createEvent, defineEvent } from '@honglian/contracts';
import { pipelineDatabases } from './databases.mjs';
import { z } from 'zod';
import {
  COLLECTIONS,
  idempotent,
  InProcessEventBus,
  KafkaEventBus,
  kafkaInspector,
  OutboxRelay,
  withOutbox,
} from '../dist/index.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 2_000);
const WRITERS = Number(process.env.BENCH_WRITERS ?? 8);
const LATENCY_EVENTS = Number(process.env.BENCH_LATENCY_EVENTS ?? 300);
const PACE_MS = Number(process.env.BENCH_PACE_MS ?? 20);
const KEYS = Number(process.env.BENCH_KEYS ?? 32);
const brokers = (process.env.KAFKA_BROKERS ?? '')
  .split(',')
  .map((b) => b.trim())
  .filter(Boolean);

const Logged = defineEvent(
  'honglian.bench.hours.logged.v1',
  z.object({ memberId: z.string(), hours: z.number().positive(), seq: z.number().int() }),
);
const event = (seq) => {
  const memberId = `m-${seq % KEYS}`;
  return createEvent({
    type: Logged.type,
    source: '/bench',
    subject: memberId,
    data: { memberId, hours: 1, seq },
  });
};
const now = () => performance.now();
const percentile = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function run(label, bus, cleanup = async () => {}) {
  const { writer, reader, Checkin, Balance, close } = await pipelineDatabases('hours');
  await bus.start();
  const topic = 'honglian.bench-real.v1';

  const applied = new Map(); // seq → time its effect committed
  const waiting = new Map(); // seq → resolve
  const handle = idempotent(reader, 'bench-balance', async (e, { session }) => {
    await Balance.updateOne(
      { memberId: e.data.memberId },
      { $inc: { hours: e.data.hours } },
      { upsert: true, session },
    );
  });
  await bus.subscribe({
    groupId: 'bench-balance',
    topics: [topic],
    handler: async (e, meta) => {
      await handle(e, meta);
      const at = now();
      applied.set(e.data.seq, at);
      waiting.get(e.data.seq)?.(at);
    },
  });
  const relay = new OutboxRelay({ connection: writer, bus, pollIntervalMs: 1000 });
  await relay.start();
  const write = (e) =>
    withOutbox(writer, async (session, outbox) => {
      await Checkin.create([{ memberId: e.data.memberId, hours: e.data.hours }], { session });
      outbox.add(topic, e);
    });
  const effectOf = (seq) =>
    applied.has(seq)
      ? Promise.resolve(applied.get(seq))
      : new Promise((resolve) => waiting.set(seq, resolve));

  // Warm-up (connections, group join, topic creation): not measured.
  for (let i = 0; i < 20; i++) {
    await write(event(-1 - i));
    await effectOf(-1 - i);
  }

  // 1. Throughput.
  const events = Array.from({ length: EVENTS }, (_, i) => event(i));
  const start = now();
  let next = 0;
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (next < events.length) await write(events[next++]);
    }),
  );
  const written = now();
  const outbox = writer.collection(COLLECTIONS.outbox);
  let relayed = written;
  while ((await outbox.countDocuments({ status: 'pending' })) > 0) {
    await sleep(5);
    relayed = now();
  }
  await Promise.all(events.map((e) => effectOf(e.data.seq)));
  const consumed = Math.max(...events.map((e) => applied.get(e.data.seq)));

  // 2. Latency, one event at a time.
  const latencies = [];
  for (let i = 0; i < LATENCY_EVENTS; i++) {
    const e = event(EVENTS + i);
    const t0 = now();
    await write(e);
    latencies.push((await effectOf(e.data.seq)) - t0);
    await sleep(PACE_MS);
  }
  latencies.sort((a, b) => a - b);

  const total = (await Balance.find().lean()).reduce((sum, b) => sum + b.hours, 0);
  const expected = 20 + EVENTS + LATENCY_EVENTS;
  if (total !== expected) throw new Error(`${label}: ${total} hours applied, expected ${expected}`);

  await relay.stop();
  await bus.stop();
  await cleanup();
  await close();
  const rate = (ms) => Math.round((EVENTS / ms) * 1000);
  return {
    label,
    written: rate(written - start),
    relayed: rate(relayed - start),
    consumed: rate(consumed - start),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

const results = [];
results.push(await run('in-process bus', new InProcessEventBus({ partitions: 3 })));
if (brokers.length > 0) {
  const namespace = `bench-${randomUUID().slice(0, 8)}.`;
  const bus = new KafkaEventBus({
    brokers,
    clientId: 'honglian-bench',
    namespace,
    partitions: 3,
    replicationFactor: 1,
  });
  const inspector = kafkaInspector({ brokers, namespace });
  results.push(
    await run(`Kafka ${brokers.join(',')}`, bus, async () => {
      await inspector.deleteNamespace();
      await inspector.close();
    }),
  );
} else {
  console.log('(KAFKA_BROKERS not set: Kafka skipped; npm run stack:up starts a broker)');
}

console.log(
  `\n${EVENTS} events, ${WRITERS} concurrent writers, ${KEYS} keys; latency over ${LATENCY_EVENTS} single events ${PACE_MS} ms apart\n`,
);
console.log(
  `${'bus'.padEnd(24)} ${'written/s'.padStart(10)} ${'relayed/s'.padStart(10)} ${'consumed/s'.padStart(11)}   ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)}`,
);
for (const r of results) {
  console.log(
    `${r.label.padEnd(24)} ${String(r.written).padStart(10)} ${String(r.relayed).padStart(10)} ${String(r.consumed).padStart(11)}   ${r.p50.toFixed(1).padStart(7)} ${r.p99.toFixed(1).padStart(7)}`,
  );
}
