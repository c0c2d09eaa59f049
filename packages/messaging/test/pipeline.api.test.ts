// Outbox → bus → idempotent consumer, end to end on the embedded MongoDB: duplicates and crashes at
// each hop must neither lose an event nor apply it twice.
import { createEvent, defineEvent, type CloudEvent } from '@honglian/contracts';
import { Schema, type Model } from 'mongoose';
import { z } from 'zod';
import {
  COLLECTIONS,
  idempotent,
  InProcessEventBus,
  OutboxRelay,
  withOutbox,
  type EventBus,
  type OutboxRecord,
} from '../src/index.js';
import { openTestDb, type TestDb } from './support/db.js';
import { uniqueTopic } from './support/events.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const Logged = defineEvent(
  'honglian.test-pipeline.hours.logged.v1',
  z.object({ memberId: z.string(), hours: z.number().positive() }),
);
type LoggedData = z.infer<typeof Logged.data>;

const logged = (memberId: string, hours: number): CloudEvent<LoggedData> =>
  createEvent({ type: Logged.type, source: '/member-checkin', subject: memberId, data: { memberId, hours } });

interface Checkin {
  memberId: string;
  hours: number;
}
interface Balance {
  memberId: string;
  points: number;
}

describe('outbox → bus → idempotent consumer', () => {
  let writer: TestDb; // the publishing service's database
  let reader: TestDb; // the consuming service's database
  let Checkin: Model<Checkin>;
  let Balance: Model<Balance>;
  let bus: InProcessEventBus;
  let topic: string;
  let deliveries: number;
  const relays: OutboxRelay[] = [];

  beforeEach(async () => {
    [writer, reader] = await Promise.all([openTestDb(), openTestDb()]);
    Checkin = writer.conn.model<Checkin>('Checkin', new Schema({ memberId: String, hours: Number }));
    Balance = reader.conn.model<Balance>(
      'Balance',
      new Schema({ memberId: { type: String, unique: true }, points: Number }),
    );
    await Checkin.createCollection();
    await Balance.createCollection();
    await Balance.syncIndexes();
    topic = uniqueTopic('pipeline');
    bus = new InProcessEventBus();
    await bus.start();
    deliveries = 0;
    await bus.subscribe({
      groupId: 'volunteer-points',
      topics: [topic],
      retry: { maxAttempts: 3, backoffMs: 1 },
      handler: async (event, meta) => {
        deliveries += 1;
        await idempotent<LoggedData>(reader.conn, 'volunteer-points', async (e, { session }) => {
          await Balance.updateOne(
            { memberId: e.data.memberId },
            { $inc: { points: e.data.hours * 10 } },
            { upsert: true, session },
          );
        })(event as CloudEvent<LoggedData>, meta);
      },
    });
  });
  afterEach(async () => {
    await Promise.all(relays.splice(0).map((r) => r.stop()));
    await bus.stop();
    await Promise.all([writer.close(), reader.close()]);
  });

  const relay = (publisher: Pick<EventBus, 'publish'> = bus, leaseMs = 30_000) => {
    const r = new OutboxRelay({
      connection: writer.conn,
      bus: publisher,
      pollIntervalMs: 20,
      backoffMs: 5,
      leaseMs,
    });
    relays.push(r);
    return r;
  };
  const checkIn = (memberId: string, hours: number) =>
    withOutbox(writer.conn, async (session, outbox) => {
      await Checkin.create([{ memberId, hours }], { session });
      outbox.add(topic, logged(memberId, hours));
    });
  const points = async (memberId: string) => (await Balance.findOne({ memberId }).lean())?.points ?? 0;
  const outbox = () => writer.conn.collection<OutboxRecord>(COLLECTIONS.outbox);

  it('applies an event published three times once', async () => {
    const event = logged('m-1', 2);
    for (let i = 0; i < 3; i++) await bus.publish(topic, event);
    await bus.whenIdle();
    expect(deliveries).toBe(3);
    expect(await points('m-1')).toBe(20);
    expect(await reader.conn.collection(COLLECTIONS.processed).countDocuments()).toBe(1);
  });

  it('publishes after a restart what was committed before the relay crashed, and applies it once', async () => {
    await checkIn('m-1', 1);
    await checkIn('m-2', 2);
    // The process died between the commit and the publish: no relay ever ran on these records.
    expect(await outbox().countDocuments({ status: 'pending' })).toBe(2);
    expect(deliveries).toBe(0);

    await relay().flush(); // the restarted process
    await bus.whenIdle();
    expect(await points('m-1')).toBe(10);
    expect(await points('m-2')).toBe(20);
    expect(await outbox().countDocuments({ status: 'sent' })).toBe(2);
  });

  it('a relay crash after publishing but before marking sent republishes, yet the effect happens once', async () => {
    await checkIn('m-1', 3);
    // The broker acknowledged, then the relay died before its "sent" update.
    const dies: Pick<EventBus, 'publish'> = {
      publish: async (t, e, o) => {
        await bus.publish(t, e, o);
        throw new Error('process killed');
      },
    };
    const crashed = relay(dies, 200);
    await expect(crashed.flush()).rejects.toThrow('process killed');
    relays.splice(relays.indexOf(crashed), 1); // no stop(): its lease has to expire
    expect(await outbox().findOne({})).toMatchObject({ status: 'pending' });

    const next = relay(bus, 200);
    await next.start();
    // Waits for the takeover (the lease expires first); jest's timeout bounds it.
    while ((await outbox().countDocuments({ status: 'pending' })) > 0) await sleep(20);
    await bus.whenIdle();

    expect(deliveries).toBe(2);
    expect(await points('m-1')).toBe(30);
    expect(await reader.conn.collection(COLLECTIONS.processed).countDocuments()).toBe(1);
  });

  it('retries a consumer whose transaction failed halfway, applies it once, and keeps the order of the key', async () => {
    let failNext = true;
    const order: number[] = [];
    await bus.subscribe({
      groupId: 'ledger',
      topics: [topic],
      retry: { maxAttempts: 3, backoffMs: 1 },
      handler: idempotent<LoggedData>(reader.conn, 'ledger', async (e, { session }) => {
        await Balance.updateOne(
          { memberId: `ledger-${e.data.memberId}` },
          { $inc: { points: 1 } },
          {
            upsert: true,
            session,
          },
        );
        if (failNext) {
          failNext = false;
          throw new Error('second write failed');
        }
        order.push(e.data.hours);
      }),
    });
    await checkIn('m-1', 1);
    await checkIn('m-1', 2);
    await relay().flush();
    await bus.whenIdle();
    expect(order).toEqual([1, 2]);
    // Two events, two increments: the failed try's increment was rolled back.
    expect(await points('ledger-m-1')).toBe(2);
  });
});
