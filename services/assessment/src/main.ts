import { authenticatorFromEnv, runServiceMain, systemClock } from '@honglian/service-kit';
import { SERVICE, createService } from './app.js';

await runServiceMain({
  name: SERVICE.name,
  create: ({ logger }) => createService({ logger, clock: systemClock, auth: authenticatorFromEnv() }),
});
