import { createEventBus } from '@honglian/messaging';
import {
  authenticatorFromEnv,
  databaseOptionsOf,
  openDatabaseServer,
  owningResources,
  runServiceMain,
  systemClock,
} from '@honglian/service-kit';
import { SERVICE, createService } from './app.js';
import { RegistryConfigSchema, piiKeyOf } from './config.js';

await runServiceMain({
  name: SERVICE.name,
  configSchema: RegistryConfigSchema,
  create: async ({ config, logger }) => {
    const databases = await openDatabaseServer(databaseOptionsOf(config, logger));
    const bus = createEventBus({ clientId: SERVICE.name, logger });
    const service = createService({
      logger,
      clock: systemClock,
      auth: authenticatorFromEnv(),
      db: await databases.connect(SERVICE.name),
      bus,
      piiKey: piiKeyOf(config),
      importMaxBytes: config.IMPORT_MAX_BYTES,
    });
    return owningResources(service, [bus, databases]);
  },
});
