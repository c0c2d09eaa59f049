import { runModule } from '@honglian/service-kit';
import { volunteerPointsModule } from './module.js';

await runModule(volunteerPointsModule);
