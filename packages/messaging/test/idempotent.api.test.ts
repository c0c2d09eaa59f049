import { createEvent, defineEvent, type CloudEvent } from '@honglian/contracts';
import { Schema, type Model } from 'mongoose';
import { z } from 'zod';
import {
  COLLECTIONS,
  idempotent,
  InProcessEventBus,
  wasProcessed,
  type DeliveryMeta,
  type OutboxRecord,
} from '../src/index.js';
import { openTestDb, type TestDb } from './support/db.js';
import { uniqueTopic } from './support/events.js';

const HoursLogged = defineEvent(
  'honglian.test-idem.hours.logged.v1',
  z.object({ memberId: z.string(), hours: z.number().positive() }),
);
const PointsAwarded = defineEvent(
  'honglian.test-idem.points.awarded.v1',
  z.object({ memberId: z.string(), points: z.number().int() }),
);
type Hours = z.infer<typeof HoursLogged.data>;

const hours = (memberId: string, h: number): CloudEvent<Hours> =>
  createEvent({
    type: HoursLogged.type,
    source: '/member-checkin',
    subject: memberId,
    data: { memberId, hours: h },
  });

const meta = (topic: string): DeliveryMeta => ({
  topic,
  partition: 0,
  offset: '0',
  attempt: 1,
  key: null,
  headers: {},
});

interface Balance {
  memberId: string;
  points: number;
}
interface Ledger {
  memberId: string;
  eventId: string;
  points: number;
}

describe('idempotent consumer', () => {
  let db: TestDb;
  let Balance: Model<Balance>;
  let Ledger: Model<Ledger>;
  let topic: string;

  beforeEach(async () => {
    db = await openTestDb();
    Balance = db.conn.model<Balance>(
      'Balance',
      new Schema({ memberId: { type: String, unique: true }, points: Number }),
    );
    Ledger = db.conn.model<Ledger>(
      'Ledger',
      new Schema({ memberId: String, eventId: String, points: Number }),
    );
    await Balance.createCollection();
    await Balance.syncIndexes();
    await Ledger.createCollection();
    topic = uniqueTopic('idem');
  });
  afterEach(() => db.close());

  const points = async (memberId: string) => (await Balance.findOne({ memberId }).lean())?.points ?? 0;

  /** Credits 10 points per hour and records a ledger line, in the delivery's transaction. */
  const award = (failAfterBalance: () => boolean = () => false) =>
    idempotent<Hours>(db.conn, 'volunteer-points', async (event, { session, outbox }) => {
      const credit = event.data.hours * 10;
      await Balance.updateOne(
        { memberId: event.data.memberId },
        { $inc: { points: credit } },
        { upsert: true, session },
      );
      if (failAfterBalance()) throw new Error('ledger write failed');
      await Ledger.create([{ memberId: event.data.memberId, eventId: event.id, points: credit }], {
        session,
      });
      outbox.add(
        'honglian.test-idem-points.v1',
        createEvent({
          type: PointsAwarded.type,
          source: '/volunteer-points',
          subject: event.data.memberId,
          data: { memberId: event.data.memberId, points: credit },
        }),
      );
    });

  it('applies an event delivered three times once', async () => {
    const handler = award();
    const event = hours('m-1', 2);
    for (let i = 0; i < 3; i++) await handler(event, meta(topic));

    expect(await points('m-1')).toBe(20);
    expect(await Ledger.countDocuments()).toBe(1);
    expect(await db.conn.collection(COLLECTIONS.processed).countDocuments()).toBe(1);
    expect(await db.conn.collection<OutboxRecord>(COLLECTIONS.outbox).countDocuments()).toBe(1);
    await expect(wasProcessed(db.conn, 'volunteer-points', event.id)).resolves.toBe(true);
  });

  it('applies concurrent deliveries of one event once', async () => {
    const handler = award();
    const event = hours('m-1', 1);
    const results = await Promise.allSettled([1, 2, 3].map(() => handler(event, meta(topic))));
    // A delivery may lose the race and fail; the bus would retry it and it would be skipped.
    const lost = results.filter((x) => x.status === 'rejected').length;
    for (let i = 0; i < lost; i++) await handler(event, meta(topic));
    expect(await points('m-1')).toBe(10);
    expect(await Ledger.countDocuments()).toBe(1);
  });

  it('leaves no partial effect when the handler fails halfway, then succeeds on retry (through the bus)', async () => {
    const bus = new InProcessEventBus();
    await bus.start();
    let failures = 1;
    const attempts: number[] = [];
    const handler = award(() => failures-- > 0);
    await bus.subscribe({
      groupId: 'volunteer-points',
      topics: [topic],
      retry: { maxAttempts: 3, backoffMs: 1 },
      handler: async (event, m) => {
        attempts.push(m.attempt);
        if (attempts.length === 1) {
          await expect(handler(event as CloudEvent<Hours>, m)).rejects.toThrow('ledger write failed');
          // nothing of the failed try is left
          expect(await points('m-1')).toBe(0);
          expect(await db.conn.collection(COLLECTIONS.processed).countDocuments()).toBe(0);
          expect(await db.conn.collection(COLLECTIONS.outbox).countDocuments()).toBe(0);
          throw new Error('ledger write failed');
        }
        await handler(event as CloudEvent<Hours>, m);
      },
    });
    const event = hours('m-1', 3);
    await bus.publish(topic, event);
    await bus.publish(topic, event); // duplicate publish (e.g. relay crashed before marking sent)
    await bus.whenIdle();
    await bus.stop();

    expect(attempts).toEqual([1, 2, 1]);
    expect(await points('m-1')).toBe(30);
    expect(await Ledger.find({}, { _id: 0, memberId: 1, points: 1 }).lean()).toEqual([
      { memberId: 'm-1', points: 30 },
    ]);
    expect(await db.conn.collection(COLLECTIONS.outbox).countDocuments()).toBe(1);
  });

  it('keeps groups independent', async () => {
    const event = hours('m-1', 1);
    const seen: string[] = [];
    const a = idempotent(db.conn, 'group-a', async () => void seen.push('a'));
    const b = idempotent(db.conn, 'group-b', async () => void seen.push('b'));
    await a(event, meta(topic));
    await b(event, meta(topic));
    await a(event, meta(topic));
    expect(seen).toEqual(['a', 'b']);
  });
});
