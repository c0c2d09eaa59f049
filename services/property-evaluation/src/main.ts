import { runModule } from '@honglian/service-kit';
import { propertyEvaluationModule } from './module.js';

await runModule(propertyEvaluationModule);
