import {
  OutboxRelay,
  idempotent,
  type EventBus,
  type IdempotentHandler,
  type OutboxRelayOptions,
  type RetryPolicy,
  type Subscriber,
} from '@honglian/messaging';
import type { Connection } from 'mongoose';
import type { z } from 'zod';
import { AuthEnvSchema } from '../auth/config.js';
import { BaseConfigSchema } from '../config.js';
import { databaseCheck } from '../data.js';
import type { ReadinessCheck } from '../health.js';
import { registerMessagingMetrics } from '../messaging-metrics.js';
import type { ApiRouter } from '../routes.js';
import { createServiceApp, type ServiceContext } from '../service-app.js';
import type { ServiceHandle } from '../service.js';

/** The environment of a service run alone when its module names no schema of its own. */
export const ServiceConfigSchema = BaseConfigSchema.extend(AuthEnvSchema.shape);

/** Relay settings a module may tune (poll interval, batch, backoff); connection, bus and logger come from the kit. */
export type RelayTuning = Omit<OutboxRelayOptions, 'connection' | 'bus' | 'logger'>;

/** A consumer group of the service: the kit subscribes it on start and closes it on stop. */
export interface ConsumerSpec {
  /** Consumer group; must start with `<service name>.` so no two services share one. */
  group: string;
  topics: readonly string[];
  /**
   * Runs once per event in ONE transaction with the record of the event id and the outbox
   * (messaging's `idempotent`); build it with `eventHandlers([on(Event, handler), ...])`.
   */
  handle: IdempotentHandler;
  retry?: Partial<RetryPolicy>;
  /** Default true: a new group reads the topic from the beginning (read models rebuild by replay). */
  fromBeginning?: boolean;
}

/** Background work of the service itself (a sweep timer): started after the consumers, stopped first. */
export interface BackgroundTask {
  name: string;
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
}

/** What the kit hands a module to build itself from: the usual context plus its database, the bus and its settings. */
export interface ModuleRuntime<Settings = unknown> extends ServiceContext {
  /** The service's own database. */
  db: Connection;
  bus: EventBus;
  /** What `module.settings(config)` returned (tests pass their own). */
  settings: Settings;
}

/** The parts of a built service; the kit wires them (no I/O before `start`). */
export interface ModuleParts<Expose extends object = object, Demo = unknown> {
  /** Declares the routes on the service's ApiRouter (mounted at the module's prefix). */
  routes?: (api: ApiRouter) => void;
  consumers?: readonly ConsumerSpec[];
  /** One-off work before relay and consumers start, e.g. creating indexes. */
  prepare?: () => Promise<void>;
  background?: readonly BackgroundTask[];
  /** Checks beyond those of the kit (mongodb, outbox, bus). */
  readiness?: Readonly<Record<string, ReadinessCheck>>;
  /** What the built service exposes beside its handle (its application services for tests, an operator hook). */
  expose?: Expose;
  /** Seeds demo data for the all-in-one run; resolves to a summary, or null when there was nothing to do. */
  seedDemo?: (demo: Demo) => Promise<unknown>;
}

/**
 * Everything the kit needs to run a service, alone (`runModule`), in the
 * all-in-one suite, or in a test harness: who it is, what it reads from the
 * environment, how it turns that into its own settings, and how it builds
 * its parts from a runtime.
 */
export interface ServiceModule<
  Schema extends z.ZodObject = z.ZodObject,
  Settings = unknown,
  Expose extends object = object,
  Demo = unknown,
> {
  /** Also its database name, its bus client id and the prefix of its consumer groups. */
  readonly name: string;
  /** Public prefix of its API, `/api/v1/<segment>`; the gateway routes the segment to it. */
  readonly prefix: string;
  readonly title: string;
  readonly description?: string;
  readonly version?: string;
  /** The environment it reads when run alone; default `ServiceConfigSchema`. */
  readonly config?: Schema;
  /**
   * The service's own settings from its config (decoded secrets, rules). Pure; throws a
   * ConfigError naming the variable, which stops the process with that message.
   */
  settings?(config: z.output<Schema>): Settings;
  /** The topic it writes through its transactional outbox; the kit relays it. */
  readonly outbox?: { readonly topic: string; readonly relay?: RelayTuning };
  // Method syntax on purpose: a list of modules (AnyServiceModule) takes each one's runtime.
  create(runtime: ModuleRuntime<Settings>): ModuleParts<Expose, Demo>;
}

// `any` on purpose: a list of modules differs in every parameter (the suite, apiRoutesOf).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyServiceModule = ServiceModule<any, any, any, any>;

/** A service built from a module: its handle, what the module exposes, and the parts the kit runs. */
export type ModuleService<Expose extends object = object, Demo = unknown> = Omit<
  Expose,
  keyof ServiceHandle | 'api' | 'relay' | 'consumers' | 'seedDemo'
> &
  ServiceHandle & {
    api: ApiRouter;
    /** The outbox relay when the module writes an outbox (tests flush it or read its status). */
    relay: OutboxRelay | undefined;
    /** Consumer groups and their topics, as subscribed on start. */
    consumers: readonly { group: string; topics: readonly string[] }[];
    seedDemo(demo: Demo): Promise<unknown>;
  };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SettingsOf<M> = M extends ServiceModule<any, infer S, any, any> ? S : never;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ServiceOf<M> = M extends ServiceModule<any, any, infer X, infer D> ? ModuleService<X, D> : never;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ConfigOf<M> = M extends ServiceModule<infer S, any, any, any> ? z.output<S> : never;

const NAME = /^[a-z][a-z0-9-]*$/;
const PREFIX = /^\/api\/v1\/[a-z][a-z0-9-]*$/;

