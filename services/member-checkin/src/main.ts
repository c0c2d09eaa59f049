import { createEventBus } from '@honglian/messaging';
import {
  databaseOptionsOf,
  openDatabaseServer,
  owningResources,
  runServiceMain,
  serviceContextOf,
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
      ...serviceContextOf(config, logger),
      db: await databases.connect(SERVICE.name),
      bus,
      ...(qrSecret ? { qrSecret } : {}),
      rules: rulesOf(config),
      scanIntervalMs: config.CHECKIN_SCAN_INTERVAL_SECONDS * 1000,
    });
    return owningResources(service, [bus, databases]);
  },
});
