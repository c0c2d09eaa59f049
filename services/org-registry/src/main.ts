import { runModule } from '@honglian/service-kit';
import { orgRegistryModule } from './module.js';

await runModule(orgRegistryModule);
