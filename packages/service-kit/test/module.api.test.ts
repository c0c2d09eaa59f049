import { connectTestDatabase, type TestDatabase } from '@honglian/embedded-mongo';
import { defineEvent } from '@honglian/contracts';
import { InProcessEventBus, emit, eventHandlers, on, withOutbox } from '@honglian/messaging';
import mongoose, { type Connection } from 'mongoose';
import request from 'supertest';
import { z } from 'zod';
import {
  BaseConfigSchema,
  ConfigError,
  FixedClock,
  ServiceConfigSchema,
  apiRoutesOf,
  buildModuleService,
  buildModuleServices,
  createLogger,
  defineServiceModule,
  ownConfigShapeOf,
  settingsOfModules,
  type ModuleService,
} from '../src/index.js';

const logger = createLogger({ name: 'module-test', level: 'silent' });
const clock = new FixedClock('2026-05-01T09:00:00+08:00');

const Rang = defineEvent(
  'honglian.kit-bell.bell.rang.v1',
  z.object({ bellId: z.string(), times: z.number() }),
);

/** Rings bells: POST /bells/:id/ring writes the ring and its event in one transaction. */
const bell = defineServiceModule({
  name: 'kit-bell',
  prefix: '/api/v1/bells',
  title: 'Bells',
  config: BaseConfigSchema.extend({ BELL_TIMES: z.coerce.number().int().positive().default(3) }),
  settings: (config) => {
    if (config.NODE_ENV === 'production' && config.BELL_TIMES > 10) {
      throw new ConfigError([{ variable: 'BELL_TIMES', message: 'at most 10 in production' }]);
    }
    return { times: config.BELL_TIMES };
  },
  outbox: { topic: 'honglian.kit-bell.v1', relay: { pollIntervalMs: 20, backoffMs: 5, maxBackoffMs: 10 } },
  create: ({ db, settings, clock: time }) => ({
    routes: (api) =>
      api.route(
        {
          method: 'post',
          path: '/:bellId/ring',
          public: true,
          summary: 'Ring a bell',
          request: { params: z.object({ bellId: z.string() }) },
          responses: { 202: { description: 'Rung' } },
        },
        async ({ params }) => {
          await withOutbox(db, async (_session, outbox) => {
            emit(outbox, Rang, {
              subject: params.bellId,
              data: { bellId: params.bellId, times: settings.times },
              time: time.now(),
            });
          });
          return { status: 202 };
        },
      ),
    expose: { ringsPerCall: settings.times },
  }),
});

/** Counts rings heard from the bell service's topic. */
const heard: string[] = [];
const listenerEvents: string[] = [];
const listener = defineServiceModule({
  name: 'kit-listener',
  prefix: '/api/v1/listener',
  title: 'Listener',
  create: () => ({
    consumers: [
      {
        group: 'kit-listener.bells',
        topics: ['honglian.kit-bell.v1'],
        handle: eventHandlers([
          on(Rang, (event) => {
            heard.push(`${event.data.bellId}x${event.data.times}`);
          }),
        ]),
      },
    ],
    background: [
      {
        name: 'ticker',
        start: () => void listenerEvents.push('start'),
        stop: () => void listenerEvents.push('stop'),
      },
    ],
    readiness: { ticker: () => ({ ok: true }) },
  }),
});

