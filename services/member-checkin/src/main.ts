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
import { CheckinConfigSchema, qrSecretOf, rulesOf } from './config.js';

await runServiceMain({
  name: SERVICE.name,
  configSchema: CheckinConfigSchema,
  create: async ({ config, logger }) => {
    const qrSecret = qrSecretOf(config);
    const databases = await openDatabaseServer(databaseOptionsOf(config, logger));
    const bus = createEventBus({ clientId: SERVICE.name, logger });
    const service = createService({
      logger,
      clock: systemClock,
      auth: authenticatorFromEnv(),
      bodyLimit: config.BODY_LIMIT,
      db: await databases.connect(SERVICE.name),
      bus,
      ...(qrSecret ? { qrSecret } : {}),
      rules: rulesOf(config),
      scanIntervalMs: config.CHECKIN_SCAN_INTERVAL_SECONDS * 1000,
    });
    return owningResources(service, [bus, databases]);
  },
});
