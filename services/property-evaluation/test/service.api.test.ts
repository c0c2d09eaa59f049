import { describeModuleBasics } from '@honglian/testkit';
import { propertyEvaluationModule } from '../src/index.js';

describeModuleBasics(propertyEvaluationModule);