async function until(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('defineServiceModule', () => {
  it('refuses a name that is not kebab-case or a prefix outside /api/v1', () => {
    expect(() =>
      defineServiceModule({ name: 'Bad Name', prefix: '/api/v1/x', title: 'x', create: () => ({}) }),
    ).toThrow(/kebab-case/);
    expect(() => defineServiceModule({ name: 'x', prefix: '/v1/x', title: 'x', create: () => ({}) })).toThrow(
      /\/api\/v1\/<segment>/,
    );
  });

  it('refuses a config that does not extend BaseConfigSchema (the kit reads PORT, LOG_LEVEL…)', () => {
    expect(() =>
      defineServiceModule({
        name: 'x',
        prefix: '/api/v1/x',
        title: 'x',
        config: z.object({ X: z.string() }),
        create: () => ({}),
      }),
    ).toThrow(/must extend BaseConfigSchema \(missing NODE_ENV, HOST, PORT/);
  });

  it('infers settings from config and what a built service exposes', () => {
    const settings = bell.settings!(
      BaseConfigSchema.extend({ BELL_TIMES: z.coerce.number() }).parse({ BELL_TIMES: '2' }),
    );
    const times: number = settings.times;
    expect(times).toBe(2);
  });
});

describe('a service built from a module', () => {
  let server: TestDatabase;
  let conns: Connection[] = [];
  const connect = async () => {
    const conn = await mongoose.createConnection(server.uri).asPromise();
    conns.push(conn);
    return conn;
  };

  beforeAll(async () => {
    server = await connectTestDatabase();
  });
  afterEach(async () => {
    for (const c of conns) await c.close();
    conns = [];
  });
  afterAll(async () => server.stop());

  it('is wired by the kit: relay, consumers, background and readiness start and stop with it', async () => {
    const bus = new InProcessEventBus();
    const db = await connect();
    const bells = buildModuleService(bell, { logger, clock, db, bus, settings: { times: 2 } });
    const listening = buildModuleService(listener, {
      logger,
      clock,
      db: await connect(),
      bus,
      settings: undefined,
    });
    const exposed: number = bells.ringsPerCall;
    expect(exposed).toBe(2);
    expect(listening.consumers).toEqual([{ group: 'kit-listener.bells', topics: ['honglian.kit-bell.v1'] }]);
    expect(bells.relay).toBeDefined();
    expect(listening.relay).toBeUndefined();

    await bells.start();
    await listening.start();
    await bus.start();
    expect(listenerEvents).toEqual(['start']);
    expect((await request(bells.app).get('/readyz')).body.checks).toEqual({
      mongodb: { ok: true },
      outbox: { ok: true },
    });
    expect(Object.keys((await request(listening.app).get('/readyz')).body.checks).sort()).toEqual([
      'bus',
      'mongodb',
      'ticker',
    ]);

    expect((await request(bells.app).post('/api/v1/bells/b-1/ring')).status).toBe(202);
    await until(() => heard.includes('b-1x2'));

    await listening.stop();
    await bells.stop();
    expect(listenerEvents).toEqual(['start', 'stop']);
    expect(bells.relay!.status().running).toBe(false);
    expect((await request(bells.app).get('/readyz')).status).toBe(503);
    await bus.stop();
  });

  it('reports the outbox not ready while the relay cannot publish, and ready again once it can', async () => {
    const bus = new InProcessEventBus();
    const bells = buildModuleService(bell, {
      logger,
      clock,
      db: await connect(),
      bus,
      settings: { times: 1 },
    });
    await bells.start();
    await bus.start();
    const publish = jest.spyOn(bus, 'publish').mockRejectedValue(new Error('broker unreachable'));
    await request(bells.app).post('/api/v1/bells/b-2/ring').expect(202);
    await until(async () => (await request(bells.app).get('/readyz')).status === 503);
    const res = await request(bells.app).get('/readyz');
    expect(res.body.checks.outbox).toEqual({
      ok: false,
      detail: expect.stringMatching(/broker unreachable/),
    });
    publish.mockRestore();
    await until(async () => (await request(bells.app).get('/readyz')).status === 200);
    await bells.stop();
    await bus.stop();
  });

  it('refuses consumer groups outside the service’s name and leaves nothing running after a failed start', async () => {
    const bus = new InProcessEventBus();
    const db = await connect();
    const stray = defineServiceModule({
      name: 'kit-stray',
      prefix: '/api/v1/stray',
      title: 'Stray',
      create: () => ({ consumers: [{ group: 'someone-else.g', topics: ['t'], handle: async () => {} }] }),
    });
    expect(() => buildModuleService(stray, { logger, clock, db, bus, settings: undefined })).toThrow(
      /must start with "kit-stray\."/,
    );

    const stopped: string[] = [];
    const failing = defineServiceModule({
      name: 'kit-failing',
      prefix: '/api/v1/failing',
      title: 'Failing',
      outbox: { topic: 'honglian.kit-failing.v1' },
      create: () => ({
        background: [
          { name: 'ok', start: () => {}, stop: () => void stopped.push('ok') },
          {
            name: 'broken',
            start: () => {
              throw new Error('no timer');
            },
            stop: () => void stopped.push('broken'),
          },
        ],
      }),
    });
    const service = buildModuleService(failing, { logger, clock, db, bus, settings: undefined });
    await expect(service.start()).rejects.toThrow('no timer');
    expect(stopped).toEqual(['ok']);
    expect(service.relay!.status().running).toBe(false);
  });
});

describe('composing modules (the all-in-one run)', () => {
  it('derives the gateway routes from the modules', () => {
    expect(apiRoutesOf([bell, listener])).toEqual({ bells: 'kit-bell', listener: 'kit-listener' });
    expect(() => apiRoutesOf([bell, { name: 'other', prefix: '/api/v1/bells' }])).toThrow(/both claim/);
  });

  it('collects the variables the modules read beyond the shared ones', () => {
    const shape = ownConfigShapeOf([bell, listener]);
    expect(Object.keys(shape)).toEqual(['BELL_TIMES']);
    const suite = ServiceConfigSchema.extend(shape).parse({ BELL_TIMES: '4' });
    const times: number = suite.BELL_TIMES;
    expect(times).toBe(4);
  });

  it('reports the bad settings of every module at once', () => {
    const other = defineServiceModule({
      name: 'kit-other',
      prefix: '/api/v1/other',
      title: 'Other',
      settings: () => {
        throw new ConfigError([{ variable: 'OTHER_SECRET', message: 'required when NODE_ENV=production' }]);
      },
      create: () => ({}),
    });
    const config = { NODE_ENV: 'production', BELL_TIMES: 11 };
    expect(() => settingsOfModules([bell, other], config)).toThrow(
      expect.objectContaining({
        problems: [
          { variable: 'BELL_TIMES', message: 'at most 10 in production' },
          { variable: 'OTHER_SECRET', message: 'required when NODE_ENV=production' },
        ],
      }),
    );
  });

  it('builds every module on shared infrastructure, each on its own database', async () => {
    const server = await connectTestDatabase();
    const bus = new InProcessEventBus();
    const opened: Connection[] = [];
    const databases = {
      connect: async (name: string) => {
        const conn = await mongoose
          .createConnection(server.uri, { dbName: `${server.dbName}_${name}` })
          .asPromise();
        opened.push(conn);
        return conn;
      },
    };
    const services: ModuleService[] = await buildModuleServices([bell, listener], {
      config: { BELL_TIMES: 5 },
      databases,
      bus,
      context: (m) => ({ logger: logger.child({ service: m.name }), clock }),
    });
    expect(services.map((s) => s.name)).toEqual(['kit-bell', 'kit-listener']);
    expect(opened.map((c) => c.name)).toEqual([`${server.dbName}_kit-bell`, `${server.dbName}_kit-listener`]);
    for (const s of services) await s.start();
    await bus.start();
    await request(services[0]!.app).post('/api/v1/bells/b-3/ring').expect(202);
    await until(() => heard.includes('b-3x5'));
    for (const s of [...services].reverse()) await s.stop();
    await bus.stop();
    for (const c of opened) await c.close();
    await server.stop();
  });
});
