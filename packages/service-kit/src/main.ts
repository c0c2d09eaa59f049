import type { z } from 'zod';
import { authenticatorFromEnv } from './auth/config.js';
import { systemClock } from './clock.js';
import { BaseConfigSchema, ConfigError, loadConfigOrExit, type BaseConfig } from './config.js';
import { exitOnSignal } from './lifecycle.js';
import { createLogger, type Logger } from './logger.js';
import type { RateLimitSettings } from './rate-limit.js';
import { serve, type ServiceHandle } from './service.js';
import type { ServiceContext } from './service-app.js';

/** What a service run alone gets from its environment: logger, real time, token verification, limits. */
export function serviceContextOf(config: BaseConfig, logger: Logger): ServiceContext {
  return {
    logger,
    clock: systemClock,
    auth: authenticatorFromEnv(),
    bodyLimit: config.BODY_LIMIT,
    metricsToken: config.METRICS_TOKEN,
    trustProxy: config.TRUST_PROXY,
    rateLimit: serviceRateLimitOf(config),
  };
}

/** SERVICE_RATE_LIMIT_* as the settings of a service's own limiter. */
export function serviceRateLimitOf(config: BaseConfig): RateLimitSettings {
  return {
    windowMs: config.SERVICE_RATE_LIMIT_WINDOW_MS,
    max: config.SERVICE_RATE_LIMIT_MAX,
    anonymousMax: config.SERVICE_RATE_LIMIT_ANON_MAX,
  };
}

/**
 * The body of every service's `main.ts`: read config (exit 1 naming a bad
 * variable), build the service, serve it, and shut down cleanly on SIGTERM.
 */
export async function runServiceMain<S extends typeof BaseConfigSchema>(opts: {
  name: string;
  configSchema?: S;
  create: (ctx: { config: z.infer<S>; logger: Logger }) => Promise<ServiceHandle> | ServiceHandle;
}): Promise<void> {
  const config = loadConfigOrExit(opts.configSchema ?? BaseConfigSchema) as z.infer<S>;
  const logger = createLogger({ name: opts.name, level: config.LOG_LEVEL });
  let handle: ServiceHandle;
  try {
    handle = await opts.create({ config, logger });
  } catch (err) {
    // Secrets checked while building (PII_KEY, CHECKIN_QR_SECRET, MONGO_URL in production…) are
    // config too: the message naming the variable, not a stack trace.
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(err.message + '\n');
    process.exit(1);
  }
  const served = await serve(handle, {
    port: config.PORT,
    host: config.HOST,
    logger,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  });
  exitOnSignal(() => served.close(), { logger, timeoutMs: config.SHUTDOWN_TIMEOUT_MS + 1000 });
  logger.info({ url: served.http.url }, `${opts.name} listening`);
}