/** Declares a service module (types inferred from its parts) and checks its name and prefix. */
export function defineServiceModule<
  Schema extends z.ZodObject = typeof ServiceConfigSchema,
  Settings = undefined,
  Expose extends object = object,
  Demo = unknown,
>(module: ServiceModule<Schema, Settings, Expose, Demo>): ServiceModule<Schema, Settings, Expose, Demo> {
  if (!NAME.test(module.name)) throw new TypeError(`service module name ${module.name} is not kebab-case`);
  if (!PREFIX.test(module.prefix)) {
    throw new TypeError(`${module.name}: prefix ${module.prefix} is not /api/v1/<segment>`);
  }
  // The kit reads PORT, LOG_LEVEL, MONGO_URL… from every module's config.
  const missing = Object.keys(BaseConfigSchema.shape).filter(
    (k) => !(k in (module.config?.shape ?? BaseConfigSchema.shape)),
  );
  if (missing.length > 0) {
    throw new TypeError(
      `${module.name}: config must extend BaseConfigSchema (missing ${missing.join(', ')})`,
    );
  }
  return module;
}

/** The module's config schema (its own, or the default every service reads). */
export function configSchemaOf(module: AnyServiceModule): z.ZodObject {
  return module.config ?? ServiceConfigSchema;
}

function checkConsumers(name: string, consumers: readonly ConsumerSpec[]): readonly ConsumerSpec[] {
  const groups = new Set<string>();
  for (const c of consumers) {
    if (!c.group.startsWith(`${name}.`)) {
      throw new TypeError(`${name}: consumer group ${c.group} must start with "${name}."`);
    }
    if (groups.has(c.group)) throw new TypeError(`${name}: consumer group ${c.group} is declared twice`);
    if (c.topics.length === 0) throw new TypeError(`${name}: consumer group ${c.group} has no topics`);
    groups.add(c.group);
  }
  return consumers;
}

/**
 * Builds a service from its module: the app with its routes (kit app, API router, OpenAPI),
 * and on `start` — in this order — `prepare`, the outbox relay, the consumer groups (each
 * handler made idempotent on the service's database) and the background tasks; `stop` undoes
 * them in reverse. Readiness: mongodb, outbox (relay health), bus (when it consumes), plus the
 * module's own checks. No I/O until `start`.
 */
export function buildModuleService<Settings, Expose extends object, Demo>(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  module: ServiceModule<any, Settings, Expose, Demo>,
  runtime: ModuleRuntime<Settings>,
): ModuleService<Expose, Demo> {
  const parts = module.create(runtime);
  const consumers = checkConsumers(module.name, parts.consumers ?? []);
  const relay = module.outbox
    ? new OutboxRelay({
        ...module.outbox.relay,
        connection: runtime.db,
        bus: runtime.bus,
        logger: runtime.logger,
      })
    : undefined;
  const subscribers: Subscriber[] = [];
  const running: BackgroundTask[] = [];

  const stop = async () => {
    const errors: unknown[] = [];
    const attempt = async (step: () => Promise<void> | void) => {
      try {
        await step();
      } catch (err) {
        errors.push(err);
      }
    };
    messagingMetrics.stop();
    for (const task of running.splice(0).reverse()) await attempt(() => task.stop());
    for (const subscriber of subscribers.splice(0).reverse()) await attempt(() => subscriber.close());
    if (relay) await attempt(() => relay.stop());
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1)
      throw new AggregateError(errors, `${module.name}: ${errors.length} parts failed to stop`);
  };

  const start = async () => {
    try {
      await parts.prepare?.();
      messagingMetrics.start();
      await relay?.start();
      for (const c of consumers) {
        subscribers.push(
          await runtime.bus.subscribe({
            groupId: c.group,
            topics: [...c.topics],
            fromBeginning: c.fromBeginning ?? true,
            ...(c.retry ? { retry: c.retry } : {}),
            handler: idempotent(runtime.db, c.group, c.handle, { logger: runtime.logger }),
          }),
        );
      }
      for (const task of parts.background ?? []) {
        await task.start();
        running.push(task);
      }
    } catch (err) {
      // Leave nothing running behind a failed start.
      await stop().catch((stopError: unknown) =>
        runtime.logger.error({ err: stopError }, `${module.name}: stop after a failed start failed`),
      );
      throw err;
    }
  };

  const handle = createServiceApp(runtime, {
    name: module.name,
    prefix: module.prefix,
    title: module.title,
    ...(module.description ? { description: module.description } : {}),
    ...(module.version ? { version: module.version } : {}),
    ...(parts.routes ? { routes: parts.routes } : {}),
    start,
    stop,
  });
  // Declared after start/stop (which run later), once the app and its metrics registry exist.
  const messagingMetrics = registerMessagingMetrics(handle.metrics, {
    ...(relay ? { relay } : {}),
    consumers,
  });
  handle.readiness.register('mongodb', databaseCheck(runtime.db));
  if (relay) handle.readiness.register('outbox', () => relay.health());
  if (consumers.length > 0) handle.readiness.register('bus', () => runtime.bus.health());
  for (const [name, check] of Object.entries(parts.readiness ?? {})) handle.readiness.register(name, check);

  const { metrics: _metrics, ...kitHandle } = handle;
  const service = {
    ...parts.expose,
    ...kitHandle,
    relay,
    consumers: consumers.map((c) => ({ group: c.group, topics: [...c.topics] })),
    seedDemo: async (demo: Demo) => (parts.seedDemo ? parts.seedDemo(demo) : null),
  };
  return service as unknown as ModuleService<Expose, Demo>;
}
