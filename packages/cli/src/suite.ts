import {
  BaseConfigSchema,
  envPort,
  serve,
  systemClock,
  type Logger,
  type ServedService,
  type ServiceContext,
  type ServiceHandle,
} from '@honglian/service-kit';
import * as gateway from '@honglian/gateway';
import * as orgRegistry from '@honglian/org-registry';
import * as memberCheckin from '@honglian/member-checkin';
import * as volunteerPoints from '@honglian/volunteer-points';
import * as propertyEvaluation from '@honglian/property-evaluation';
import * as assessment from '@honglian/assessment';
import { z } from 'zod';

export const SuiteConfigSchema = BaseConfigSchema.extend({
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: BaseConfigSchema.shape.LOG_LEVEL.unwrap().default('warn'),
  /** First internal port; services take consecutive ports from it. 0 = random ports. Default PORT + 1. */
  SERVICE_PORT_BASE: envPort.optional(),
});
export type SuiteConfig = z.infer<typeof SuiteConfigSchema>;

/** The domain services in start order (the gateway starts last, once it knows their URLs). */
const DOMAIN_SERVICES = [
  orgRegistry,
  memberCheckin,
  volunteerPoints,
  propertyEvaluation,
  assessment,
] as const;

export interface RunningSuite {
  gateway: ServedService;
  services: ServedService[];
  /** Every service in the order it started, gateway last. */
  all(): { name: string; url: string; prefix: string }[];
  close(): Promise<void>;
}

/** Runs every service in this process: each on its own port, the gateway public. */
export async function startSuite(config: SuiteConfig, logger: Logger): Promise<RunningSuite> {
  const ctx = (name: string): ServiceContext => ({
    logger: logger.child({ service: name }),
    clock: systemClock,
    bodyLimit: config.BODY_LIMIT,
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
  const closeAll = async () => {
    // Gateway first so no new traffic reaches services that are about to stop.
    for (const s of [...started].reverse()) await s.close();
  };
  try {
    for (const [i, mod] of DOMAIN_SERVICES.entries()) {
      await serveOne(mod.createService(ctx(mod.SERVICE.name)), base === 0 ? 0 : base + i, mod.SERVICE.prefix);
    }
    const services = [...started];
    const urls = Object.fromEntries(services.map((s) => [s.handle.name, s.http.url]));
    const gw = await serveOne(
      gateway.createService({ ...ctx(gateway.SERVICE.name), services: urls }),
      config.PORT,
      gateway.SERVICE.prefix,
    );
    return {
      gateway: gw,
      services,
      all: () =>
        started.map((s) => ({ name: s.handle.name, url: s.http.url, prefix: prefixes.get(s.handle.name)! })),
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
