import type { EventBus } from '@honglian/messaging';
import type { z } from 'zod';
import { AuthEnvSchema } from '../auth/config.js';
import { BaseConfigSchema, ConfigError } from '../config.js';
import type { DatabaseServer } from '../data.js';
import type { ServiceContext } from '../service-app.js';
import {
  buildModuleService,
  configSchemaOf,
  type AnyServiceModule,
  type ModuleService,
  type ServiceModule,
} from './module.js';

const SHARED_VARIABLES = new Set([
  ...Object.keys(BaseConfigSchema.shape),
  ...Object.keys(AuthEnvSchema.shape),
]);

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void
  ? I
  : never;
type OwnShape<M> =
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  M extends ServiceModule<infer S, any, any, any>
    ? Omit<S['shape'], keyof typeof BaseConfigSchema.shape | keyof typeof AuthEnvSchema.shape>
    : never;

/**
 * The variables the modules read beyond the shared ones (BaseConfigSchema, AuthEnvSchema), for
 * the all-in-one run's schema: `SuiteSchema.extend(ownConfigShapeOf(MODULES))`, so the suite reads
 * each service's settings from the same environment as the service run alone. Two modules
 * reading one variable must share its schema (export it from one place).
 */
export function ownConfigShapeOf<const Ms extends readonly AnyServiceModule[]>(
  modules: Ms,
): UnionToIntersection<OwnShape<Ms[number]>> {
  const shape: Record<string, z.ZodType> = {};
  for (const module of modules) {
    for (const [variable, schema] of Object.entries(
      configSchemaOf(module).shape as Record<string, z.ZodType>,
    )) {
      if (SHARED_VARIABLES.has(variable)) continue;
      if (shape[variable] && shape[variable] !== schema) {
        throw new TypeError(`${variable} is read by two modules with different schemas (${module.name})`);
      }
      shape[variable] = schema;
    }
  }
  return shape as UnionToIntersection<OwnShape<Ms[number]>>;
}

/**
 * Every module's settings from one config, before anything opens: all bad variables of all
 * modules are reported in one ConfigError.
 */
export function settingsOfModules(
  modules: readonly AnyServiceModule[],
  config: object,
): Map<string, unknown> {
  const settings = new Map<string, unknown>();
  const problems: ConfigError['problems'] = [];
  for (const module of modules) {
    try {
      settings.set(module.name, module.settings ? module.settings(config) : undefined);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems.filter((p) => !problems.some((q) => q.variable === p.variable)));
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return settings;
}

/** The gateway's routing table from the modules: `{ <prefix segment>: <service name> }`. */
export function apiRoutesOf(
  modules: readonly Pick<AnyServiceModule, 'name' | 'prefix'>[],
): Record<string, string> {
  const routes: Record<string, string> = {};
  for (const { name, prefix } of modules) {
    const segment = /^\/api\/v1\/([a-z][a-z0-9-]*)$/.exec(prefix)?.[1];
    if (!segment) throw new TypeError(`${name}: prefix ${prefix} is not /api/v1/<segment>`);
    if (routes[segment]) throw new TypeError(`${name} and ${routes[segment]} both claim /api/v1/${segment}`);
    routes[segment] = name;
  }
  return routes;
}

/**
 * Builds the modules of one process on shared infrastructure (the all-in-one run): settings of
 * all first (one ConfigError for all), then each service on its own database of `databases`
 * and the one bus, in the modules' order. Serving and stopping them stays with the caller.
 */
export async function buildModuleServices(
  modules: readonly AnyServiceModule[],
  infra: {
    config: object;
    databases: Pick<DatabaseServer, 'connect'>;
    bus: EventBus;
    context: (module: AnyServiceModule) => ServiceContext;
  },
): Promise<ModuleService[]> {
  const settings = settingsOfModules(modules, infra.config);
  const services: ModuleService[] = [];
  for (const module of modules) {
    services.push(
      buildModuleService(module, {
        ...infra.context(module),
        db: await infra.databases.connect(module.name),
        bus: infra.bus,
        settings: settings.get(module.name),
      }),
    );
  }
  return services;
}
