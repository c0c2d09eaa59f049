import { context } from '@opentelemetry/api';
import { createEvent, defineEvent, type CloudEvent } from '@honglian/contracts';
import { Schema, type Model } from 'mongoose';
import { z } from 'zod';
import {
  COLLECTIONS,
  EventValidationError,
  InProcessEventBus,
  OUTBOX_LANES,
  laneOf,
  OutboxRelay,
  withOutbox,
  type EventBus,
  type OutboxRecord,
} from '../src/index.js';
import { openTestDb, type TestDb } from './support/db.js';
import { deferred, uniqueTopic } from './support/events.js';
import { activeTraceId, newTraceContext, registerTracing } from './support/otel.js';

const Recorded = defineEvent(
  'honglian.test-outbox.attendance.recorded.v1',
  z.object({ memberId: z.string(), hours: z.number().positive(), n: z.number().int() }),
);
type RecordedData = z.infer<typeof Recorded.data>;

function recorded(memberId: string, n: number): CloudEvent<RecordedData> {
  return createEvent({
    type: Recorded.type,
    source: '/member-checkin',
    subject: memberId,
    data: { memberId, hours: 2, n },
  });
}

interface Attendance {
  memberId: string;
  n: number;
}

describe('transactional outbox', () => {
  let db: TestDb;
  let Attendance: Model<Attendance>;
  let bus: InProcessEventBus;
  let topic: string;
  const relays: OutboxRelay[] = [];

  beforeAll(() => registerTracing());
  beforeEach(async () => {
    db = await openTestDb();
    Attendance = db.conn.model<Attendance>('Attendance', new Schema({ memberId: String, n: Number }));
    await Attendance.createCollection();
    bus = new InProcessEventBus();
    await bus.start();
    topic = uniqueTopic('outbox');
  });
  afterEach(async () => {
    await Promise.all(relays.splice(0).map((r) => r.stop()));
    await bus.stop();
    await db.close();
  });

  const outbox = () => db.conn.collection<OutboxRecord>(COLLECTIONS.outbox);
  const relay = (opts: Partial<ConstructorParameters<typeof OutboxRelay>[0]> = {}) => {
    const r = new OutboxRelay({ connection: db.conn, bus, pollIntervalMs: 20, backoffMs: 10, ...opts });
    relays.push(r);
    return r;
  };
  const record = (memberId: string, n: number) =>
    withOutbox(db.conn, async (session, box) => {
      await Attendance.create([{ memberId, n }], { session });
      box.add(topic, recorded(memberId, n));
    });

  function collect(count: number) {
    const seen: CloudEvent<RecordedData>[] = [];
    const done = deferred();
    void bus.subscribe({
      groupId: 'points',
      topics: [topic],
      handler: async (event) => {
        seen.push(event as CloudEvent<RecordedData>);
        if (seen.length === count) done.resolve();
      },
    });
    return { seen, done: done.promise };
  }

  it('commits the domain change and its outbox records together; the relay publishes them in order', async () => {
    await record('m-1', 0);
    await withOutbox(db.conn, async (session, box) => {
      await Attendance.create([{ memberId: 'm-2', n: 1 }], { session });
      box.add(topic, recorded('m-2', 1));
      box.add(topic, recorded('m-1', 2));
    });
    await record('m-3', 3);

    // Each key's lane numbers its records (these three keys hash to three lanes).
    expect(new Set(['m-1', 'm-2', 'm-3'].map(laneOf)).size).toBe(3);
    const pending = await outbox().find({}).sort({ key: 1, seq: 1 }).toArray();
    expect(pending.map((r) => [r.key, r.lane, r.seq, r.status, r.event.data])).toEqual([
      ['m-1', laneOf('m-1'), 1, 'pending', expect.objectContaining({ n: 0 })],
      ['m-1', laneOf('m-1'), 2, 'pending', expect.objectContaining({ n: 2 })],
      ['m-2', laneOf('m-2'), 1, 'pending', expect.objectContaining({ n: 1 })],
      ['m-3', laneOf('m-3'), 1, 'pending', expect.objectContaining({ n: 3 })],
    ]);
    expect(await Attendance.countDocuments()).toBe(3);

    const { seen } = collect(4);
    const published: number[] = [];
    const spy: Pick<EventBus, 'publish'> = {
      publish: async (t, e, o) => {
        published.push((e.data as RecordedData).n);
        await bus.publish(t, e, o);
      },
    };
    await expect(relay({ bus: spy }).flush()).resolves.toBe(4);
    await bus.whenIdle();

    // By lane, then seq: m-1's two records keep their order wherever its lane comes.
    const byLane = [...pending].sort((a, b) => a.lane - b.lane || a.seq - b.seq);
    expect(published).toEqual(byLane.map((r) => (r.event.data as RecordedData).n));
    expect(seen.map((e) => e.data.n).sort()).toEqual([0, 1, 2, 3]);
    expect(seen.filter((e) => e.subject === 'm-1').map((e) => e.data.n)).toEqual([0, 2]);
    const sent = await outbox().find({}).toArray();
    expect(sent.every((r) => r.status === 'sent' && r.attempts === 1 && r.sentAt instanceof Date)).toBe(true);
  });

  it('gives concurrent transactions of one key distinct, gap-free sequence numbers; other lanes start at 1', async () => {
    await Promise.all([
      ...Array.from({ length: 10 }, (_, n) => record('m-same', n)),
      ...Array.from({ length: 5 }, (_, n) => record(`m-${n}`, 100 + n)),
    ]);
    const same = await outbox().find({ key: 'm-same' }).sort({ seq: 1 }).toArray();
    expect(same.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const others = await outbox()
      .find({ key: { $ne: 'm-same' } })
      .toArray();
    expect(others.map((r) => r.seq)).toEqual([1, 1, 1, 1, 1]);
    expect(await Attendance.countDocuments()).toBe(15);
  });

  it('writes nothing when the transaction aborts or an event is invalid', async () => {
    await expect(
      withOutbox(db.conn, async (session, box) => {
        await Attendance.create([{ memberId: 'm-1', n: 0 }], { session });
        box.add(topic, recorded('m-1', 0));
        throw new Error('validation of the check-in failed');
      }),
    ).rejects.toThrow('validation of the check-in failed');

    await expect(
      withOutbox(db.conn, async (session, box) => {
        await Attendance.create([{ memberId: 'm-1', n: 1 }], { session });
        box.add(topic, { ...recorded('m-1', 1), data: { memberId: 'm-1', hours: -3, n: 1 } });
      }),
    ).rejects.toBeInstanceOf(EventValidationError);

    expect(await Attendance.countDocuments()).toBe(0);
    expect(await outbox().countDocuments()).toBe(0);
  });

  it('publishes, after a restart, what was committed but not published (relay stopped before its round)', async () => {
    const first = relay({ pollIntervalMs: 60_000 });
    await first.stop(); // never started: a process that died right after the commit
    await record('m-1', 0);
    await record('m-1', 1);
    expect(await outbox().countDocuments({ status: 'pending' })).toBe(2);

    const { seen, done } = collect(2);
    await relay().start();
    await done;
    expect(seen.map((e) => e.data.n)).toEqual([0, 1]);
    expect(await outbox().countDocuments({ status: 'sent' })).toBe(2);
  });

  it('never marks a record sent when publishing failed, and a new relay takes over after a crash', async () => {
    await record('m-1', 0);
    const down: Pick<EventBus, 'publish'> = {
      publish: async () => {
        throw new Error('broker unreachable');
      },
    };
    const crashed = relay({ bus: down, leaseMs: 300 });
    await expect(crashed.flush()).rejects.toThrow('broker unreachable');
    const [failed] = await outbox().find({}).toArray();
    expect(failed).toMatchObject({ status: 'pending', attempts: 1, lastError: 'broker unreachable' });
    relays.splice(relays.indexOf(crashed), 1); // it "crashed": no stop(), its lease just expires

    const { seen, done } = collect(1);
    await relay().start();
    await done;
    expect(seen.map((e) => e.data.n)).toEqual([0]);
    expect(await outbox().findOne({})).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('retries a failing publish with backoff in the background', async () => {
    await record('m-1', 0);
    let failures = 2;
    const flaky: Pick<EventBus, 'publish'> = {
      publish: async (t, e, o) => {
        if (failures-- > 0) throw new Error('leader not available');
        await bus.publish(t, e, o);
      },
    };
    const { done } = collect(1);
    const r = relay({ bus: flaky });
    await r.start();
    await done;
    await r.stop();
    expect(await outbox().findOne({})).toMatchObject({ status: 'sent', attempts: 3 });
    expect(r.status()).toMatchObject({ failures: 0, published: 1 });
  });

  it('keeps the outbox order with concurrent relays on one database', async () => {
    const published: number[] = [];
    const spy: Pick<EventBus, 'publish'> = {
      publish: async (t, e, o) => {
        published.push((e.data as RecordedData).n);
        await bus.publish(t, e, o);
      },
    };
    const { seen, done } = collect(20);
    await relay({ bus: spy }).start();
    await relay({ bus: spy }).start();
    for (let n = 0; n < 20; n++) await record(`m-${n % 3}`, n);
    await done;
    expect(published).toEqual(Array.from({ length: 20 }, (_, n) => n));
    for (const member of ['m-0', 'm-1', 'm-2']) {
      const ns = seen.filter((e) => e.subject === member).map((e) => e.data.n);
      expect(ns).toEqual([...ns].sort((a, b) => a - b));
    }
  });

  it('sets aside a record the bus refuses as invalid and publishes the records after it', async () => {
    await record('m-1', 0);
    await record('m-1', 1);
    await record('m-1', 2);
    // The record's schema no longer matches (e.g. a deploy between write and relay).
    await outbox().updateOne({ seq: 2 }, { $set: { 'event.data.hours': -1 } });

    const { seen, done } = collect(2);
    const r = relay();
    await expect(r.flush()).resolves.toBe(2);
    await done;
    expect(seen.map((e) => e.data.n)).toEqual([0, 2]);
    const bySeq = await outbox().find({}).sort({ seq: 1 }).toArray();
    expect(bySeq.map((x) => x.status)).toEqual(['sent', 'invalid', 'sent']);
    expect(bySeq[1]!.lastError).toContain('invalid event');
    expect(r.status()).toMatchObject({ published: 2, invalid: 1, failures: 0 });
  });

  it('publishes in the trace of the writing request even when flushed from another request', async () => {
    const writing = newTraceContext();
    const flushing = newTraceContext();
    const seenTrace = deferred<string | undefined>();
    await bus.subscribe({
      groupId: 'trace-flush',
      topics: [topic],
      handler: async () => seenTrace.resolve(activeTraceId()),
    });
    await context.with(writing.ctx, () => record('m-1', 0));
    await context.with(flushing.ctx, () => relay().flush());
    await expect(seenTrace.promise).resolves.toBe(writing.traceId);
  });

  it('carries the trace of the writing request to the consumer', async () => {
    const { ctx, traceId } = newTraceContext();
    const seenTrace = deferred<string | undefined>();
    await bus.subscribe({
      groupId: 'trace',
      topics: [topic],
      handler: async () => seenTrace.resolve(activeTraceId()),
    });
    await context.with(ctx, () => record('m-1', 0));
    const [stored] = await outbox().find({}).toArray();
    expect(stored!.event.traceparent).toContain(traceId);
    await relay().start();
    await expect(seenTrace.promise).resolves.toBe(traceId);
  });
});

describe('laneOf', () => {
  it('maps keys onto the fixed lanes, the same in every process and release', () => {
    // Pinned: records already written must keep their lane after an upgrade.
    expect([laneOf(''), laneOf('a'), laneOf('331003-member-01')]).toEqual([453, 300, 172]);
    const lanes = Array.from({ length: 5000 }, (_, i) => laneOf(`attendance-${i}`));
    expect(lanes.every((l) => Number.isInteger(l) && l >= 0 && l < OUTBOX_LANES)).toBe(true);
    // Spread: 5,000 keys reach most of the 1,024 lanes.
    expect(new Set(lanes).size).toBeGreaterThan(900);
  });
});
