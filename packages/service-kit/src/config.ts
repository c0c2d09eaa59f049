import { z } from 'zod';
import { DEFAULT_SERVICE_RATE_LIMIT } from './rate-limit.js';

/** Raised when the environment does not satisfy a service's config schema. */
export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super('Invalid configuration:\n' + problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n'));
    this.name = 'ConfigError';
  }
}

/** A boolean read from the environment: "true/1/yes/on" or "false/0/no/off". */
export const envBoolean = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

export const envPort = z.coerce.number().int().min(0).max(65535);

/**
 * Express `trust proxy`: `false` (default: the peer's address is the client),
 * `true`, a hop count, or addresses/subnets/names such as `loopback, 10.0.0.0/8`.
 * Only trust a proxy that is really in front: a trusted peer can set any
 * client IP with X-Forwarded-For and so dodge per-IP limits.
 */
export const envTrustProxy = z
  .string()
  .min(1)
  .transform((v): boolean | number | string =>
    v === 'true' ? true : v === 'false' ? false : /^\d+$/.test(v) ? Number(v) : v,
  );

const positiveInt = z.coerce.number().int().positive();

/** Settings every service reads. Services extend this with their own variables. */
export const BaseConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: envPort.default(8080),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'a size such as 100kb or 1mb')
    .default('1mb'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(4000),
  MONGO_URL: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'a mongodb:// or mongodb+srv:// URL')
    .optional(),
  /** Without MONGO_URL: `embedded` (default) or `memory-server` (a real mongod from mongodb-memory-server). */
  MONGO_IMPL: z.enum(['embedded', 'memory-server']).default('embedded'),
  /** Bearer token Prometheus must send for `/metrics`; unset = open (keep the port internal then). */
  METRICS_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  /** Which proxies' X-Forwarded-For to believe for client IPs; unset: none. */
  TRUST_PROXY: envTrustProxy.default(false),
  /** The service's own per-caller limits (the gateway has its own, RATE_LIMIT_*). */
  SERVICE_RATE_LIMIT_WINDOW_MS: positiveInt.default(DEFAULT_SERVICE_RATE_LIMIT.windowMs),
  SERVICE_RATE_LIMIT_MAX: positiveInt.default(DEFAULT_SERVICE_RATE_LIMIT.max),
  SERVICE_RATE_LIMIT_ANON_MAX: positiveInt.default(DEFAULT_SERVICE_RATE_LIMIT.anonymousMax),
  OTEL_ENABLED: envBoolean.default(false),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
});
export type BaseConfig = z.infer<typeof BaseConfigSchema>;

export interface LoadConfigOptions {
  /** Variables for which `FOO=` is a value of its own (e.g. `DATA_DIR=`: memory only), not "unset". */
  keepEmpty?: readonly string[];
}

/**
 * Parses the environment with a zod object schema. Empty strings count as
 * unset so `FOO=` falls back to the default rather than failing oddly,
 * except for the variables named in `keepEmpty`.
 */
export function loadConfig<S extends z.ZodObject>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
  opts: LoadConfigOptions = {},
): z.infer<S> {
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(
      ([k, v]) => v !== undefined && (v !== '' || (opts.keepEmpty?.includes(k) ?? false)),
    ),
  );
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => ({
      variable: issue.path.map(String).join('.') || '(environment)',
      message: issue.message,
    })),
  );
}

/** For process entry points: a bad config prints which variable is wrong and exits 1. */
export function loadConfigOrExit<S extends z.ZodObject>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
  opts: LoadConfigOptions = {},
): z.infer<S> {
  try {
    return loadConfig(schema, env, opts);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(err.message + '\n');
      process.exit(1);
    }
    throw err;
  }
}
