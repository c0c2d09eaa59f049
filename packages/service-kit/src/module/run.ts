import { createEventBus, type EventBus } from '@honglian/messaging';
import { ConfigError } from '../config.js';
import { databaseOptionsOf, openDatabaseServer } from '../data.js';
import { runServiceMain, serviceContextOf } from '../main.js';
import { owningResources } from '../service.js';
import { buildModuleService, configSchemaOf, type AnyServiceModule } from './module.js';

/** Kafka settings are read by messaging and reported as plain errors; they are config all the same. */
function kafkaConfigError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const variable = /^(KAFKA_[A-Z_]+)\b/.exec(err.message)?.[1];
  return variable ? new ConfigError([{ variable, message: err.message }]) : err;
}

/**
 * The whole `main.ts` of a service: `await runModule(module)`. Reads and checks its config and
 * settings (a bad or missing variable, a secret included, stops the process with exit 1 and a
 * message naming it: no stack trace), opens its database (MONGO_URL or the embedded server) and
 * the bus (Kafka or in-process), builds the service, serves it, and stops it on SIGTERM/SIGINT.
 */
export async function runModule(module: AnyServiceModule): Promise<void> {
  await runServiceMain({
    name: module.name,
    // defineServiceModule checked that it extends BaseConfigSchema.
    configSchema: configSchemaOf(module) as never,
    create: async ({ config, logger }) => {
      // Settings first: a bad secret stops the process before anything is opened.
      const settings: unknown = module.settings ? module.settings(config) : undefined;
      const context = serviceContextOf(config, logger);
      const databases = await openDatabaseServer(databaseOptionsOf(config, logger));
      let bus: EventBus;
      try {
        bus = createEventBus({ clientId: module.name, logger });
      } catch (err) {
        await databases.close();
        throw kafkaConfigError(err);
      }
      const service = buildModuleService(module, {
        ...context,
        db: await databases.connect(module.name),
        bus,
        settings,
      });
      return owningResources(service, [bus, databases]);
    },
  });
}
