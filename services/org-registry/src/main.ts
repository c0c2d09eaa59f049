import { createEventBus } from '@honglian/messaging';
import { authenticatorFromEnv, openDatabaseServer, runServiceMain, systemClock } from '@honglian/service-kit';
import { SERVICE, createService } from './app.js';
import { RegistryConfigSchema, piiKeyOf } from './config.js';

await runServiceMain({
  name: SERVICE.name,
  configSchema: RegistryConfigSchema,
  create: async ({ config, logger }) => {
    const databases = await openDatabaseServer({
      url: config.MONGO_URL,
      impl: config.MONGO_IMPL,
      production: config.NODE_ENV === 'production',
      logger,
    });
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
    return {
      ...service,
      start: async () => {
        await service.start();
        await bus.start();
      },
      stop: async () => {
        await service.stop();
        await bus.stop();
        await databases.close();
      },
    };
  },
});
