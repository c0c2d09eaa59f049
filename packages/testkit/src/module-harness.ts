import { topicOfEventType, type CloudEvent } from '@honglian/contracts';
import { connectTestDatabase } from '@honglian/embedded-mongo';
import { InProcessEventBus } from '@honglian/messaging';
import {
  FixedClock,
  buildModuleService,
  configSchemaOf,
  createLogger,
  loadConfig,
  type AnyServiceModule,
  type ServiceContext,
  type ServiceOf,
  type SettingsOf,
} from '@honglian/service-kit';
import mongoose, { type Connection } from 'mongoose';
import request from 'supertest';
import { publishedEvents } from './events.js';
import { bearer, startTestIssuer, type TestIssuer, type TestUser } from './tokens.js';

/** The clock tests start at unless they say otherwise (the same as `testContext`). */
export const DEFAULT_TEST_START = '2026-06-30T08:00:00+08:00';

export interface ModuleHarnessOptions<M extends AnyServiceModule> {
  /**
   * The module's settings: a partial merged over what `module.settings` derives from the test
   * environment, or a function of those (e.g. a fixed QR secret, a sweep interval of 0).
   */
  settings?: Partial<SettingsOf<M>> | ((fromEnv: SettingsOf<M>) => SettingsOf<M>);
  /** The environment the module's config is read from; `NODE_ENV=test` unless given. Never process.env. */
  env?: Record<string, string>;
  /** Where the fixed clock starts. Default DEFAULT_TEST_START. */
  now?: Date | string;
  /** Context overrides (body limit, rate limit…); logger, clock and auth are the harness's. */
  context?: Partial<ServiceContext>;
  /** Start the service (relay, consumers, background) and the bus. Default true. */
  start?: boolean;
  /** Lifetime of minted tokens; default one hour (a fixed clock moving months does not expire them). */
  tokenTtlSeconds?: number;
}

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Calls of the module's API by a test user (or anonymously with `null`), paths relative to its prefix. */
export interface HarnessHttp {
  get(path: string, user: TestUser | null): Promise<request.Response>;
  post(path: string, user: TestUser | null, body?: object): Promise<request.Response>;
  put(path: string, user: TestUser | null, body?: object): Promise<request.Response>;
  patch(path: string, user: TestUser | null, body?: object): Promise<request.Response>;
  delete(path: string, user: TestUser | null): Promise<request.Response>;
  /** A download (XLSX, CSV) with the body as a Buffer. */
  binary(path: string, user: TestUser | null): Promise<request.Response>;
  /** A file as the request body (an import). */
  upload(
    path: string,
    user: TestUser | null,
    file: Buffer | string,
    contentType: string,
    headers?: Record<string, string>,
  ): Promise<request.Response>;
  /** An anonymous request to finish by hand, e.g. `.set(await h.auth(user)).query(...)`; not recorded in `responses`. */
  request(method: Method, path: string): request.Test;
}

