import { runModule } from '@honglian/service-kit';
import { assessmentModule } from './module.js';

await runModule(assessmentModule);
