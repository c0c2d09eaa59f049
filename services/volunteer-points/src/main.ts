import { runServiceMain, serviceContextOf } from '@honglian/service-kit';
import { SERVICE, createService } from './app.js';

await runServiceMain({
  name: SERVICE.name,
  create: ({ config, logger }) => createService(serviceContextOf(config, logger)),
});
