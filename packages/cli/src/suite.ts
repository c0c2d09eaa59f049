import { createEventBus, type EventBus } from '@honglian/messaging';
import {
  BaseConfigSchema,
  apiRoutesOf,
  buildModuleServices,
  envBoolean,
  envPort,
  databaseOptionsOf,
  openDatabaseServer,
  ownConfigShapeOf,
  serve,
  serviceRateLimitOf,
  systemClock,
  type Clock,
  type LoadConfigOptions,
  type Logger,
  type ServedService,
  type ServiceContext,
  type ServiceHandle,
  type DatabaseServer,
} from '@honglian/service-kit';
import * as gateway from '@honglian/gateway';
import { IDENTITY_ENV_SHAPE, createSuiteIdentity } from './identity.js';
import { orgRegistryModule } from '@honglian/org-registry';
import { memberCheckinModule } from '@honglian/member-checkin';
import { volunteerPointsModule } from '@honglian/volunteer-points';
import { propertyEvaluationModule } from '@honglian/property-evaluation';
import { assessmentModule } from '@honglian/assessment';
import { z } from 'zod';

/**
 * The domain services of the suite, as modules, in start order (the gateway starts last, once it
 * knows their URLs). Adding a service to the all-in-one run means listing its module here: its
 * variables join the suite's config, it gets its own database on the one server and the one bus,
 * the gateway routes its prefix, and its demo data is seeded.
 */
export const MODULES: readonly [
  typeof orgRegistryModule,
  typeof memberCheckinModule,
  typeof volunteerPointsModule,
  typeof propertyEvaluationModule,
  typeof assessmentModule,
] = [
  orgRegistryModule,
  memberCheckinModule,
  volunteerPointsModule,
  propertyEvaluationModule,
  assessmentModule,
];

export const SuiteConfigSchema = BaseConfigSchema.extend({
  ...IDENTITY_ENV_SHAPE,
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: BaseConfigSchema.shape.LOG_LEVEL.unwrap().default('warn'),
  /** First internal port; services take consecutive ports from it. 0 = random ports. Default PORT + 1. */
  SERVICE_PORT_BASE: envPort.optional(),
  /**
   * Where the embedded database keeps its data between runs; empty (`DATA_DIR=`) = in memory
   * only, nothing written or read. Ignored with MONGO_URL. Load with SUITE_CONFIG_OPTIONS.
   */
  DATA_DIR: z.string().default('.honglian-data'),
  /** Seed the demo data (the demo city into an empty registry…) of every module that has some. */
  SEED_DEMO: envBoolean.default(true),
  // Each module's own variables (PII_KEY, CHECKIN_*…), read as when the service runs alone.
  ...ownConfigShapeOf(MODULES),
});
export type SuiteConfig = z.infer<typeof SuiteConfigSchema>;

/** `DATA_DIR=` must stay empty (memory only) rather than fall back to the default directory. */
export const SUITE_CONFIG_OPTIONS: LoadConfigOptions = { keepEmpty: ['DATA_DIR'] };

interface SharedInfrastructure {
  databases: DatabaseServer;
  bus: EventBus;
}

export interface RunningSuite {
  gateway: ServedService;
  services: ServedService[];
  /** Every service in the order it started, gateway last. */
  all(): { name: string; url: string; prefix: string }[];
  /** How clients get tokens: AUTH_MODE and the token endpoint. */
  identity: { mode: 'embedded' | 'keycloak'; tokenUrl(): string };
  close(): Promise<void>;
}

export interface SuiteOptions {
  /**
   * The domain services' clock (periods, 180-day rules, QR windows): tests move it to tell a
   * six-month story. The gateway and its identity provider keep real time, since token expiry
   * is checked against it.
   */
  clock?: Clock;
  /**
   * Where the event bus takes its settings from (KAFKA_BROKERS and the other KAFKA_* variables):
   * default `process.env`. Tests pass `{}` for the in-process bus whatever the environment says.
   */
  busEnv?: Record<string, string | undefined>;
  /**
   * Test-only: decorates the event bus before any service gets it (e.g. the proof suite's chaos bus,
   * which duplicates deliveries and crashes handlers). The suite starts, hands out and stops what
   * it returns, so the decorator must pass `start`, `stop` and `health` through to the bus it wraps.
   */
  wrapBus?: (bus: EventBus) => EventBus;
}

