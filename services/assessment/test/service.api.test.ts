import { describeModuleBasics } from '@honglian/testkit';
import { assessmentModule } from '../src/index.js';

describeModuleBasics(assessmentModule);
