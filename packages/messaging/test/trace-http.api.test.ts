// One trace from an HTTP request to the consumer's handler, through the outbox, for both adapters
// (the Kafka adapter on the kafkajs stand-in; with KAFKA_BROKERS the contract suite covers a real
// broker). The server extracts the caller's `traceparent` as the HTTP instrumentation does.
jest.mock('kafkajs', () => jest.requireActual('./support/fake-kafkajs'));

import { once } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, propagation, ROOT_CONTEXT } from '@opentelemetry/api';
import { createEvent } from '@honglian/contracts';
import { Schema } from 'mongoose';
import { InProcessEventBus, KafkaEventBus, OutboxRelay, withOutbox, type EventBus } from '../src/index.js';
import { openTestDb, type TestDb } from './support/db.js';
import { deferred, Happened, uniqueGroup, uniqueTopic } from './support/events.js';
import { broker } from './support/fake-kafkajs.js';
import { activeTraceId, registerTracing } from './support/otel.js';

const adapters: [string, () => EventBus][] = [
  ['in-process', () => new InProcessEventBus()],
  ['kafka (stand-in)', () => new KafkaEventBus({ brokers: ['fake:9092'], clientId: 'trace-test' })],
];

describe.each(adapters)('trace context from HTTP request to consumer: %s', (_name, makeBus) => {
  let db: TestDb;
  let bus: EventBus;
  let relay: OutboxRelay;
  let server: Server;

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
    await new Promise((resolve) => server?.close(resolve));
    await db.close();
  });

  it('runs the handler in the trace of the request that wrote the event', async () => {
    const topic = uniqueTopic('trace');
    const Note = db.conn.model('Note', new Schema({ subject: String }));
    await Note.createCollection();
    server = createServer((req, res) => {
      const ctx = propagation.extract(ROOT_CONTEXT, req.headers);
      void context.with(ctx, async () => {
        await withOutbox(db.conn, async (session, outbox) => {
          await Note.create([{ subject: 'c-1' }], { session });
          outbox.add(
            topic,
            createEvent({ type: Happened.type, source: '/t', subject: 'c-1', data: { n: 1 } }),
          );
        });
        res.writeHead(201).end();
      });
    });
    server.listen(0);
    await once(server, 'listening');

    const inHandler = deferred<string | undefined>();
    await bus.subscribe({
      groupId: uniqueGroup(),
      topics: [topic],
      handler: async () => inHandler.resolve(activeTraceId()),
    });
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const { port } = server.address() as AddressInfo;
    const status = await new Promise<number | undefined>((resolve, reject) => {
      request(
        { port, method: 'POST', headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } },
        (res) => {
          res.resume();
          resolve(res.statusCode);
        },
      )
        .on('error', reject)
        .end();
    });
    expect(status).toBe(201);

    // The relay publishes outside the request (its own loop); the trace travels with the record.
    await relay.start();
    await expect(inHandler.promise).resolves.toBe(traceId);
  });
});
