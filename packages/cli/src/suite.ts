import { createEventBus, type EventBus } from '@honglian/messaging';
import {
  BaseConfigSchema,
  envBoolean,
  envPort,
  databaseOptionsOf,
  openDatabaseServer,
  serve,
  systemClock,
  type Clock,
  type Logger,
  type ServedService,
  type ServiceContext,
  type ServiceHandle,
  type DatabaseServer,
} from '@honglian/service-kit';
import * as gateway from '@honglian/gateway';
import { IDENTITY_ENV_SHAPE, createSuiteIdentity } from './identity.js';
import * as orgRegistry from '@honglian/org-registry';
import * as memberCheckin from '@honglian/member-checkin';
import * as volunteerPoints from '@honglian/volunteer-points';
import * as propertyEvaluation from '@honglian/property-evaluation';
import * as assessment from '@honglian/assessment';
import { z } from 'zod';

/** member-checkin's own settings (CHECKIN_*), so the all-in-one run takes them from the same environment. */
function checkinSettings() {
  const shape = memberCheckin.CheckinConfigSchema.shape;
  return Object.fromEntries(Object.entries(shape).filter(([k]) => k.startsWith('CHECKIN_'))) as {
    [K in keyof typeof shape as K extends `CHECKIN_${string}` ? K : never]: (typeof shape)[K];
  };
}

export const SuiteConfigSchema = BaseConfigSchema.extend({
  ...IDENTITY_ENV_SHAPE,
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: BaseConfigSchema.shape.LOG_LEVEL.unwrap().default('warn'),
  /** First internal port; services take consecutive ports from it. 0 = random ports. Default PORT + 1. */
  SERVICE_PORT_BASE: envPort.optional(),
  /** Where the embedded database keeps its data between runs; empty = in memory only. Ignored with MONGO_URL. */
  DATA_DIR: z.string().default('.honglian-data'),
  /** Seed the demo city into an empty registry. */
  SEED_DEMO: envBoolean.default(true),
  PII_KEY: orgRegistry.RegistryConfigSchema.shape.PII_KEY,
  IMPORT_MAX_BYTES: orgRegistry.RegistryConfigSchema.shape.IMPORT_MAX_BYTES,
  ...checkinSettings(),
});
export type SuiteConfig = z.infer<typeof SuiteConfigSchema>;

interface SharedInfrastructure {
  databases: DatabaseServer;
  bus: EventBus;
}

type Builder = (ctx: ServiceContext, infra: SharedInfrastructure) => Promise<ServiceHandle>;

/**
 * The domain services in start order (the gateway starts last, once it knows
 * their URLs), each given what it needs: its own database on the one server,
 * the one event bus.
 */
function domainServices(config: SuiteConfig): { name: string; prefix: string; build: Builder }[] {
  return [
    {
      ...orgRegistry.SERVICE,
      build: async (ctx, { databases, bus }) =>
        orgRegistry.createService({
          ...ctx,
          db: await databases.connect(orgRegistry.SERVICE.name),
          bus,
          piiKey: orgRegistry.piiKeyOf(config),
          importMaxBytes: config.IMPORT_MAX_BYTES,
        }),
    },
    {
      ...memberCheckin.SERVICE,
      build: async (ctx, { databases, bus }) => {
        const qrSecret = memberCheckin.qrSecretOf(config);
        return memberCheckin.createService({
          ...ctx,
          db: await databases.connect(memberCheckin.SERVICE.name),
          bus,
          ...(qrSecret ? { qrSecret } : {}),
          rules: memberCheckin.rulesOf(config),
          scanIntervalMs: config.CHECKIN_SCAN_INTERVAL_SECONDS * 1000,
        });
      },
    },
    { ...volunteerPoints.SERVICE, build: async (ctx) => volunteerPoints.createService(ctx) },
    { ...propertyEvaluation.SERVICE, build: async (ctx) => propertyEvaluation.createService(ctx) },
    { ...assessment.SERVICE, build: async (ctx) => assessment.createService(ctx) },
  ];
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
    // Gateway first so no new traffic reaches services that are about to stop.
    for (const s of [...started].reverse()) await s.close();
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
    infra = { databases, bus: createEventBus({ clientId: 'honglian', logger }) };
    await infra.bus.start();
    let registry: orgRegistry.OrgRegistryService | undefined;
    for (const [i, svc] of domainServices(config).entries()) {
      const handle = await svc.build(ctx(svc.name), infra);
      if (svc.name === orgRegistry.SERVICE.name) registry = handle as orgRegistry.OrgRegistryService;
      await serveOne(handle, base === 0 ? 0 : base + i, svc.prefix);
    }
    if (registry && config.SEED_DEMO) {
      const seeded = await registry.seedDemoCity(gateway.DEMO_DIRECTORY);
      if (seeded) logger.info({ rows: seeded.map((r) => `${r.kind}:${r.created}`) }, 'demo city seeded');
    }
    const services = [...started];
    const urls = Object.fromEntries(services.map((s) => [s.handle.name, s.http.url]));
    const gw = await serveOne(
      gateway.createService({
        ...ctx(gateway.SERVICE.name, systemClock),
        services: urls,
        settings: gateway.gatewaySettingsFromEnv(config),
        ...(identity.devIdentity ? { devIdentity: identity.devIdentity } : {}),
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
