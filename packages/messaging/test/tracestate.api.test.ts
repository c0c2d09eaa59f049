// W3C `tracestate` travels with `traceparent` in each CloudEvent (distributed-tracing extension):
// stamped by the outbox from the writing request's context, carried through the relay and the
// bus (both adapters; Kafka on the kafkajs stand-in), and restored in the consumer's span.
jest.mock('kafkajs', () => jest.requireActual('./support/fake-kafkajs'));

import { randomBytes } from 'node:crypto';
import { context, createTraceState, ROOT_CONTEXT, trace, TraceFlags, type Context } from '@opentelemetry/api';
import { CloudEventEnvelope, createEvent, type CloudEvent } from '@honglian/contracts';
import { Schema } from 'mongoose';
import {
  COLLECTIONS,
  extractMessageContext,
  HEADERS,
  InProcessEventBus,
  KafkaEventBus,
  OutboxRelay,
  OutboxWriter,
  withOutbox,
  type DeliveryMeta,
  type EventBus,
  type OutboxRecord,
} from '../src/index.js';
import { openTestDb, type TestDb } from './support/db.js';
import { deferred, Happened, uniqueGroup, uniqueTopic } from './support/events.js';
import { broker } from './support/fake-kafkajs.js';
import { registerTracing } from './support/otel.js';

const TRACESTATE = 'honglian=t61rcWkgMzE,congo=ucfJifl5GOE';

/** "Inside a request" whose trace carries vendor state, as an extracted `tracestate` header would. */
function requestContext(traceState = TRACESTATE): { ctx: Context; traceId: string; spanId: string } {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  const ctx = trace.setSpanContext(ROOT_CONTEXT, {
    traceId,
    spanId,
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
    traceState: createTraceState(traceState),
  });
  return { ctx, traceId, spanId };
}

function activeTrace(): { traceId?: string; tracestate?: string } {
  const span = trace.getSpanContext(context.active());
  return { traceId: span?.traceId, tracestate: span?.traceState?.serialize() };
}

const happened = (extra: Partial<CloudEvent> = {}) => ({
  ...createEvent({ type: Happened.type, source: '/t', subject: 's-1', data: { n: 1 } }),
  ...extra,
});

describe('tracestate in the CloudEvent', () => {
  beforeAll(() => registerTracing());

  it('is an optional extension attribute of the envelope, printable ASCII up to 512 characters', () => {
    const traceparent = `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`;
    expect(CloudEventEnvelope.safeParse(happened({ traceparent, tracestate: TRACESTATE })).success).toBe(
      true,
    );
    expect(CloudEventEnvelope.safeParse(happened({ traceparent })).success).toBe(true);
    expect(CloudEventEnvelope.safeParse(happened({ traceparent, tracestate: 'x\n=1' })).success).toBe(false);
    expect(
      CloudEventEnvelope.safeParse(happened({ traceparent, tracestate: `k=${'v'.repeat(511)}` })).success,
    ).toBe(false);
    // createEvent keeps tracestate only beside its traceparent.
    expect(
      createEvent({ type: Happened.type, source: '/t', subject: 's', data: {}, tracestate: 'a=b' }),
    ).not.toHaveProperty('tracestate');
  });

  it('is stamped by the outbox with traceparent from the active context', () => {
    const { ctx, traceId, spanId } = requestContext();
    const stamped = context.with(ctx, () => new OutboxWriter().add('t', happened()));
    expect(stamped.traceparent).toBe(`00-${traceId}-${spanId}-01`);
    expect(stamped.tracestate).toBe(TRACESTATE);
    // A trace without vendor state stamps no tracestate; an event's own trace context is kept.
    const bare = requestContext('');
    expect(context.with(bare.ctx, () => new OutboxWriter().add('t', happened()))).not.toHaveProperty(
      'tracestate',
    );
    const own = happened({ traceparent: `00-${'c'.repeat(32)}-${'d'.repeat(16)}-01` });
    expect(context.with(ctx, () => new OutboxWriter().add('t', own))).toEqual(own);
  });

  it('is restored from the event when the message has no trace headers', () => {
    const traceparent = `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`;
    const restored = trace.getSpanContext(
      extractMessageContext({}, happened({ traceparent, tracestate: TRACESTATE })),
    );
    expect(restored).toMatchObject({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) });
    expect(restored?.traceState?.serialize()).toBe(TRACESTATE);
    // The headers' traceparent wins, and the event's tracestate is not paired with another trace.
    const other = `00-${'e'.repeat(32)}-${'f'.repeat(16)}-01`;
    const fromHeaders = trace.getSpanContext(
      extractMessageContext(
        { [HEADERS.traceparent]: other },
        happened({ traceparent, tracestate: TRACESTATE }),
      ),
    );
    expect(fromHeaders?.traceId).toBe('e'.repeat(32));
    expect(fromHeaders?.traceState).toBeUndefined();
  });
});

const adapters: [string, () => EventBus][] = [
  ['in-process', () => new InProcessEventBus()],
  ['kafka (stand-in)', () => new KafkaEventBus({ brokers: ['fake:9092'], clientId: 'tracestate-test' })],
];

describe.each(adapters)('tracestate from the writing request to the consumer: %s', (_name, makeBus) => {
  let db: TestDb;
  let bus: EventBus;
  let relay: OutboxRelay;

  beforeAll(() => registerTracing());
  beforeEach(async () => {
    broker.reset();
    db = await openTestDb();
    bus = makeBus();
    await bus.start();
    relay = new OutboxRelay({ connection: db.conn, bus, pollIntervalMs: 20 });
  });
  afterEach(async () => {
    await relay.stop();
    await bus.stop();
    await db.close();
  });

  it('travels through the outbox record, the message headers and into the handler’s context', async () => {
    const topic = uniqueTopic('tracestate');
    const Note = db.conn.model('Note', new Schema({ subject: String }));
    await Note.createCollection();
    const seen = deferred<{ trace: ReturnType<typeof activeTrace>; meta: DeliveryMeta; event: CloudEvent }>();
    await bus.subscribe({
      groupId: uniqueGroup(),
      topics: [topic],
      handler: async (event, meta) => seen.resolve({ trace: activeTrace(), meta, event }),
    });

    const { ctx, traceId } = requestContext();
    await context.with(ctx, () =>
      withOutbox(db.conn, async (session, outbox) => {
        await Note.create([{ subject: 's-1' }], { session });
        outbox.add(topic, happened());
      }),
    );
    const [stored] = await db.conn.collection<OutboxRecord>(COLLECTIONS.outbox).find({}).toArray();
    expect(stored!.event).toMatchObject({ tracestate: TRACESTATE });
    expect(stored!.event.traceparent).toContain(traceId);

    // The relay publishes from its own loop, outside the request: the record carries the trace.
    await relay.start();
    const { trace: inHandler, meta, event } = await seen.promise;
    expect(inHandler).toEqual({ traceId, tracestate: TRACESTATE });
    expect(event.tracestate).toBe(TRACESTATE);
    expect(meta.headers[HEADERS.tracestate]).toBe(TRACESTATE);
    expect(meta.headers[HEADERS.traceparent]).toContain(traceId);
  });
});
