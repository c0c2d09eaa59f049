import { describeModuleBasics } from '@honglian/testkit';
import { volunteerPointsModule } from '../src/index.js';

describeModuleBasics(volunteerPointsModule);
