import { describeServiceBasics } from '@honglian/testkit';
import { SERVICE, createService } from '../src/index.js';

describeServiceBasics(SERVICE, (ctx) => createService(ctx));
