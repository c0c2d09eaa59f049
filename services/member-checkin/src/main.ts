import { runModule } from '@honglian/service-kit';
import { memberCheckinModule } from './module.js';

await runModule(memberCheckinModule);
