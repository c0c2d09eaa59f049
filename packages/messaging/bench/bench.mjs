// Throughput of the messaging package (build first: `npm run build -w packages/messaging`, then
// `npm run bench -w packages/messaging`). Figures, not assertions: compare runs on one machine.
//   1. in-process bus: publish → handler
//   2. withOutbox (embedded MongoDB) → OutboxRelay → in-process bus → idempotent consumer (its own database)
import { createEvent, defineEvent } from '@honglian/contracts';
import { pipelineDatabases } from './databases.mjs';
import { z } from 'zod';
import { COLLECTIONS, idempotent, InProcessEventBus, OutboxRelay, withOutbox } from '../dist/index.js';

const BUS_EVENTS = Number(process.env.BENCH_BUS_EVENTS ?? 50_000);
const PIPELINE_EVENTS = Number(process.env.BENCH_PIPELINE_EVENTS ?? 2_000);
const KEYS = Number(process.env.BENCH_KEYS ?? 32);

const Logged = defineEvent(
  'honglian.bench.hours.logged.v1',
  z.object({ memberId: z.string(), hours: z.number().positive() }),
);
const event = (i) => {
  const memberId = `m-${i % KEYS}`;
  return createEvent({
    type: Logged.type,
    source: '/bench',
    subject: memberId,
    data: { memberId, hours: 1 },
  });
};

function report(label, count, ms) {
  const rate = Math.round((count / ms) * 1000);
  console.log(`${label.padEnd(58)} ${String(rate).padStart(8)} events/s  (${count} in ${ms.toFixed(0)} ms)`);
}
const since = (start) => Number(process.hrtime.bigint() - start) / 1e6;

// 1. In-process bus.
{
  const bus = new InProcessEventBus({ partitions: 6 });
  await bus.start();
  const topic = 'honglian.bench.v1';
  let handled = 0;
  await bus.subscribe({ groupId: 'bench', topics: [topic], handler: async () => void (handled += 1) });
  const events = Array.from({ length: BUS_EVENTS }, (_, i) => event(i));
  const start = process.hrtime.bigint();
  for (const e of events) await bus.publish(topic, e);
  const published = since(start);
  await bus.whenIdle();
  const total = since(start);
  await bus.stop();
  if (handled !== BUS_EVENTS) throw new Error(`handled ${handled} of ${BUS_EVENTS}`);
  report('in-process bus: publish (validated, traced)', BUS_EVENTS, published);
  report('in-process bus: publish → handled', BUS_EVENTS, total);
}

// 2. Outbox → relay → bus → idempotent consumer, on the embedded MongoDB.
{
  const { writer, reader, Checkin, Balance, close } = await pipelineDatabases('points');

  const bus = new InProcessEventBus({ partitions: 6 });
  await bus.start();
  const topic = 'honglian.bench-pipeline.v1';
  let applied = 0;
  let done;
  const allApplied = new Promise((resolve) => (done = resolve));
  await bus.subscribe({
    groupId: 'bench-points',
    topics: [topic],
    handler: idempotent(reader, 'bench-points', async (e, { session }) => {
      await Balance.updateOne(
        { memberId: e.data.memberId },
        { $inc: { points: e.data.hours } },
        { upsert: true, session },
      );
      applied += 1;
      if (applied === PIPELINE_EVENTS) done();
    }),
  });

  const events = Array.from({ length: PIPELINE_EVENTS }, (_, i) => event(i));
  const write = async (e) =>
    withOutbox(writer, async (session, outbox) => {
      await Checkin.create([{ memberId: e.data.memberId, hours: e.data.hours }], { session });
      outbox.add(topic, e);
    });

  // Writes alone (the relay is not running yet), then relay + consumer on the backlog.
  const start = process.hrtime.bigint();
  for (const e of events) await write(e);
  report('withOutbox: domain write + outbox record, one transaction each', PIPELINE_EVENTS, since(start));

  const relay = new OutboxRelay({ connection: writer, bus, pollIntervalMs: 50 });
  const relayStart = process.hrtime.bigint();
  await relay.start();
  await allApplied;
  await bus.whenIdle();
  report('backlog: relay → bus → idempotent consumer', PIPELINE_EVENTS, since(relayStart));

  // Steady state: writes with the relay running, until every event is applied.
  applied = 0;
  const second = Array.from({ length: PIPELINE_EVENTS }, (_, i) => event(i));
  const allAgain = new Promise((resolve) => (done = resolve));
  const steady = process.hrtime.bigint();
  for (const e of second) await write(e);
  await allAgain;
  report('end to end: withOutbox → relay → bus → idempotent consumer', PIPELINE_EVENTS, since(steady));

  // Redelivering everything applies nothing twice.
  const redeliver = process.hrtime.bigint();
  for (const e of second) await bus.publish(topic, e);
  await bus.whenIdle();
  report('duplicates skipped by the idempotent consumer', PIPELINE_EVENTS, since(redeliver));

  const points = (await Balance.find().lean()).reduce((sum, b) => sum + b.points, 0);
  const processed = await reader.collection(COLLECTIONS.processed).countDocuments();
  if (points !== 2 * PIPELINE_EVENTS || processed !== 2 * PIPELINE_EVENTS) {
    throw new Error(`expected ${2 * PIPELINE_EVENTS} effects, got points=${points} processed=${processed}`);
  }
  console.log(`check: ${points} points from ${2 * PIPELINE_EVENTS} events, none lost or doubled`);

  await relay.stop();
  await bus.stop();
  await close();
}
