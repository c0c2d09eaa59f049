import { createEventBus } from '@honglian/messaging';
import {
  databaseOptionsOf,
  openDatabaseServer,
  owningResources,
  runServiceMain,
  serviceContextOf,
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
      ...serviceContextOf(config, logger),
      db: await databases.connect(SERVICE.name),
      bus,
      piiKey: piiKeyOf(config),
      importMaxBytes: config.IMPORT_MAX_BYTES,
    });
    return owningResources(service, [bus, databases]);
  },
});