export interface ModuleHarness<M extends AnyServiceModule> {
  module: M;
  service: ServiceOf<M>;
  settings: SettingsOf<M>;
  /** The service's own database (a fresh one per harness). */
  conn: Connection;
  bus: InProcessEventBus;
  clock: FixedClock;
  issuer: TestIssuer;
  http: HarnessHttp;
  /** Every response `http` got, newest last (tests of refusals check their shape). */
  responses: request.Response[];
  /** The Authorization header for a user (tokens cached per user). */
  auth(user: TestUser): Promise<{ Authorization: string }>;
  /** Publishes events as another service would (topic from each type) and waits until consumed. */
  publish(...events: CloudEvent[]): Promise<void>;
  /** The same on a named topic. */
  publishTo(topic: string, ...events: CloudEvent[]): Promise<void>;
  /** Events published on `topic` (default the module's outbox topic), once its relay caught up. */
  events(topic?: string): Promise<CloudEvent[]>;
  /** Waits until the relay published what is pending and every consumer is done. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

function settingsFor<M extends AnyServiceModule>(module: M, opts: ModuleHarnessOptions<M>): SettingsOf<M> {
  const config = loadConfig(configSchemaOf(module), { NODE_ENV: 'test', ...opts.env });
  const fromEnv = (module.settings ? module.settings(config) : undefined) as SettingsOf<M>;
  if (typeof opts.settings === 'function') return opts.settings(fromEnv);
  if (opts.settings === undefined) return fromEnv;
  return { ...(fromEnv as object), ...opts.settings } as SettingsOf<M>;
}

/**
 * Serves any service module the way its component tests need it: a fresh database on the
 * embedded server (or MONGO_URL), the in-process bus, a real token issuer (JWKS over HTTP,
 * verified as Keycloak's tokens are), a fixed clock, and the kit's own wiring of relay,
 * consumers and readiness. A service's test support shrinks to its fixtures:
 *
 *   const h = await startModule(memberCheckinModule, { settings: { qrSecret: QR_SECRET, scanIntervalMs: 0 } });
 *   await h.publish(...fixtureEvents());
 *   const res = await h.http.post('/reports', users.li, { kind: 'residence', communityId });
 */
export async function startModule<M extends AnyServiceModule>(
  module: M,
  opts: ModuleHarnessOptions<M> = {},
): Promise<ModuleHarness<M>> {
  const settings = settingsFor(module, opts);
  const database = await connectTestDatabase();
  const cleanup: (() => Promise<unknown>)[] = [() => database.stop()];
  const closeAll = async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  };
  try {
    const conn = await mongoose.createConnection(database.uri).asPromise();
    cleanup.push(() => conn.close());
    const issuer = await startTestIssuer();
    cleanup.push(() => issuer.close());
    const bus = new InProcessEventBus();
    cleanup.push(() => bus.stop());
    const clock = new FixedClock(opts.now ?? DEFAULT_TEST_START);
    const service = buildModuleService(module, {
      // Every answer is checked against the schema its route documents (ApiRouter checkResponses).
      checkResponses: true,
      ...opts.context,
      logger: createLogger({ name: `${module.name}-test`, level: 'silent' }),
      clock,
      auth: issuer.authenticator(),
      db: conn,
      bus,
      settings,
    }) as ServiceOf<M>;
    cleanup.push(() => service.stop());
    if (opts.start !== false) {
      // Consumers subscribe before the bus delivers, as in a service run alone.
      await service.start();
      await bus.start();
    }

    const tokens = new Map<string, string>();
    const auth = async (user: TestUser) => {
      const key = JSON.stringify(user);
      if (!tokens.has(key))
        tokens.set(key, await issuer.token(user, { expiresIn: opts.tokenTtlSeconds ?? 3600 }));
      return bearer(tokens.get(key)!);
    };
    const responses: request.Response[] = [];
    const seen = (res: request.Response) => {
      responses.push(res);
      return res;
    };
    const headersOf = async (user: TestUser | null) => (user ? await auth(user) : {});
    const call = (method: Method, path: string) => request(service.app)[method](module.prefix + path);
    const asBuffer = (req: request.Test) =>
      req.buffer(true).parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
    // Headers are awaited before the request is built: a supertest Test is a thenable, so it
    // must only be awaited once it is complete.
    const http: HarnessHttp = {
      get: async (path, user) => {
        const headers = await headersOf(user);
        return seen(await call('get', path).set(headers));
      },
      post: async (path, user, body) => {
        const headers = await headersOf(user);
        return seen(
          await call('post', path)
            .set(headers)
            .send(body ?? {}),
        );
      },
      put: async (path, user, body) => {
        const headers = await headersOf(user);
        return seen(
          await call('put', path)
            .set(headers)
            .send(body ?? {}),
        );
      },
      patch: async (path, user, body) => {
        const headers = await headersOf(user);
        return seen(
          await call('patch', path)
            .set(headers)
            .send(body ?? {}),
        );
      },
      delete: async (path, user) => {
        const headers = await headersOf(user);
        return seen(await call('delete', path).set(headers));
      },
      binary: async (path, user) => {
        const headers = await headersOf(user);
        return seen(await asBuffer(call('get', path).set(headers)));
      },
      upload: async (path, user, file, contentType, extra = {}) => {
        const headers = await headersOf(user);
        return seen(
          await call('post', path)
            .set(headers)
            .set(extra)
            .set('content-type', contentType)
            .send(typeof file === 'string' ? Buffer.from(file) : file),
        );
      },
      request: call,
    };

    const publishTo = async (topic: string, ...events: CloudEvent[]) => {
      for (const e of events) await bus.publish(topic, e);
      await bus.whenIdle();
    };
    const ownTopic = module.outbox?.topic;
    const settle = async () => {
      // flush() publishes what is pending now, serialised with the relay's own loop.
      if (service.relay) await service.relay.flush();
      await bus.whenIdle();
    };

    return {
      module,
      service,
      settings,
      conn,
      bus,
      clock,
      issuer,
      http,
      responses,
      auth,
      publish: async (...events) => {
        for (const e of events) await bus.publish(topicOfEventType(e.type), e);
        await bus.whenIdle();
      },
      publishTo,
      events: async (topic = ownTopic) => {
        if (!topic) throw new Error(`${module.name} declares no outbox topic: name the topic`);
        return publishedEvents(conn, bus, topic, { attempts: 500 });
      },
      settle,
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
