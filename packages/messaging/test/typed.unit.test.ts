import { createEvent, defineEvent, draftEvent, validateEvent, type CloudEvent } from '@honglian/contracts';
import { z } from 'zod';
import { EventValidationError, OutboxWriter, emit, emitAll, eventHandlers, on } from '../src/index.js';

// Compile-time checks: `npm run check-types` fails when a line marked @ts-expect-error compiles.
const Planted = defineEvent(
  'honglian.typed-test.tree.planted.v1',
  z.object({ treeId: z.string(), species: z.string(), height: z.number().default(1) }),
);
const Felled = defineEvent('honglian.typed-test.tree.felled.v1', z.object({ treeId: z.string() }));
const Pruned = defineEvent(
  'honglian.typed-test.tree.pruned.v1',
  z.object({ treeId: z.string(), branches: z.number().int() }),
);

const at = new Date('2026-03-01T08:00:00+08:00');

describe('emit', () => {
  it('queues a valid envelope on the outbox with topic, source and key from the type', () => {
    const outbox = new OutboxWriter();
    const event = emit(outbox, Planted, {
      subject: 't-1',
      county: '331003',
      data: { treeId: 't-1', species: '香樟' },
      time: at,
    });
    expect(event).toMatchObject({
      type: 'honglian.typed-test.tree.planted.v1',
      source: '/honglian/typed-test',
      subject: 't-1',
      county: '331003',
      time: at.toISOString(),
      data: { treeId: 't-1', species: '香樟' },
    });
    const type: 'honglian.typed-test.tree.planted.v1' = event.type;
    expect(validateEvent(event).ok).toBe(true);
    const [record] = outbox.drainRecords();
    expect(record).toMatchObject({ topic: 'honglian.typed-test.v1', key: 't-1', event: { id: event.id } });
    expect(type).toBe(Planted.type);
  });

  it('checks the data against the contract at compile time and at run time', () => {
    const outbox = new OutboxWriter();
    // @ts-expect-error species is required
    expect(() => emit(outbox, Planted, { subject: 't', data: { treeId: 't' } })).toThrow(
      EventValidationError,
    );
    // @ts-expect-error a field the contract does not have
    emit(outbox, Felled, { subject: 't', data: { treeId: 't', by: 'storm' } });
    expect(() =>
      // @ts-expect-error wrong type of field
      emit(outbox, Pruned, { subject: 't', data: { treeId: 't', branches: 'two' } }),
    ).toThrow(EventValidationError);
  });

  it('honours topic, source, key and id when given', () => {
    const outbox = new OutboxWriter();
    emit(outbox, Felled, {
      subject: 't-2',
      data: { treeId: 't-2' },
      topic: 'honglian.elsewhere.v1',
      source: '/custom',
      key: 'k',
      id: '3b241101-e2bb-4255-8caf-4136c566a962',
    });
    expect(outbox.drainRecords()[0]).toMatchObject({
      topic: 'honglian.elsewhere.v1',
      key: 'k',
      event: { id: '3b241101-e2bb-4255-8caf-4136c566a962', source: '/custom' },
    });
  });
});

describe('emitAll', () => {
  it('queues a decision’s drafts in order with one time', () => {
    const outbox = new OutboxWriter();
    const events = emitAll(
      outbox,
      [
        draftEvent(Planted, { subject: 't-3', data: { treeId: 't-3', species: '桂花' } }),
        draftEvent(Pruned, { subject: 't-3', data: { treeId: 't-3', branches: 2 } }),
      ],
      { time: at },
    );
    expect(events.map((e) => [e.type, e.time])).toEqual([
      [Planted.type, at.toISOString()],
      [Pruned.type, at.toISOString()],
    ]);
    expect(outbox.size).toBe(2);
  });
});

function envelope(type: string, data: unknown): CloudEvent {
  return createEvent({ type, source: '/honglian/typed-test', subject: 't', data });
}

describe('on and eventHandlers', () => {
  it('dispatch by type with typed, parsed data', async () => {
    const seen: string[] = [];
    const handle = eventHandlers<{ log: string[] }>([
      on(Planted, (event, ctx) => {
        // The schema's default is applied: height is a number, never undefined.
        const height: number = event.data.height;
        ctx.log.push(`${event.data.species}:${height}`);
      }),
      on([Felled, Pruned], async (event, ctx) => {
        if (event.type === Pruned.type) ctx.log.push(`pruned ${event.data.branches}`);
        else ctx.log.push(`felled ${event.data.treeId}`);
        // @ts-expect-error branches exists only once narrowed to Pruned
        void event.data.branches;
      }),
    ]);
    await handle(envelope(Planted.type, { treeId: 't', species: '银杏' }), { log: seen });
    await handle(envelope(Pruned.type, { treeId: 't', branches: 3 }), { log: seen });
    await handle(envelope(Felled.type, { treeId: 't' }), { log: seen });
    expect(seen).toEqual(['银杏:1', 'pruned 3', 'felled t']);
    expect(handle.types).toEqual([Planted.type, Felled.type, Pruned.type]);
  });

  it('ignore types nobody routes, or fail them when asked', async () => {
    const routes = [on<typeof Felled, undefined>(Felled, () => undefined)];
    await expect(eventHandlers(routes)(envelope(Planted.type, {}), undefined)).resolves.toBeUndefined();
    await expect(
      eventHandlers(routes, { unhandled: 'fail' })(envelope(Planted.type, {}), undefined),
    ).rejects.toThrow(/no handler for honglian.typed-test.tree.planted.v1/);
  });

  it('refuse data that does not match the contract', async () => {
    const handle = eventHandlers([on(Felled, () => undefined)]);
    await expect(handle(envelope(Felled.type, { treeId: 7 }), undefined as never)).rejects.toThrow(
      EventValidationError,
    );
  });

  it('refuse a type routed twice', () => {
    expect(() => eventHandlers([on(Felled, () => undefined), on([Pruned, Felled], () => undefined)])).toThrow(
      /routed twice/,
    );
  });
});