/** Runs every service in this process: each on its own port, the gateway public. */
export async function startSuite(
  config: SuiteConfig,
  logger: Logger,
  options: SuiteOptions = {},
): Promise<RunningSuite> {
  const identity = createSuiteIdentity(config);
  const ctx = (name: string, clock: Clock = options.clock ?? systemClock): ServiceContext => ({
    logger: logger.child({ service: name }),
    clock,
    bodyLimit: config.BODY_LIMIT,
    metricsToken: config.METRICS_TOKEN,
    auth: identity.authenticator(),
    trustProxy: config.TRUST_PROXY,
    rateLimit: serviceRateLimitOf(config),
  });
  const base = config.SERVICE_PORT_BASE ?? (config.PORT === 0 ? 0 : config.PORT + 1);
  const started: ServedService[] = [];
  const prefixes = new Map<string, string>();
  const serveOne = async (handle: ServiceHandle, port: number, prefix: string) => {
    const served = await serve(handle, {
      port,
      host: config.HOST,
      logger,
      shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    });
    started.push(served);
    prefixes.set(handle.name, prefix);
    return served;
  };
  let infra: SharedInfrastructure | undefined;
  const closeAll = async () => {
    // Gateway first so no new traffic reaches services that are about to stop; then the services
    // together (each bounded by SHUTDOWN_TIMEOUT_MS: leaving Kafka consumer groups takes a moment
    // per group, and one after the other six services outlasted the process's shutdown budget).
    const gatewayFirst = started.find((s) => s.handle.name === gateway.SERVICE.name);
    if (gatewayFirst) await gatewayFirst.close();
    await Promise.all(started.filter((s) => s !== gatewayFirst).map((s) => s.close()));
    if (infra) {
      await infra.bus.stop();
      await infra.databases.close();
    }
  };
  try {
    const databases = await openDatabaseServer({
      ...databaseOptionsOf(config, logger),
      ...(config.DATA_DIR ? { dataDir: config.DATA_DIR } : {}),
    });
    const bus = createEventBus({
      clientId: 'honglian',
      logger,
      ...(options.busEnv ? { env: options.busEnv } : {}),
    });
    infra = { databases, bus: options.wrapBus ? options.wrapBus(bus) : bus };
    await infra.bus.start();
    // Every module's settings first (one ConfigError naming every bad variable), then each
    // service on its own database of the one server and the one bus.
    const built = await buildModuleServices(MODULES, {
      config,
      databases: infra.databases,
      bus: infra.bus,
      context: (module) => ctx(module.name),
    });
    for (const [i, service] of built.entries()) {
      await serveOne(service, base === 0 ? 0 : base + i, MODULES[i]!.prefix);
    }
    if (config.SEED_DEMO) {
      for (const service of built) {
        const seeded = await service.seedDemo(gateway.DEMO_DIRECTORY);
        if (seeded) logger.info({ service: service.name, seeded }, 'demo data seeded');
      }
    }
    const services = [...started];
    const urls = Object.fromEntries(services.map((s) => [s.handle.name, s.http.url]));
    const gw = await serveOne(
      gateway.createService({
        ...ctx(gateway.SERVICE.name, systemClock),
        services: urls,
        routes: apiRoutesOf(MODULES),
        settings: gateway.gatewaySettingsFromEnv(config),
        ...(identity.devIdentity ? { devIdentity: identity.devIdentity } : {}),
        // The console signs in where the browser reaches the realm (Keycloak's public URL with Keycloak).
        console: { authority: identity.issuer },
      }),
      config.PORT,
      gateway.SERVICE.prefix,
    );
    identity.bind(gw.http.url);
    return {
      gateway: gw,
      services,
      all: () =>
        started.map((s) => ({ name: s.handle.name, url: s.http.url, prefix: prefixes.get(s.handle.name)! })),
      identity: { mode: identity.mode, tokenUrl: identity.tokenUrl },
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
